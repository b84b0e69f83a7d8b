import Consensus
import ControlCodes
import LedgerCore
import LedgerCrypto

/// Words the consensus reports share: stance abbreviations, their order, state labels.
package enum ReportWords {
    /// The abbreviation of each stance in tables and grids.
    package static func abbreviation(_ s: Stance?) -> String {
        switch s {
        case .support: return "SUP"
        case .noObjection: return "NOB"
        case .object: return "OBJ"
        case .abstain: return "ABS"
        case .reserve: return "RES"
        case .recuse: return "REC"
        case nil: return "?"
        }
    }

    /// The CSS class (and the `stance` field) of a stance; `not-spoken` for none.
    package static func style(_ s: Stance?) -> String { s?.rawValue ?? "not-spoken" }

    /// The legend, in the order of the table's columns.
    package static let legend: [(abbreviation: String, stance: Stance?, meaning: String)] = [
        ("SUP", .support, "support"),
        ("NOB", .noObjection, "no objection (does not block; counts toward consensus)"),
        ("OBJ", .object, "object (blocks; a reason is required)"),
        ("ABS", .abstain, "abstain"),
        ("RES", .reserve, "reserve (scrutiny reserve: still pending; a reason is required)"),
        ("REC", .recuse, "recuse (takes no part)"),
        ("?", nil, "not yet spoken on the current revision"),
    ]

    /// One line: `SUP support · NOB no objection · …`.
    package static var legendLine: String {
        "legend: "
            + legend.map { "\($0.abbreviation) \($0.meaning.split(separator: " (").first ?? "")" }
            .joined(separator: " · ")
    }

    /// Blocking first: the order grids show a ballot in.
    package static func blockingRank(_ s: Stance?) -> Int {
        switch s {
        case .object: return 0
        case .reserve: return 1
        case nil: return 2
        case .abstain: return 3
        case .recuse: return 4
        case .noObjection: return 5
        case .support: return 6
        }
    }

    /// The ballot of `st` in the order grids show it: blocking positions first, then charter order.
    package static func blockingFirst(_ st: ProposalStatus) -> [(party: String, position: Proposal.Position?)] {
        st.ballot.enumerated().sorted {
            let (a, b) = (blockingRank($0.element.position?.stance), blockingRank($1.element.position?.stance))
            return a != b ? a < b : $0.offset < $1.offset
        }.map(\.element)
    }

    /// A short label for a state, with the deadline for live proposals.
    package static func stateLabel(_ st: ProposalStatus) -> String {
        switch st.state {
        case .blocked: return "BLOCKED by " + st.objectingParties.joined(separator: ",")
        case .open where st.proposal.procedure == .silence:
            return "open (silence until \(st.proposal.current.deadline.rfc3339.prefix(10)))"
        case .open: return "open (deadline \(st.proposal.current.deadline.rfc3339.prefix(10)))"
        case .adopted:
            return st.proposal.decisions.contains { $0.outcome == .adopted } ? "ADOPTED (recorded)" : "ADOPTED"
        default: return st.state.rawValue
        }
    }

    /// `1 proposal`, `2 proposals`.
    package static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? singular : plural ?? singular + "s")
    }

    /// The HTML grid of one ballot: a cell per party, blocking positions first.
    static func grid(_ st: ProposalStatus) -> String {
        var h = "<div class=\"grid\">"
        for row in blockingFirst(st) {
            let s = row.position?.stance
            var tip = "\(row.party): \(s?.rawValue ?? "not spoken")"
            if let r = row.position?.reason, !r.isEmpty { tip += " — \(r)" }
            if let p = row.position { tip += " (entry \(p.entryIndex))" }
            h += HTML.cell("\(row.party) \(abbreviation(s))", style: style(s), title: tip)
        }
        return h + "</div>"
    }

    static var legendHTML: String {
        "<div class=\"legend\">"
            + legend.map { HTML.cell($0.abbreviation, style: style($0.stance)) + HTML.escape($0.meaning) }
            .joined(separator: " &nbsp; ") + "</div>\n"
    }

    /// The CSS class that marks a state (blocked, adopted), if any.
    package static func stateClass(_ st: ProposalStatus) -> String? {
        switch st.state {
        case .blocked: return "state-blocked"
        case .adopted: return "state-adopted"
        default: return nil
        }
    }
}

/// What a view rests on, and the time it speaks of: the header every report carries.
package struct ReportContext: Sendable {
    /// The ledger directory or URL the report was made from.
    package var source: String
    /// The instant the view speaks of.
    package var asOf: Timestamp
    /// One line saying what the view rests on (the checked checkpoint), if known.
    package var basis: String?
    /// The command that made the report, for the footer.
    package var command: String

    package init(source: String, asOf: Timestamp, basis: String? = nil, command: String) {
        self.source = source
        self.asOf = asOf
        self.basis = basis
        self.command = command
    }

    var footer: String { "Made by `\(command)` from \(source). Minilateral Ledger." }
}

/// The `board` view: a row per proposal with its state and ballot counts.
package struct BoardReport: Sendable {
    package var context: ReportContext
    package var forum: String?
    package var statuses: [ProposalStatus]

    package init(context: ReportContext, forum: String?, statuses: [ProposalStatus]) {
        self.context = context
        self.forum = forum
        self.statuses = statuses
    }

    package var table: ReportTable {
        var t = ReportTable(columns: [
            .init("FORUM"), .init("PROPOSAL", maxWidth: 22), .init("BY"), .init("REV", .right),
            .init("STATE", maxWidth: 33),
            .init("SUP", .right), .init("NOB", .right), .init("OBJ", .right), .init("ABS", .right),
            .init("RES", .right), .init("REC", .right), .init("?", .right), .init("TITLE", maxWidth: 48),
        ])
        for st in statuses {
            let c = st.counts
            var row: [ReportTable.Cell] = [
                .init(st.proposal.forum), .init(st.proposal.id), .init(st.proposal.party),
                .init(String(st.proposal.current.number)),
                .init(ReportWords.stateLabel(st), style: ReportWords.stateClass(st)),
            ]
            for s in [Stance.support, .noObjection, .object, .abstain, .reserve, .recuse] {
                row.append(.init(String(c[s]), style: c[s] > 0 ? s.rawValue : nil))
            }
            row.append(.init(String(c.notSpoken)))
            row.append(.init(st.proposal.measure.title))
            t.rows.append(row)
        }
        return t
    }

    private var heading: String {
        "as of \(context.asOf)  (" + (forum.map { "forum \($0), " } ?? "")
            + ReportWords.count(statuses.count, "proposal") + ")"
    }

    /// - Parameter marking: how a terminal marks styled cells in `table` format (state, objections).
    package func render(_ format: ReportFormat, wide: Bool, marking: ReportTable.Marking? = nil) -> String {
        switch format {
        case .table, .json:
            var lines = [heading]
            if let b = context.basis { lines.append(b) }
            lines += table.text(wide: wide, marking: marking)
            lines.append(ReportWords.legendLine)
            return lines.joined(separator: "\n") + "\n"
        case .markdown:
            var lines = ["# Board" + (forum.map { " — \($0)" } ?? ""), "", heading]
            if let b = context.basis { lines += ["", "_\(ReportTable.markdownEscaped(b))_"] }
            lines += [""] + table.markdown() + ["", ReportWords.legendLine]
            return lines.joined(separator: "\n") + "\n"
        case .csv:
            return table.csv()
        case .html:
            var body = ReportWords.legendHTML
            body += "<table>\n<thead><tr><th>Forum</th><th>Proposal</th><th>By</th><th class=\"num\">Rev</th>"
            body += "<th>State</th><th>Positions (blocking first)</th><th>Title</th></tr></thead>\n<tbody>\n"
            for st in statuses {
                let p = st.proposal
                body += "<tr><td>\(HTML.escape(p.forum))</td><td>\(HTML.escape(p.id))</td>"
                body += "<td>\(HTML.escape(p.party))</td><td class=\"num\">\(p.current.number)</td>"
                body += "<td" + (ReportWords.stateClass(st).map { " class=\"\($0)\"" } ?? "") + ">"
                body += HTML.escape(ReportWords.stateLabel(st)) + "</td>"
                body += "<td>\(ReportWords.grid(st))</td><td>\(HTML.escape(p.measure.title))</td></tr>\n"
            }
            body += "</tbody>\n</table>\n"
            return HTML.page(
                title: "Board" + (forum.map { " — \($0)" } ?? ""), meta: [heading], basis: context.basis, body: body,
                footer: context.footer)
        }
    }
}

/// The `status` view: one proposal (or every proposal) in full.
package struct StatusReport: Sendable {
    package var context: ReportContext
    package var statuses: [ProposalStatus]

    package init(context: ReportContext, statuses: [ProposalStatus]) {
        self.context = context
        self.statuses = statuses
    }

    /// Label/value pairs describing a proposal (everything but the ballot).
    package static func details(_ st: ProposalStatus) -> [(String, String)] {
        let p = st.proposal
        let rev = p.current
        var d: [(String, String)] = [
            ("proposer", p.party), ("type", rev.measure.kind.rawValue), ("procedure", p.procedure.rawValue),
            ("rule", String(describing: st.rule)), ("state", ReportWords.stateLabel(st)),
            ("revision", "\(rev.number) of \(p.revisions.count), entry \(rev.entryIndex), tabled \(rev.time)"),
            ("deadline", rev.deadline.description),
        ]
        if !rev.measure.items.isEmpty {
            d.append(("items", rev.measure.items.map { "\($0.scheme.rawValue) \($0.text)" }.joined(separator: ", ")))
        }
        for param in rev.measure.parameters {
            d.append(("parameter", "\(param.term) \(param.comparator.rawValue) \(param.value) \(param.unit)"))
        }
        if !rev.measure.destinations.isEmpty { d.append(("to", rev.measure.destinations.joined(separator: " "))) }
        if let a = rev.measure.charterAmendment {
            d.append(
                ("amendment", "accede \(a.accede.joined(separator: " ")) withdraw \(a.withdraw.joined(separator: " "))")
            )
        }
        let spoken = st.ballot.count - st.notSpoken.count
        d.append(("participation", "\(spoken) of \(st.ballot.count) parties have spoken"))
        for dec in p.decisions {
            d.append(
                (
                    "decision",
                    "\(dec.outcome.rawValue) (revision \(dec.revisionNumber)) at entry \(dec.entryIndex), \(dec.time)"
                ))
        }
        if let s = p.supersedes { d.append(("supersedes", s)) }
        if let s = p.supersededBy { d.append(("superseded by", s)) }
        return d
    }

    /// The ballot, blocking positions first.
    static func ballot(_ st: ProposalStatus) -> ReportTable {
        var t = ReportTable(columns: [
            .init("PARTY"), .init("STANCE"), .init("ENTRY", .right), .init("REASON", maxWidth: 60),
        ])
        for row in ReportWords.blockingFirst(st) {
            let s = row.position?.stance
            t.rows.append([
                .init(row.party), .init(s?.rawValue ?? "not spoken", style: ReportWords.style(s)),
                .init(row.position.map { String($0.entryIndex) } ?? ""), .init(row.position?.reason ?? ""),
            ])
        }
        return t
    }

    /// CSV: a row per party per proposal, so that a spreadsheet can filter and pivot.
    var csvTable: ReportTable {
        var t = ReportTable(columns: [
            .init("forum"), .init("proposal"), .init("revision"), .init("state"), .init("party"), .init("stance"),
            .init("entry"), .init("reason"), .init("title"),
        ])
        for st in statuses {
            for row in st.ballot {
                t.rows.append([
                    .init(st.proposal.forum), .init(st.proposal.id), .init(String(st.proposal.current.number)),
                    .init(st.state.rawValue), .init(row.party), .init(row.position?.stance.rawValue ?? "not-spoken"),
                    .init(row.position.map { String($0.entryIndex) } ?? ""), .init(row.position?.reason ?? ""),
                    .init(st.proposal.measure.title),
                ])
            }
        }
        return t
    }

    package func render(_ format: ReportFormat, wide: Bool) -> String {
        switch format {
        case .table, .json:
            return ""  // the CLI prints its established text layout
        case .markdown:
            var lines = ["# Status", "", "as of \(context.asOf)"]
            if let b = context.basis { lines += ["", "_\(ReportTable.markdownEscaped(b))_"] }
            for st in statuses {
                let p = st.proposal
                lines += [
                    "",
                    "## \(ReportTable.markdownEscaped(p.id)) [\(ReportTable.markdownEscaped(p.forum))] — "
                        + ReportTable.markdownEscaped(p.measure.title), "",
                ]
                for (k, v) in Self.details(st) { lines.append("- **\(k)**: \(ReportTable.markdownEscaped(v))") }
                lines += [""] + Self.ballot(st).markdown()
            }
            lines += ["", ReportWords.legendLine]
            return lines.joined(separator: "\n") + "\n"
        case .csv:
            return csvTable.csv()
        case .html:
            var body = ReportWords.legendHTML
            for st in statuses {
                let p = st.proposal
                body +=
                    "<section>\n<h2>\(HTML.escape(p.id)) [\(HTML.escape(p.forum))] — "
                    + "\(HTML.escape(p.measure.title))</h2>\n"
                body +=
                    "<dl>"
                    + Self.details(st).map { "<dt>\(HTML.escape($0.0))</dt><dd>\(HTML.escape($0.1))</dd>" }
                    .joined() + "</dl>\n"
                body += ReportWords.grid(st) + "\n"
                body += Self.ballot(st).html(caption: "Positions on revision \(p.current.number), blocking first")
                body += "</section>\n"
            }
            let title = statuses.count == 1 ? "Status — \(statuses[0].proposal.id)" : "Status"
            return HTML.page(
                title: title, meta: ["as of \(context.asOf)", ReportWords.count(statuses.count, "proposal")],
                basis: context.basis, body: body, footer: context.footer)
        }
    }
}

/// The `history` view: every entry that touched a proposal, in log order.
package struct HistoryReport: Sendable {
    package var context: ReportContext
    package var proposal: Proposal
    package var events: [ProposalEvent]

    package init(context: ReportContext, proposal: Proposal, events: [ProposalEvent]) {
        self.context = context
        self.proposal = proposal
        self.events = events
    }

    package var table: ReportTable {
        var t = ReportTable(columns: [
            .init("ENTRY", .right), .init("TIME"), .init("BY"), .init("KIND"), .init("WHAT", maxWidth: 80),
            .init("LEAF HASH"),
        ])
        for e in events {
            t.rows.append([
                .init(String(e.index)), .init(e.time.rfc3339), .init(e.party), .init(e.kind),
                .init(e.summary, style: e.stance.map(ReportWords.style)), .init(e.leafHash.base64),
            ])
        }
        return t
    }

    package func render(_ format: ReportFormat, wide: Bool) -> String {
        let title = "History — \(proposal.id) [\(proposal.forum)]"
        switch format {
        case .table, .json:
            return ""  // the CLI prints its established text layout
        case .markdown:
            var lines = [
                "# \(ReportTable.markdownEscaped(title))", "", ReportTable.markdownEscaped(proposal.measure.title),
            ]
            if let b = context.basis { lines += ["", "_\(ReportTable.markdownEscaped(b))_"] }
            lines += [""] + table.markdown()
            return lines.joined(separator: "\n") + "\n"
        case .csv:
            return table.csv()
        case .html:
            var body = "<ol class=\"timeline\">\n"
            for e in events {
                body += "<li" + (e.stance.map { " class=\"ev-\(ReportWords.style($0))\"" } ?? "") + ">"
                body += "<div><strong>\(HTML.escape(e.party))</strong> — \(HTML.escape(e.summary))</div>"
                body +=
                    "<div class=\"entry\">entry \(e.index) · \(HTML.escape(e.time.rfc3339)) · \(HTML.escape(e.kind))"
                body += " · leaf \(HTML.escape(e.leafHash.base64))</div></li>\n"
            }
            body += "</ol>\n"
            return HTML.page(
                title: title, meta: [proposal.measure.title, ReportWords.count(events.count, "entry", "entries")],
                basis: context.basis, body: body, footer: context.footer)
        }
    }
}
