import ControlCodes

/// What changed between two versions of one control list: added, removed, renumbered or
/// moved entries, text changes as word diffs, and thresholds as old → new.
public struct ListDiff: Sendable {
    /// A list as a diff names it; ``ledgerIndex`` is set when the list's hash was found in a
    /// `list.publish` entry, so an auditor can prove which text was compared.
    public struct ListRef: Sendable, Hashable {
        public var jurisdiction: String
        public var instrument: String
        public var versionDate: String
        /// SHA-256 (hex) of the file compared.
        public var sha256: String
        /// SHA-256 (hex) of the official dataset it came from (see ``ControlList/datasetSHA256``).
        public var datasetSHA256: String
        public var ledgerIndex: Int64?
        public init(_ l: ControlList, ledgerIndex: Int64? = nil) {
            jurisdiction = l.jurisdiction
            instrument = l.instrument
            versionDate = l.versionDate
            sha256 = l.sourceSHA256
            datasetSHA256 = l.datasetSHA256
            self.ledgerIndex = ledgerIndex
        }
    }

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case added, removed
        /// The same paragraph under a new number.
        case moved
        case textChanged = "text-changed"
        case statusChanged = "status-changed"
        case parametersChanged = "parameters-changed"
        case notesChanged = "notes-changed"
    }

    /// A threshold that changed: `beam energy ≥ 20 keV → ≥ 25 keV`.
    public struct ParameterChange: Sendable, Hashable {
        public var term: String
        public var old: Parameter?
        public var new: Parameter?
        /// `≥ 20 keV → ≥ 25 keV`, `(none) → < 193 nm`.
        public var summary: String { "\(old?.threshold ?? "(none)") → \(new?.threshold ?? "(none)")" }
    }

    public struct Change: Sendable, Hashable {
        public var kind: Kind
        public var oldCode: ItemCode?
        public var newCode: ItemCode?
        public var oldStatus: ControlEntry.Status?
        public var newStatus: ControlEntry.Status?
        public var text: String
        public var wordDiff: WordDiff?
        public var parameterChanges: [ParameterChange]
        /// For moves: the share of words the two texts have in common (1 = identical).
        public var similarity: Double?

        /// The code the change is sorted and shown under.
        public var code: ItemCode { (newCode ?? oldCode)! }
    }

    public var old: ListRef
    public var new: ListRef
    public var changes: [Change]

    /// Counts per kind.
    public var counts: [Kind: Int] { Dictionary(grouping: changes, by: \.kind).mapValues(\.count) }

    /// Entries whose texts share at least this share of words count as moved.
    public static let moveSimilarity = 0.8

    /// Compares `old` with `new`.
    public init(old a: ControlList, new b: ControlList, oldLedgerIndex: Int64? = nil, newLedgerIndex: Int64? = nil) {
        old = ListRef(a, ledgerIndex: oldLedgerIndex)
        new = ListRef(b, ledgerIndex: newLedgerIndex)
        var changes: [Change] = []
        var removed: [ControlEntry] = []
        var added: [ControlEntry] = []
        // Entries that stop or start controlling under the same number are also move candidates.
        var vacated: [ControlEntry] = []
        var filled: [ControlEntry] = []
        for e in a.entries {
            guard let f = b.entry(e.code) else {
                removed.append(e)
                continue
            }
            if e.status == .active && f.status != .active { vacated.append(e) }
            if e.status != .active && f.status == .active { filled.append(f) }
            if e.status == f.status && e.text == f.text && e.parameters == f.parameters && e.notes == f.notes {
                continue
            }
            let textSame = ListDiff.normalized(e.text) == ListDiff.normalized(f.text)
            let pc = ListDiff.parameterChanges(e.parameters, f.parameters)
            if e.status != f.status {
                changes.append(
                    Change(
                        kind: .statusChanged, oldCode: e.code, newCode: f.code, oldStatus: e.status,
                        newStatus: f.status, text: f.text,
                        wordDiff: WordDiff(old: e.text, new: f.text), parameterChanges: pc))
            } else if !textSame {
                changes.append(
                    Change(
                        kind: pc.isEmpty ? .textChanged : .parametersChanged, oldCode: e.code, newCode: f.code,
                        oldStatus: e.status,
                        newStatus: f.status, text: f.text, wordDiff: WordDiff(old: e.text, new: f.text),
                        parameterChanges: pc))
            } else if !pc.isEmpty {
                changes.append(
                    Change(
                        kind: .parametersChanged, oldCode: e.code, newCode: f.code, oldStatus: e.status,
                        newStatus: f.status, text: f.text,
                        wordDiff: nil, parameterChanges: pc))
            } else if e.notes != f.notes {
                changes.append(
                    Change(
                        kind: .notesChanged, oldCode: e.code, newCode: f.code, oldStatus: e.status, newStatus: f.status,
                        text: f.text,
                        wordDiff: WordDiff(
                            old: e.notes.map(\.text).joined(separator: "\n"),
                            new: f.notes.map(\.text).joined(separator: "\n")),
                        parameterChanges: []))
            }
        }
        for f in b.entries where a.entry(f.code) == nil { added.append(f) }

        // Moves: first identical texts, then similar ones.
        let from = removed + vacated
        let to = added + filled
        var usedFrom = Set<Int>()
        var usedTo = Set<Int>()
        var byText: [String: [Int]] = [:]
        for (j, f) in to.enumerated() where f.status == .active {
            byText[ListDiff.normalized(f.text), default: []].append(j)
        }
        var moves: [(Int, Int, Double)] = []
        for (i, e) in from.enumerated() where e.status == .active {
            if var js = byText[ListDiff.normalized(e.text)], let j = js.first(where: { !usedTo.contains($0) }) {
                js.removeAll { $0 == j }
                usedFrom.insert(i)
                usedTo.insert(j)
                moves.append((i, j, 1))
            }
        }
        let restFrom = from.indices.filter { !usedFrom.contains($0) && from[$0].status == .active }
        let restTo = to.indices.filter { !usedTo.contains($0) && to[$0].status == .active }
        if restFrom.count * restTo.count <= 4_000_000 {
            // Word sets as sorted ids; Jaccard ≥ t needs sizes within a factor t of each other.
            var wordIDs: [Substring: Int32] = [:]
            func ids(_ text: String) -> [Int32] {
                var out = Set<Int32>()
                for w in text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
                    if let id = wordIDs[w] {
                        out.insert(id)
                    } else {
                        let id = Int32(wordIDs.count)
                        wordIDs[w] = id
                        out.insert(id)
                    }
                }
                return out.sorted()
            }
            let toWords = restTo.map { ids(to[$0].text) }
            for i in restFrom {
                let w = ids(from[i].text)
                guard w.count >= 4 else { continue }
                var best = -1
                var bestScore = 0.0
                for (k, j) in restTo.enumerated() where !usedTo.contains(j) {
                    let v = toWords[k]
                    let small = Double(min(w.count, v.count))
                    let large = Double(max(w.count, v.count))
                    guard small >= ListDiff.moveSimilarity * large else { continue }
                    var x = 0
                    var y = 0
                    var inter = 0
                    while x < w.count && y < v.count {
                        if w[x] == v[y] {
                            inter += 1
                            x += 1
                            y += 1
                        } else if w[x] < v[y] {
                            x += 1
                        } else {
                            y += 1
                        }
                    }
                    let score = Double(inter) / Double(w.count + v.count - inter)
                    if score > bestScore {
                        bestScore = score
                        best = j
                    }
                }
                if best >= 0 && bestScore >= ListDiff.moveSimilarity {
                    usedFrom.insert(i)
                    usedTo.insert(best)
                    moves.append((i, best, bestScore))
                }
            }
        }
        for (i, j, score) in moves {
            let e = from[i]
            let f = to[j]
            changes.append(
                Change(
                    kind: .moved, oldCode: e.code, newCode: f.code, oldStatus: e.status, newStatus: f.status,
                    text: f.text,
                    wordDiff: score < 1 ? WordDiff(old: e.text, new: f.text) : nil,
                    parameterChanges: ListDiff.parameterChanges(e.parameters, f.parameters), similarity: score))
        }
        let movedFromRemoved = Set(moves.filter { $0.0 < removed.count }.map { from[$0.0].code })
        let movedToAdded = Set(moves.filter { $0.1 < added.count }.map { to[$0.1].code })
        for e in removed where !movedFromRemoved.contains(e.code) {
            changes.append(
                Change(
                    kind: .removed, oldCode: e.code, newCode: nil, oldStatus: e.status, newStatus: nil, text: e.text,
                    wordDiff: nil,
                    parameterChanges: []))
        }
        for f in added where !movedToAdded.contains(f.code) {
            changes.append(
                Change(
                    kind: .added, oldCode: nil, newCode: f.code, oldStatus: nil, newStatus: f.status, text: f.text,
                    wordDiff: nil,
                    parameterChanges: []))
        }
        changes.sort { ($0.code, $0.kind.rawValue) < ($1.code, $1.kind.rawValue) }
        self.changes = changes
    }

    static func normalized(_ s: String) -> String { WordDiff.words(s).joined(separator: " ") }

    /// Threshold changes between two parameter lists, matched by term and dimension.
    static func parameterChanges(_ a: [Parameter], _ b: [Parameter]) -> [ParameterChange] {
        var out: [ParameterChange] = []
        var usedB = Set<Int>()
        for p in a {
            if let j = b.indices.first(where: {
                !usedB.contains($0) && b[$0].isComparable(with: p) && b[$0].sameThreshold(as: p)
            }) {
                usedB.insert(j)
                continue
            }
            if let j = b.indices.first(where: {
                !usedB.contains($0) && b[$0].isComparable(with: p)
                    && b[$0].comparator.direction == p.comparator.direction
            }) ?? b.indices.first(where: { !usedB.contains($0) && b[$0].isComparable(with: p) }) {
                usedB.insert(j)
                out.append(ParameterChange(term: p.term, old: p, new: b[j]))
            } else {
                out.append(ParameterChange(term: p.term, old: p, new: nil))
            }
        }
        for (j, q) in b.enumerated() where !usedB.contains(j) {
            out.append(ParameterChange(term: q.term, old: nil, new: q))
        }
        return out
    }
}

extension Parameter.Comparator {
    /// -1 for upper bounds (<, ≤), +1 for lower bounds (≥, >), 0 otherwise.
    public var direction: Int {
        switch self {
        case .lessThan, .lessOrEqual: return -1
        case .greaterThan, .greaterOrEqual: return 1
        default: return 0
        }
    }
}
