/// Which pairs of measures to compare, found without comparing all pairs.
///
/// Each measure covers codes (its own and the ones they correlate with). A code is given as
/// its chain: interned identity keys of the code and its ancestors, nearest first. Two
/// measures are candidates when a code of one is equal to, above or below a code of the
/// other, which is exactly when one code's chain holds the other's first key.
///
/// The index files each code under its own key ("exact") and under every key of its chain
/// ("below"). The candidates of a measure are then the measures filed below each of its own
/// keys (equal or below) and exactly at each of its ancestors (above), so the work grows with
/// the number of overlapping pairs and the chain lengths rather than with n².
struct CandidateIndex {
    /// All chains, in flat storage so that lookups touch no reference-counted values: code
    /// `x`'s chain is `chainStore[chainStart[x]..<chainStart[x + 1]]`, and measure `i`'s codes
    /// are `codeStart[i]..<codeStart[i + 1]`.
    private var chainStore: [Int32] = []
    private var chainStart: [Int32] = [0]
    private var codeStart: [Int32]
    /// Measures holding exactly key `k`: `exactList[exactOff[k]..<exactOff[k + 1]]`; measures
    /// holding `k` or a code below it: `belowList[belowOff[k]..<belowOff[k + 1]]`.
    private var exactOff: [Int32]
    private var exactList: [Int32]
    private var belowOff: [Int32]
    private var belowList: [Int32]
    /// For each measure, the last measure whose candidates it was found among (to report it
    /// once).
    private var stamp: [Int32]

    /// Indexes measures whose codes have the chains `chains[i]` (measure `i`: one chain per
    /// code). Keys are small non-negative integers.
    init(chains: [[[Int32]]]) {
        let measures = chains.count
        codeStart = [Int32](repeating: 0, count: measures + 1)
        var owner: [Int32] = []
        var keyCount = 0
        for i in 0..<measures {
            codeStart[i] = Int32(chainStart.count - 1)
            for chain in chains[i] {
                precondition(!chain.isEmpty, "a code's chain holds at least its own key")
                chainStore.append(contentsOf: chain)
                chainStart.append(Int32(chainStore.count))
                owner.append(Int32(i))
                for k in chain { keyCount = max(keyCount, Int(k) + 1) }
            }
        }
        codeStart[measures] = Int32(chainStart.count - 1)
        // Count, then prefix sums, then fill: compressed lists without a dictionary.
        exactOff = [Int32](repeating: 0, count: keyCount + 1)
        belowOff = [Int32](repeating: 0, count: keyCount + 1)
        let codes = chainStart.count - 1
        for x in 0..<codes {
            let s0 = Int(chainStart[x])
            exactOff[Int(chainStore[s0]) + 1] += 1
            for k in s0..<Int(chainStart[x + 1]) { belowOff[Int(chainStore[k]) + 1] += 1 }
        }
        for k in 0..<keyCount {
            exactOff[k + 1] += exactOff[k]
            belowOff[k + 1] += belowOff[k]
        }
        exactList = [Int32](repeating: 0, count: Int(exactOff[keyCount]))
        belowList = [Int32](repeating: 0, count: Int(belowOff[keyCount]))
        var exactFill = exactOff
        var belowFill = belowOff
        for x in 0..<codes {
            let s0 = Int(chainStart[x])
            let k0 = Int(chainStore[s0])
            exactList[Int(exactFill[k0])] = owner[x]
            exactFill[k0] += 1
            for k in s0..<Int(chainStart[x + 1]) {
                let key = Int(chainStore[k])
                belowList[Int(belowFill[key])] = owner[x]
                belowFill[key] += 1
            }
        }
        stamp = [Int32](repeating: -1, count: measures)
    }

    /// Writes into `out` (after clearing it) every measure with a code equal to, above or
    /// below one of measure `i`'s, each once, never `i` itself; with `onlyAbove`, only those
    /// after `i` (so that each pair comes up once over all `i`).
    mutating func candidates(of i: Int, onlyAbove: Bool, into out: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        let me = Int32(i)
        func consider(_ j: Int32) {
            guard j != me, !onlyAbove || j > me, stamp[Int(j)] != me else { return }
            stamp[Int(j)] = me
            out.append(j)
        }
        for x in Int(codeStart[i])..<Int(codeStart[i + 1]) {
            let s0 = Int(chainStart[x])
            let own = Int(chainStore[s0])
            // Equal to or below this code.
            for n in Int(belowOff[own])..<Int(belowOff[own + 1]) { consider(belowList[n]) }
            // Exactly at one of its ancestors: above it.
            for k in (s0 + 1)..<Int(chainStart[x + 1]) {
                let ancestor = Int(chainStore[k])
                for n in Int(exactOff[ancestor])..<Int(exactOff[ancestor + 1]) { consider(exactList[n]) }
            }
        }
    }
}
