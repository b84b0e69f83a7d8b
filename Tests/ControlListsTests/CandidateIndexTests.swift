import Testing

@testable import ControlLists

/// ``CandidateIndex``: which pairs of measures the conflict detector compares.
@Suite struct CandidateIndexTests {
    /// Every pair (i < j) the index gives, and how many it gave.
    static func indexedPairs(_ chains: [[[Int32]]]) -> (pairs: Set<[Int]>, count: Int) {
        var index = CandidateIndex(chains: chains)
        var out: [Int32] = []
        var pairs = Set<[Int]>()
        var count = 0
        for i in chains.indices {
            index.candidates(of: i, onlyAbove: true, into: &out)
            count += out.count
            for j in out { pairs.insert([i, Int(j)]) }
        }
        return (pairs, count)
    }

    /// Every pair (i < j) with a code of one equal to, above or below a code of the other,
    /// found by comparing all pairs.
    static func allPairs(_ chains: [[[Int32]]]) -> Set<[Int]> {
        var out = Set<[Int]>()
        for i in chains.indices {
            for j in (i + 1)..<chains.count {
                let overlap = chains[i].contains { x in
                    chains[j].contains { y in x.contains(y[0]) || y.contains(x[0]) }
                }
                if overlap { out.insert([i, j]) }
            }
        }
        return out
    }

    @Test(arguments: [1, 2, 3, 4])
    func findsExactlyThePairsThatComparingAllPairsFinds(seed: UInt64) {
        // A fixed linear congruential sequence per seed, so that every run sees the same workload.
        var x = seed
        func random(_ n: Int) -> Int {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(x >> 33) % n
        }
        // A random forest of 300 codes: each code's parent is an earlier code, or none.
        var parent = [Int32?]()
        for k in 0..<300 {
            parent.append(k == 0 || random(10) < 3 ? nil : Int32(random(k)))
        }
        func chain(_ k: Int32) -> [Int32] {
            var out = [k]
            while let p = parent[Int(out.last!)] { out.append(p) }
            return out
        }
        // 500 measures of 0 to 3 codes each.
        let chains: [[[Int32]]] = (0..<500).map { _ in
            (0..<random(4)).map { _ in chain(Int32(random(300))) }
        }
        let truth = CandidateIndexTests.allPairs(chains)
        let (found, count) = CandidateIndexTests.indexedPairs(chains)
        #expect(truth.count > 100)
        let missed = truth.subtracting(found)
        let extra = found.subtracting(truth)
        func some(_ pairs: Set<[Int]>) -> String { "\(pairs.sorted { $0.lexicographicallyPrecedes($1) }.prefix(3))" }
        #expect(missed.isEmpty, "\(missed.count) overlapping pairs missed, such as \(some(missed))")
        #expect(extra.isEmpty, "\(extra.count) pairs that do not overlap, such as \(some(extra))")
        // Each pair once.
        #expect(count == found.count)
    }

    @Test func manyUnrelatedMeasuresAreNotComparedPairwise() {
        // 1,000 families (root → 4 headings → 5 items each): 20,000 measures on distinct
        // items, none overlapping, plus a measure on the root of every fifth family, which
        // overlaps the 20 measures of its family and nothing else.
        var chains: [[[Int32]]] = []
        var rootMeasures = 0
        for f in 0..<1000 {
            let root = Int32(f * 25)
            for h in 0..<4 {
                let heading = root + 1 + Int32(h * 6)
                for item in 0..<5 { chains.append([[heading + 1 + Int32(item), heading, root]]) }
            }
            if f % 5 == 0 {
                chains.append([[root]])
                rootMeasures += 1
            }
        }
        let n = chains.count
        let (pairs, count) = CandidateIndexTests.indexedPairs(chains)
        #expect(count == rootMeasures * 20)
        #expect(pairs.count == count)
        #expect(count * 1000 < n * (n - 1) / 2, "\(count) comparisons for \(n) measures")
    }
}
