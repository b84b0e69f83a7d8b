import Consensus
import ControlCodes
import ControlLists
import LedgerCore
import LedgerCrypto
import LedgerReports
import LedgerServer

/// One page of the dashboard: the template that renders its main element, the values it
/// shows, and its title and status.
struct DashboardPage {
    var title: String
    var template: String
    /// The template's values. Every string in it is text (``DashboardPages/text(_:)``), which
    /// the template escapes with `{{…}}`; only keys ending in `Html` hold markup, made by
    /// code that escapes every value it quotes (``HTML/escape(_:)``), and go in `{{{…}}}`.
    var values: [String: Any]
    var status: Int = 200
}

/// The values of each page, from the consensus state that the published checkpoint covers.
///
/// Ledger text is hostile: titles, reasons and names come from signed statements that anyone
/// with a registered key writes. Every string taken from the ledger passes through
/// ``text(_:)`` (control characters and bidirectional overrides become U+FFFD, as on the
/// terminal) and is HTML-escaped by the template.
struct DashboardPages<Store: LedgerStore> {
    let view: DomainView<Store>
    let snapshot: DomainView<Store>.Snapshot
    /// The instant the pages speak of: the log clock, never before the last entry.
    let now: Timestamp

    var state: NegotiationRules { snapshot.state }

    /// `s` with control characters and bidirectional overrides defused (U+FFFD).
    static func text(_ s: String) -> String { TextWidth.printable(s) }
    func text(_ s: String) -> String { Self.text(s) }

    /// ``text(_:)`` on each line of `s`, keeping the line breaks (a note, a statement).
    func lines(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { text(String($0)) }.joined(separator: "\n")
    }

    // MARK: shared pieces

    /// What the pages rest on: the published checkpoint, and the instant.
    var basis: [String: Any] {
        [
            "size": snapshot.size, "now": now.rfc3339,
            "origin": text(view.log.view.checkpoint?.checkpoint.origin ?? ""),
            "hasCheckpoint": view.log.view.checkpoint != nil,
        ]
    }

    /// The time of entry `index` (the published prefix).
    func time(ofEntry index: UInt64) throws(LedgerError) -> Timestamp {
        try publishedEntry(Int64(index)).time
    }

    /// Since when the proposal is in its state: the entry that set it, or its deadline when the
    /// clock (not an entry) settled it.
    func inStateSince(_ st: ProposalStatus) throws(LedgerError) -> Timestamp {
        st.state != st.proposal.lifecycle.state
            ? st.proposal.current.deadline : try time(ofEntry: st.proposal.stateEntryIndex)
    }

    /// "3 days", "1 day", "less than a day".
    static func duration(_ seconds: Int64) -> String {
        let days = seconds / 86_400
        if days >= 1 { return ReportWords.count(Int(days), "day") }
        let hours = seconds / 3_600
        return hours >= 1 ? ReportWords.count(Int(hours), "hour") : "less than an hour"
    }

    /// The deadline countdown of a live proposal, or nil.
    func countdown(_ st: ProposalStatus) -> String? {
        guard !st.state.isFinal else { return nil }
        let left = st.proposal.current.deadline.secondsSinceEpoch - now.secondsSinceEpoch
        let day = st.proposal.current.deadline.rfc3339.prefix(10)
        return left > 0 ? "deadline in \(Self.duration(left)) (\(day))" : "deadline passed (\(day))"
    }

    /// One cell of a ballot grid: the party, its stance's abbreviation and class, a tooltip.
    func cell(_ row: (party: String, position: Proposal.Position?)) -> [String: Any] {
        let s = row.position?.stance
        var tip = "\(row.party): \(s?.rawValue ?? "not spoken")"
        if let r = row.position?.reason, !r.isEmpty { tip += " — \(r)" }
        if let p = row.position { tip += " (entry \(p.entryIndex))" }
        return [
            "party": text(row.party), "abbreviation": ReportWords.abbreviation(s), "style": ReportWords.style(s),
            "stance": s?.rawValue ?? "not-spoken", "tip": text(tip),
        ]
    }

    /// A proposal's row on a board or the overview.
    func proposalRow(_ st: ProposalStatus) throws(LedgerError) -> [String: Any] {
        let p = st.proposal
        let since = try inStateSince(st)
        var row: [String: Any] = [
            "id": text(p.id), "forum": text(p.forum), "title": text(p.measure.title), "party": text(p.party),
            "revision": p.current.number, "state": st.state.rawValue, "stateLabel": text(ReportWords.stateLabel(st)),
            "stateClass": ReportWords.stateClass(st) ?? "",
            "daysInState": Self.duration(max(0, now.secondsSinceEpoch - since.secondsSinceEpoch)),
            "since": since.rfc3339.prefix(10).description,
            "cells": ReportWords.blockingFirst(st).map(cell),
            "participation": "\(st.ballot.count - st.notSpoken.count) of \(st.ballot.count)",
        ]
        if let c = countdown(st) { row["countdown"] = c }
        return row
    }

    /// Blocking first: blocked proposals, then live ones with an objection or a reserve, then
    /// the rest, each group in the order tabled.
    static func blockingFirst(_ statuses: [ProposalStatus]) -> [ProposalStatus] {
        func rank(_ st: ProposalStatus) -> Int {
            if st.state == .blocked { return 0 }
            if !st.state.isFinal, st.counts[.object] + st.counts[.reserve] > 0 { return 1 }
            return st.state.isFinal ? 3 : 2
        }
        return statuses.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }
            .map(\.element)
    }

    // MARK: pages

    /// `/`: the forums, proposal counts by state, the transparency summary, the charts.
    func overview(chartsHtml: String) -> DashboardPage {
        let all = state.statuses(at: now)
        let forums: [[String: Any]] = state.forumOrder.map { id in
            let mine = all.filter { $0.proposal.forum == id }
            var counts: [[String: Any]] = []
            for s in DashboardCharts.states {
                counts.append(["state": s.rawValue, "count": mine.filter { $0.state == s }.count])
            }
            return [
                "id": text(id), "name": text(state.forums[id]?.name ?? id),
                "parties": state.forums[id]?.parties.count ?? 0, "proposals": mine.count, "counts": counts,
            ]
        }
        var values = basis
        values["forums"] = forums
        values["forumCount"] = forums.count
        values["states"] = DashboardCharts.states.map(\.rawValue)
        values["proposalCount"] = all.count
        values["transparency"] = transparencySummary
        values["chartsHtml"] = chartsHtml
        return DashboardPage(title: "Overview", template: "overview", values: values)
    }

    var transparencySummary: [String: Any] {
        let v = view.log.view
        return [
            "size": v.size, "root": v.checkpoint?.checkpoint.root.base64 ?? "",
            "cosignatures": max(0, (v.checkpoint?.note.signatures.count ?? 1) - 1),
        ]
    }

    /// `/forums/{forum}`: the board.
    func board(forum id: String) throws(LedgerError) -> DashboardPage {
        let statuses = Self.blockingFirst(state.statuses(forum: id, at: now))
        var rows = [[String: Any]]()
        for st in statuses { rows.append(try proposalRow(st)) }
        var values = basis
        values["forum"] = text(id)
        values["name"] = text(state.forums[id]?.name ?? id)
        values["partyCount"] = state.forums[id]?.parties.count ?? 0
        values["proposalCount"] = rows.count
        values["proposals"] = rows
        values["legend"] = ReportWords.legend.map {
            ["abbreviation": $0.abbreviation, "style": ReportWords.style($0.stance), "meaning": $0.meaning]
        }
        return DashboardPage(title: "Board — \(text(id))", template: "board", values: values)
    }

    /// `/proposals/{id}`: positions by stance, "(was X)", the timeline, participation.
    func proposal(_ p: Proposal) throws(LedgerError) -> DashboardPage {
        let st = state.status(of: p.id, at: now)!
        var events = [ProposalEvent]()
        for i in p.entryIndices { events.append(state.historyEvent(of: p, entry: try publishedEntry(Int64(i)))) }
        let revisionNumber = { (entry: Int64?) -> Int? in
            entry.flatMap { e in p.revisions.first { Int64($0.entryIndex) == e }?.number }
        }
        // Each party's earlier stances, in log order, for "(was X)".
        var earlier = [String: [(stance: String, revision: Int?, entry: UInt64)]]()
        for e in events where e.kind == "position" {
            let party = e.body["party"]?.stringValue ?? e.party
            earlier[party, default: []].append(
                (e.body["stance"]?.stringValue ?? "?", revisionNumber(e.body["revision"]?.integerValue), e.index))
        }
        var groups = [[String: Any]]()
        for stance in Stance.allCases {
            let rows = st.ballot.filter { $0.position?.stance == stance }
            guard !rows.isEmpty else { continue }
            let members: [[String: Any]] = rows.map { row in
                let pos = row.position!
                let before = (earlier[row.party] ?? []).filter { $0.entry < pos.entryIndex }
                let was = before.last.flatMap { $0.stance != stance.rawValue ? $0 : nil }
                var m: [String: Any] = [
                    "party": text(row.party), "entry": pos.entryIndex, "time": pos.time.rfc3339,
                    "revision": p.current.number,
                ]
                if let r = pos.reason, !r.isEmpty { m["reason"] = text(r) }
                if let was {
                    m["was"] = text(was.stance) + (was.revision.map { " on revision \($0)" } ?? "")
                    m["wasEntry"] = was.entry
                }
                return m
            }
            groups.append([
                "stance": stance.rawValue, "abbreviation": ReportWords.abbreviation(stance),
                "style": ReportWords.style(stance), "count": rows.count, "members": members,
            ])
        }
        let timeline: [[String: Any]] = events.map { e in
            [
                "index": e.index, "time": e.time.rfc3339, "kind": text(e.kind), "party": text(e.party),
                "summary": text(e.summary), "style": e.stance.map(ReportWords.style) ?? "",
                "leafHash": e.leafHash.base64,
            ]
        }
        var values = basis
        values["proposal"] = try proposalRow(st)
        values["details"] = StatusReport.details(st).map { ["label": text($0.0), "value": text($0.1)] }
        values["groups"] = groups
        values["notSpoken"] = st.notSpoken.map(text)
        values["notSpokenCount"] = st.notSpoken.count
        values["spoken"] = st.ballot.count - st.notSpoken.count
        values["parties"] = st.ballot.count
        values["timeline"] = timeline
        return DashboardPage(title: text(p.id), template: "proposal", values: values)
    }

    /// `/objections`: the objections and reserves that hold live proposals, in every forum.
    func objections() -> DashboardPage {
        var rows = [[String: Any]]()
        for st in Self.blockingFirst(state.statuses(at: now)) where !st.state.isFinal {
            for row in ReportWords.blockingFirst(st) {
                guard let pos = row.position, pos.stance == .object || pos.stance == .reserve else { continue }
                rows.append([
                    "forum": text(st.proposal.forum), "id": text(st.proposal.id),
                    "title": text(st.proposal.measure.title),
                    "party": text(row.party), "stance": pos.stance.rawValue, "style": ReportWords.style(pos.stance),
                    "abbreviation": ReportWords.abbreviation(pos.stance), "reason": text(pos.reason ?? ""),
                    "entry": pos.entryIndex, "time": pos.time.rfc3339, "stateLabel": text(ReportWords.stateLabel(st)),
                ])
            }
        }
        var values = basis
        values["rows"] = rows
        values["hasRows"] = !rows.isEmpty
        values["count"] = rows.count
        return DashboardPage(title: "Open objections", template: "objections", values: values)
    }

    /// `/conflicts`: what `ledger conflicts` reports (the shipped correlation tables).
    func conflicts() throws(ControlListError) -> DashboardPage {
        let found = try ConflictDetector.curatedFindings(in: state, at: now, forum: nil)
        let report = FindingsReport(
            context: ReportContext(source: "", asOf: now, command: "ledger conflicts"), forum: nil, findings: found)
        var values = basis
        values["count"] = found.count
        values["high"] = found.filter { $0.severity == .high }.count
        values["tableHtml"] = found.isEmpty ? "" : report.table.html(caption: "Findings", className: "findings")
        return DashboardPage(title: "Conflicts", template: "conflicts", values: values)
    }

    /// `/lists`: the lists published in the ledger, and the shipped lists compared as
    /// `ledger list compare` compares them.
    func lists() throws(ControlListError) -> DashboardPage {
        let published: [[String: Any]] = state.publishedLists.map { l in
            [
                "jurisdiction": text(l.jurisdiction), "instrument": text(l.instrument),
                "versionDate": text(l.versionDate),
                "sha256": l.sha256.hex, "entries": l.entries, "entry": l.entryIndex, "time": l.time.rfc3339,
            ]
        }
        let shipped = try CuratedData.ListName.allCases.map { name throws(ControlListError) in
            try CuratedData.list(name)
        }
        let comparison = ListComparison(
            shipped, correlations: try CuratedData.correlations(),
            ledgerIndexes: shipped.map { ConflictDetector.publishedIndex(state, sha256Hex: $0.sourceSHA256) })
        let report = ListComparisonReport(comparison, all: false, command: "ledger list compare")
        var values = basis
        values["published"] = published
        values["hasPublished"] = !published.isEmpty
        values["compared"] = shipped.map { text("\($0.jurisdiction): \($0.title)") }
        values["summary"] = text(report.summary)
        values["tableHtml"] = report.table.html(caption: "Item groups compared", className: "comparison")
        return DashboardPage(title: "Control lists", template: "lists", values: values)
    }

    /// `/transparency`: the checkpoint, every signature line with its age, and a link to the entries.
    func transparency() -> DashboardPage {
        let v = view.log.view
        var values = basis
        values["transparency"] = transparencySummary
        values["checkpoint"] = lines(v.checkpointText)
        guard let signed = v.checkpoint else {
            return DashboardPage(title: "Transparency", template: "transparency", values: values)
        }
        let keys = Array(state.authority.keys.keys)
        let nowSeconds = UInt64(max(0, now.secondsSinceEpoch))
        var lines = [[String: Any]]()
        for (i, s) in signed.note.signatures.enumerated() {
            var line: [String: Any] = [
                "line": i + 1, "name": text(s.name), "keyID": String(s.keyID, radix: 16).leftPadded(to: 8),
            ]
            if s.name == view.log.logKey.name, s.keyID == view.log.logKey.keyID {
                line["role"] = "log signature (checked when the checkpoint was published)"
                line["verified"] = true
            } else if let key = keys.first(where: { $0.asCosigner.name == s.name && $0.asCosigner.keyID == s.keyID }),
                let time = try? signed.note.verify(s, by: key.asCosigner)
            {
                let who = state.authority.record(for: key)
                let party = who?.attributes["party"].map { " \($0)" } ?? ""
                let forum = who?.attributes["forum"].map { " in \($0)" } ?? ""
                line["role"] = text("cosignature by a key registered as \(who?.role ?? "?")\(party)\(forum)")
                line["verified"] = true
                line["time"] = CosignaturePolicy.timeText(time)
                line["age"] =
                    time <= nowSeconds ? Self.duration(Int64(nowSeconds - time)) + " ago" : "in the future"
            } else {
                line["role"] = "signature by a key the ledger does not register: not checked"
                line["verified"] = false
            }
            lines.append(line)
        }
        values["signatures"] = lines
        values["hasSignatures"] = !lines.isEmpty
        return DashboardPage(title: "Transparency", template: "transparency", values: values)
    }

    /// Entries shown on one page of the entry browser.
    static var pageSize: Int64 { 50 }

    /// An entry of the published prefix, checked against the published tree's leaf hash.
    func publishedEntry(_ index: Int64) throws(LedgerError) -> Entry {
        try view.publishedEntry(index, in: snapshot)
    }

    func entryRow(_ e: Entry) -> [String: Any] {
        [
            "index": e.index, "time": e.time.rfc3339, "kind": text(e.statement.kind),
            "signer": text(e.statement.signer.name), "leafHash": e.leafHash.base64,
        ]
    }

    /// `/entries?from=N`: a page of the published entries.
    func entries(from: Int64) throws(LedgerError) -> DashboardPage {
        let end = min(snapshot.size, from + Self.pageSize)
        var rows = [[String: Any]]()
        if from < end { for i in from..<end { rows.append(entryRow(try publishedEntry(i))) } }
        var values = basis
        values["entries"] = rows
        values["hasEntries"] = !rows.isEmpty
        values["from"] = from
        values["to"] = max(from, end - 1)
        if from > 0 { values["previous"] = max(0, from - Self.pageSize) }
        if end < snapshot.size { values["next"] = end }
        return DashboardPage(title: "Entries", template: "entries", values: values)
    }

    /// `/entries/{index}`: one entry, its leaf hash and a link to its proof.
    func entry(_ index: Int64) throws(LedgerError) -> DashboardPage {
        let e = try publishedEntry(index)
        var values = basis
        values["entry"] = entryRow(e)
        values["statement"] = text(e.signed.statement.body.canonicalString)
        let id = e.statement.body["id"]?.stringValue ?? e.statement.body["proposal"]?.stringValue
        if let id, state.proposal(id) != nil { values["proposal"] = text(id) }
        return DashboardPage(title: "Entry \(index)", template: "entry", values: values)
    }

    /// The 404 page: what was not found, and the nearest known name.
    func notFound(_ what: String, name: String, among known: [String], prefix: String) -> DashboardPage {
        var values = basis
        values["message"] = text("No \(what) \"\(name)\" in the published ledger.")
        if let near = Suggestions.closest(to: name, among: known, maxDistance: Int.max) {
            values["nearest"] = text(near)
            values["nearestPath"] = prefix + Dashboard.pathComponent(near)
            values["what"] = what
        }
        return DashboardPage(title: "Not found", template: "notfound", values: values, status: 404)
    }
}

extension String {
    /// `self` with `0` in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
