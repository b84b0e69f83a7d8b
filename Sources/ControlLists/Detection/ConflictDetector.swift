import Consensus
import ControlCodes

/// Finds duplicate and conflicting measures across forums.
///
/// Measures are indexed by item code (``CandidateIndex``): a measure is compared only with
/// measures whose codes are equal to, above or below one of its own (or a correlated one),
/// never with all others, so the cost grows with the number of overlapping pairs rather
/// than with n².
public struct ConflictDetector: Sendable {
    public var correlations: CorrelationTable

    public init(correlations: CorrelationTable = CorrelationTable()) {
        self.correlations = correlations
    }

    /// Every finding among `measures`, sorted by severity (highest first), then id.
    public func findings(in measures: [TabledMeasure]) -> [Finding] {
        run(measures, only: nil)
    }

    /// The findings that involve `newMeasure`, checked against `existing`; used to warn
    /// after a proposal is appended.
    public func findings(for newMeasure: TabledMeasure, against existing: [TabledMeasure]) -> [Finding] {
        let all =
            existing.filter { !($0.forum == newMeasure.forum && $0.proposalID == newMeasure.proposalID) } + [newMeasure]
        return run(all, only: all.count - 1)
    }

    /// One code a measure covers after expansion: the code itself or a correlated one.
    struct Expansion {
        var code: ItemCode
        /// The measure's own code this came from.
        var mine: ItemCode
        /// The correlation kind, or "" for the measure's own code.
        var how: String
        /// Interned identity keys of `code` and its ancestors, nearest first.
        var chain: [Int32]
    }

    /// Interns identity keys and caches expansions per code.
    struct Interner {
        var ids: [String: Int32] = [:]
        var chains: [ItemCode: [Int32]] = [:]
        var related: [ItemCode: [(code: ItemCode, kind: Correlation.Kind, via: Correlation)]] = [:]

        mutating func chain(_ c: ItemCode) -> [Int32] {
            if let x = chains[c] { return x }
            let k = c.identityKey
            let id: Int32
            if let known = ids[k] {
                id = known
            } else {
                id = Int32(ids.count)
                ids[k] = id
            }
            var out = [id]
            if let p = c.parent { out += chain(p) }
            chains[c] = out
            return out
        }
    }

    func run(_ measures: [TabledMeasure], only: Int?) -> [Finding] {
        let live = measures.indices.filter { measures[$0].state.isLive }
        var interner = Interner()
        var expansions: [[Expansion]] = Array(repeating: [], count: measures.count)
        var destIDs: [String: Int32] = [:]
        var dests: [[Int32]] = Array(repeating: [], count: measures.count)
        var coversAll = [Bool](repeating: false, count: measures.count)
        // Identity keys of every correlation endpoint: codes whose chain holds none of them
        // have no correlations, so the table need not be asked.
        var correlated = Set<Int32>()
        for c in correlations.correlations {
            correlated.insert(interner.chain(c.from)[0])
            correlated.insert(interner.chain(c.to)[0])
        }
        for i in live {
            var seen: [Int32] = []
            func firstTime(_ id: Int32) -> Bool {
                if seen.contains(id) { return false }
                seen.append(id)
                return true
            }
            for c in measures[i].items {
                let own = interner.chain(c)
                var rel: [(code: ItemCode, kind: Correlation.Kind, via: Correlation)] = []
                if own.contains(where: { correlated.contains($0) }) {
                    if let r = interner.related[c] {
                        rel = r
                    } else {
                        rel = correlations.related(c)
                        interner.related[c] = rel
                    }
                }
                if firstTime(own[0]) {
                    expansions[i].append(Expansion(code: c, mine: c, how: "", chain: own))
                }
                for r in rel {
                    let ch = interner.chain(r.code)
                    if firstTime(ch[0]) {
                        expansions[i].append(Expansion(code: r.code, mine: c, how: r.kind.rawValue, chain: ch))
                    }
                }
            }
            coversAll[i] = measures[i].coversAll
            var d: [Int32] = []
            for x in measures[i].destinations where !measures[i].exemptedDestinations.contains(x) {
                if let id = destIDs[x] {
                    d.append(id)
                } else {
                    let id = Int32(destIDs.count)
                    destIDs[x] = id
                    d.append(id)
                }
            }
            dests[i] = d.sorted()
        }
        var index = CandidateIndex(chains: expansions.map { $0.map(\.chain) })

        func destinationsOverlap(_ i: Int, _ j: Int) -> Bool {
            if coversAll[i] || coversAll[j] { return true }
            let a = dests[i]
            let b = dests[j]
            var x = 0
            var y = 0
            while x < a.count && y < b.count {
                if a[x] == b[y] { return true }
                if a[x] < b[y] { x += 1 } else { y += 1 }
            }
            return false
        }

        // Cheap per-measure facts for the inner loop (no copies of whole measures there).
        var proposalIDs: [String: [String: Int32]] = [:]
        var proposalCount: Int32 = 0
        var proposal = [Int32](repeating: -1, count: measures.count)
        var kinds = [Measure.Kind](repeating: .informationSharing, count: measures.count)
        var hasParameters = [Bool](repeating: false, count: measures.count)
        var hasExemptions = [Bool](repeating: false, count: measures.count)
        for i in live {
            if let id = proposalIDs[measures[i].forum]?[measures[i].proposalID] {
                proposal[i] = id
            } else {
                proposal[i] = proposalCount
                proposalIDs[measures[i].forum, default: [:]][measures[i].proposalID] = proposalCount
                proposalCount += 1
            }
            kinds[i] = measures[i].kind
            hasParameters[i] = !measures[i].parameters.isEmpty
            hasExemptions[i] = !measures[i].exemptedDestinations.isEmpty
        }

        /// Whether any rule could fire for the pair, from cheap facts alone.
        func mayFire(_ i: Int, _ j: Int) -> Bool {
            if hasExemptions[i] || hasExemptions[j] { return true }
            if hasParameters[i] && hasParameters[j] { return true }
            let a = kinds[i]
            let b = kinds[j]
            let pairing = a == b || (a.isRestrictive && b.isPermissive) || (a.isPermissive && b.isRestrictive)
            return pairing && destinationsOverlap(i, j)
        }

        var out: [Finding] = []
        var candidates: [Int32] = []
        let sources = only.map { [$0] } ?? live
        for i in sources {
            guard measures[i].state.isLive else { continue }
            index.candidates(of: i, onlyAbove: only == nil, into: &candidates)
            for j in candidates {
                let jj = Int(j)
                if proposal[jj] == proposal[i] { continue }
                guard mayFire(i, jj) else { continue }
                let overlaps = overlapLabels(expansions[i], expansions[jj])
                let (first, second) = measures[i].key < measures[jj].key ? (i, jj) : (jj, i)
                out.append(contentsOf: ConflictDetector.judge(measures[first], measures[second], overlaps: overlaps))
            }
        }
        let ranks = out.map(\.severity.rank)
        let ids = out.map(\.id)
        let order = out.indices.sorted { ranks[$0] != ranks[$1] ? ranks[$0] > ranks[$1] : ids[$0] < ids[$1] }
        return order.map { out[$0] }
    }

    /// `scheme:code ~ scheme:code` for each pair of codes of two measures that overlap.
    func overlapLabels(_ a: [Expansion], _ b: [Expansion]) -> [String] {
        var out = Set<String>()
        for x in a {
            for y in b where x.chain.contains(y.chain[0]) || y.chain.contains(x.chain[0]) {
                var via = ""
                if !x.how.isEmpty { via = " via \(x.how) \(x.code.scheme.rawValue):\(x.code.text)" }
                if !y.how.isEmpty { via += " via \(y.how) \(y.code.scheme.rawValue):\(y.code.text)" }
                out.insert("\(x.mine.scheme.rawValue):\(x.mine.text) ~ \(y.mine.scheme.rawValue):\(y.mine.text)\(via)")
            }
        }
        return out.sorted()
    }

    /// The findings for one pair whose scopes overlap.
    static func judge(_ a: TabledMeasure, _ b: TabledMeasure, overlaps: [String]) -> [Finding] {
        var out: [Finding] = []
        let shared = a.sharedDestinations(with: b)
        let sharedText = shared == ["*"] ? "all destinations" : shared.joined(separator: ", ")
        func make(_ rule: Finding.Rule, _ sev: Finding.Severity, _ dest: [String], _ reason: String) -> Finding {
            Finding(
                id: Finding.stableID(rule: rule, a.key, b.key), rule: rule, severity: sev, a: .init(a), b: .init(b),
                overlaps: overlaps,
                destinations: dest, reason: reason)
        }
        if a.kind == b.kind && !shared.isEmpty {
            let same = a.forum == b.forum
            out.append(
                make(
                    .duplicate, same ? .medium : .low, shared,
                    "both are \(a.kind.rawValue) for overlapping items and \(sharedText)"
                        + (same ? " in the same forum" : " in \(a.forum) and \(b.forum)")))
        }
        if !shared.isEmpty
            && ((a.kind.isRestrictive && b.kind.isPermissive) || (a.kind.isPermissive && b.kind.isRestrictive))
        {
            let (r, p) = a.kind.isRestrictive ? (a, b) : (b, a)
            out.append(
                make(
                    .incompatibleMeasures, .high, shared,
                    "\(r.forum) \(r.proposalID) imposes a \(r.kind.rawValue) while \(p.forum) \(p.proposalID) grants a "
                        + "\(p.kind.rawValue) for the same items and \(sharedText)"
                ))
        }
        // Explicit exemptions against restrictions.
        var exemptHits: [String] = []
        for (x, y) in [(a, b), (b, a)] where y.kind.isRestrictive {
            let restricted = y.coversAll ? x.exemptedDestinations : x.exemptedDestinations.intersection(y.destinations)
            let hit = restricted.subtracting(y.exemptedDestinations)
            if !hit.isEmpty {
                exemptHits.append(
                    "\(x.forum) \(x.proposalID) exempts \(hit.sorted().joined(separator: ", ")), which \(y.forum) "
                        + "\(y.proposalID) restricts"
                )
            }
        }
        if !exemptHits.isEmpty {
            out.append(make(.exemptionConflict, .high, [], exemptHits.joined(separator: "; ")))
        }
        // Thresholds: same term and dimension, same direction, different value.
        var mismatches: [String] = []
        for p in a.parameters where p.isParsed {
            for q in b.parameters
            where q.isParsed && p.isComparable(with: q) && p.comparator.direction == q.comparator.direction {
                if !p.sameThreshold(as: q) {
                    mismatches.append("\(p.term): \(a.forum) \(p.threshold) vs \(b.forum) \(q.threshold)")
                }
            }
        }
        if !mismatches.isEmpty {
            out.append(
                make(.thresholdMismatch, shared.isEmpty ? .low : .medium, shared, mismatches.joined(separator: "; ")))
        }
        return out
    }

    /// Attaches the latest review recorded for each finding.
    public static func applyReviews(_ findings: [Finding], reviews: [String: Finding.Review]) -> [Finding] {
        findings.map { f in
            var f = f
            f.review = reviews[f.id]
            return f
        }
    }
}
