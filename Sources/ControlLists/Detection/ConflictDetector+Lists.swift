import Consensus
import ControlCodes
import LedgerCore

extension ConflictDetector {
    /// The findings of proposals against the national lists of members of their forums
    /// (specs/control-list-format.md §7): `decontrol-of-controlled-item` and
    /// `threshold-looser-than-member`, sorted by severity (highest first), then id.
    ///
    /// A list applies to a live measure when its jurisdiction stands in the measure's forum
    /// (``MemberList/standing(in:)``) and the measure names a destination the list does not
    /// exempt. Items overlap as between two measures: equal codes, ancestor or descendant,
    /// shared multilateral numbering, or a correlation (either side's codes expanded).
    ///
    /// - Parameters:
    ///   - measures: the measures; only live ones (proposed, adopted) are checked.
    ///   - lists: the members' lists.
    ///   - forums: the charters, by forum id; a measure of a forum not here is not checked.
    public func listFindings(
        in measures: [TabledMeasure], lists: [MemberList], forums: [String: ForumCharter]
    ) -> [Finding] {
        let indexes = lists.map { ListIndex($0.list, correlations: correlations) }
        var out: [Finding] = []
        for m in measures
        where m.state.isLive && (m.kind.isPermissive || (m.kind.isRestrictive && m.parameters.contains { $0.isParsed }))
        {
            guard let charter = forums[m.forum] else { continue }
            var mine: [Expansion]?
            for (member, index) in zip(lists, indexes) {
                guard let standing = member.standing(in: charter) else { continue }
                let destinations = Self.uncoveredDestinations(m, exempted: member.exemptedDestinations)
                guard !destinations.isEmpty else { continue }
                if mine == nil { mine = expansions(of: m.items) }
                let hits = index.overlaps(mine!)
                guard !hits.isEmpty else { continue }
                if let f = Self.judge(m, member, standing, hits, destinations, index) { out.append(f) }
            }
        }
        return Self.sorted(out)
    }

    /// The findings of the proposals of `state` against `lists`, with the reviews recorded in
    /// the ledger applied: what `ledger conflicts --lists` adds to the findings between
    /// proposals (``findings(in:at:forum:)``).
    ///
    /// - Parameters:
    ///   - state: the negotiation state.
    ///   - lists: the members' lists; each is linked to the `list.publish` entry that anchors
    ///     it, if the state holds one (``MemberList/publishedIndex(of:in:)``).
    ///   - now: the instant the life-cycle states are judged at; nil for the last entry's time.
    ///   - forum: when given, only the findings on proposals of this forum.
    public func listFindings(
        in state: NegotiationRules, lists: [ControlList], at now: Timestamp? = nil, forum: String? = nil
    ) -> [Finding] {
        let members = lists.map { MemberList($0, publishedIndex: MemberList.publishedIndex(of: $0, in: state)) }
        var found = listFindings(
            in: TabledMeasure.fromNegotiation(state, at: now), lists: members, forums: state.forums)
        if let forum { found = found.filter { $0.a.forum == forum } }
        return Self.applyReviews(found, reviews: Finding.Review.fromNegotiation(state))
    }

    /// Findings by severity (highest first), then id: the detector's order.
    public static func sorted(_ findings: [Finding]) -> [Finding] {
        findings.sorted { $0.severity != $1.severity ? $0.severity > $1.severity : $0.id < $1.id }
    }

    /// A measure's codes and the codes they correlate with.
    func expansions(of items: [ItemCode]) -> [Expansion] {
        var out: [Expansion] = []
        var seen = Set<String>()
        for c in items {
            if seen.insert(c.identityKey).inserted { out.append(Expansion(code: c, mine: c, how: "", chain: [])) }
            for r in correlations.related(c) where seen.insert(r.code.identityKey).inserted {
                out.append(Expansion(code: r.code, mine: c, how: r.kind.rawValue, chain: []))
            }
        }
        return out
    }

    /// The destinations of `m` a list with `exempted` controls: `["*"]` when `m` covers every
    /// destination, else its own less its exemptions and the list's.
    static func uncoveredDestinations(_ m: TabledMeasure, exempted: Set<String>) -> [String] {
        if m.coversAll { return ["*"] }
        return m.destinations.filter { !exempted.contains($0) && !m.exemptedDestinations.contains($0) }.sorted()
    }

    /// The finding of one measure against one member's list whose entries it overlaps, if any.
    static func judge(
        _ m: TabledMeasure, _ member: MemberList, _ standing: MemberList.Standing, _ hits: [ListIndex.Hit],
        _ destinations: [String], _ index: ListIndex
    ) -> Finding? {
        let l = member.list
        let forWhom =
            destinations == ["*"] ? "every destination outside \(l.jurisdiction)" : destinations.joined(separator: ", ")
        let rule: Finding.Rule
        let severity: Finding.Severity
        var involved: [ListIndex.Hit]
        let reason: String
        if m.kind.isPermissive {
            rule = .decontrolOfControlledItem
            involved = hits
            let why: String
            switch standing {
            case .party:
                severity = .high
                why = "\(l.jurisdiction) is a party to \(m.forum)"
            case .throughMemberStates(let states):
                severity = .medium
                why = "EU law binds \(states.joined(separator: ", ")), parties to \(m.forum)"
            }
            reason =
                "\(m.forum) \(m.proposalID) grants a \(m.kind.rawValue) for \(forWhom) on items that the"
                + " \(l.jurisdiction) list (\(l.instrument), \(l.versionDate)) controls; \(why)"
        } else {
            rule = .thresholdLooserThanMember
            severity = .medium
            involved = []
            var looser: [String] = []
            var tighter = Set<Int>()
            // An entry can be reached more than once (directly and through a correlation).
            for i in Set(hits.map(\.entry)).sorted() {
                let entry = index.entries[i]
                for p in m.parameters where p.isParsed {
                    for q in entry.parameters where q.isParsed && isLooser(p, than: q) {
                        looser.append("\(p.term) \(p.threshold) vs \(l.jurisdiction) \(entry.code.text) \(q.threshold)")
                        tighter.insert(i)
                    }
                }
            }
            involved = hits.filter { tighter.contains($0.entry) }
            guard !looser.isEmpty else { return nil }
            reason =
                "\(m.forum) \(m.proposalID) controls fewer items for \(forWhom) than the \(l.jurisdiction) list"
                + " (\(l.instrument), \(l.versionDate)) already does: " + looser.joined(separator: "; ")
        }
        let codes = Array(Set(involved.map { index.entries[$0.entry].code })).sorted()
        let nearest = involved.min { ($0.distance, $0.entry) < ($1.distance, $1.entry) }!
        let first = index.entries[nearest.entry]
        let cited = Finding.ListEntryCitation(
            jurisdiction: l.jurisdiction, instrument: l.instrument, citation: l.citation, versionDate: l.versionDate,
            sha256: l.sourceSHA256, datasetSHA256: l.datasetSHA256, publishedIndex: member.publishedIndex,
            code: first.code, codes: codes, text: first.heading.isEmpty ? first.text : first.heading)
        return Finding(
            id: Finding.stableID(rule: rule, m.key, cited.key), rule: rule, severity: severity, a: .init(m),
            b: .init(listEntry: cited), overlaps: Set(involved.map(\.label)).sorted(), destinations: destinations,
            reason: reason)
    }

    /// Whether threshold `p` controls fewer items than `q`: the same term, dimension and
    /// direction, and a bound that leaves out items `q` takes in (for an upper bound a lower
    /// figure, for a lower bound a higher one; at the same figure, a strict bound against an
    /// inclusive one). A stricter or equal threshold is not looser.
    public static func isLooser(_ p: Parameter, than q: Parameter) -> Bool {
        let d = p.comparator.direction
        guard d != 0, d == q.comparator.direction, p.isComparable(with: q) else { return false }
        if abs(p.baseValue - q.baseValue) <= 1e-12 * max(1, abs(q.baseValue)) {
            return p.comparator.isStrict && !q.comparator.isStrict
        }
        return d < 0 ? p.baseValue < q.baseValue : p.baseValue > q.baseValue
    }

    /// A list's active entries indexed for overlap look-ups: each entry's code and the codes
    /// it correlates with, filed under their identity keys and under their ancestors'.
    struct ListIndex {
        struct Hit: Hashable {
            /// Index into ``entries``.
            var entry: Int
            /// `proposal-scheme:code ~ list-scheme:code`, with `via …` for a correlated side.
            var label: String
            /// How far the entry is from the measure's code: 0 the same item, then its nearest
            /// ancestors, then its nearest descendants (the entry a finding cites first).
            var distance: Int
        }

        struct Filed {
            var entry: Int
            var code: ItemCode
            var how: String
        }

        var entries: [ControlEntry]
        /// Identity key of a filed code → the codes filed under it.
        var exact: [String: [Filed]] = [:]
        /// Identity key of every strict ancestor of a filed code → the codes filed below it.
        var below: [String: [Filed]] = [:]

        init(_ list: ControlList, correlations: CorrelationTable) {
            entries = list.entries.filter { $0.status == .active }
            for (i, e) in entries.enumerated() {
                var seen = Set<String>()
                var filed = [Filed(entry: i, code: e.code, how: "")]
                filed += correlations.related(e.code).map { Filed(entry: i, code: $0.code, how: $0.kind.rawValue) }
                for f in filed where seen.insert(f.code.identityKey).inserted {
                    exact[f.code.identityKey, default: []].append(f)
                    var p = f.code.parent
                    while let a = p {
                        below[a.identityKey, default: []].append(f)
                        p = a.parent
                    }
                }
            }
        }

        /// The entries a measure's expanded codes overlap: at, above or below one of them.
        func overlaps(_ mine: [Expansion]) -> [Hit] {
            var out = Set<Hit>()
            for x in mine {
                var found = below[x.code.identityKey] ?? []
                for a in x.code.selfAndAncestors { found += exact[a.identityKey] ?? [] }
                for f in found {
                    let c = entries[f.entry].code
                    let distance = f.code.depth <= x.code.depth ? x.code.depth - f.code.depth : 100 + f.code.depth
                    var label = "\(x.mine.scheme.rawValue):\(x.mine.text) ~ \(c.scheme.rawValue):\(c.text)"
                    if !x.how.isEmpty { label += " via \(x.how) \(x.code.scheme.rawValue):\(x.code.text)" }
                    if !f.how.isEmpty { label += " via \(f.how) \(f.code.scheme.rawValue):\(f.code.text)" }
                    out.insert(Hit(entry: f.entry, label: label, distance: distance))
                }
            }
            return out.sorted { $0.entry != $1.entry ? $0.entry < $1.entry : $0.label < $1.label }
        }
    }
}

extension Parameter.Comparator {
    /// Whether the bound leaves out its own figure (`<`, `>`).
    var isStrict: Bool { self == .lessThan || self == .greaterThan }
}
