import ArgumentParser
import Consensus
import ControlCodes
import ControlLists
import LedgerCore
import LedgerReports

extension LedgerCommand {
    struct Conflicts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find duplicate and conflicting measures across every forum of a ledger.",
            discussion: """
                Rules: duplicate, incompatible-measures, threshold-mismatch, exemption-conflict. Each finding \
                cites both proposals (forum, id, revision, ledger entry), the overlapping codes, the reason, \
                a severity and a stable id; mark it with `ledger review-finding`. Findings are not failures: \
                the exit status is 0. \
                With --lists, proposals are also checked against the national lists of their forums' \
                members: decontrol-of-controlled-item (a licence exception or trade facilitation for items \
                a member controls) and threshold-looser-than-member (a restriction that controls fewer \
                items than a member already does); side B cites the list (jurisdiction, instrument, \
                version date, codes, hashes, its list.publish entry). --min-severity filters every finding.
                """)

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Option(help: "Only findings that involve this forum.") var forum: String?
        @Option(
            parsing: .upToNextOption,
            help: "Members' national control lists (files `ledger list import` reads) to check proposals against.")
        var lists: [String] = []
        @Option(help: "Only findings of this severity or higher: low, medium or high.") var minSeverity: String?
        @OptionGroup var output: ReportOptions
        @OptionGroup var logKey: LogKeyOptions

        func run() throws {
            try ControlListCLI.run {
                let format = try output.resolved()
                let floor = try minimumSeverity()
                let memberLists = try lists.map { try ControlListImporter.importFile($0) }
                try Self.requireOneListPerJurisdiction(memberLists, paths: lists)
                let ledger = try ConsensusCLI.open(dir)
                let basis = try ledger.viewBasis()
                let state = try ledger.currentState()
                let forum = try NameLookup.forum(self.forum, in: state)
                var found = try ControlListCLI.findings(in: state, forum: forum)
                var listLines: [String] = []
                if !memberLists.isEmpty {
                    let detector = ConflictDetector(correlations: try CuratedData.correlations())
                    let against = detector.listFindings(
                        in: state, lists: memberLists, at: max(logClock()(), state.lastTime), forum: forum)
                    found = ConflictDetector.sorted(found + against)
                    listLines = memberLists.map { Self.describe($0, in: state) }
                }
                found = found.filter { $0.severity >= floor }
                switch format {
                case .json:
                    printJSON(.array(found.map(\.json)))
                    return
                case .markdown, .csv, .html:
                    let context = ReportContext(
                        source: dir, asOf: logClock()(), basis: basis.line, command: commandLineForReport())
                    let report = FindingsReport(context: context, forum: forum, findings: found, lists: listLines)
                    printReport(report.render(format, wide: output.wide))
                    return
                case .table:
                    LedgerCLI.out(basis.line)
                    for l in listLines { LedgerCLI.out("list: " + TextWidth.printable(l)) }
                }
                if found.isEmpty {
                    LedgerCLI.out("no findings")
                    return
                }
                // Titles, list text and reasons come from statements and lists: no control
                // character or bidirectional override reaches the terminal (specs/cli.md, Reports).
                func out(_ s: String) { LedgerCLI.out(TextWidth.printable(s)) }
                for f in found {
                    out(
                        "\(f.severity.rawValue.uppercased()) \(f.rule.rawValue)  "
                            + "\(f.id)\(f.review.map { "  [\($0.status.rawValue)]" } ?? "")"
                    )
                    out("  A: \(f.a.label)  \(f.a.kind.rawValue)  \(f.a.title)")
                    if let e = f.b.listEntry {
                        out("  B: \(e.label)  \(e.text)")
                    } else {
                        out("  B: \(f.b.label)  \(f.b.kind.rawValue)  \(f.b.title)")
                    }
                    out("  items: \(f.overlaps.joined(separator: "; "))")
                    if !f.destinations.isEmpty {
                        out("  destinations: \(f.destinations.joined(separator: ", "))")
                    }
                    out("  why: \(f.reason)")
                }
                let high = found.filter { $0.severity == .high }.count
                LedgerCLI.out("\(ReportWords.count(found.count, "finding")), \(high) high")
            }
        }

        /// The `--min-severity` floor; low (everything) when absent.
        func minimumSeverity() throws -> Finding.Severity {
            guard let minSeverity else { return .low }
            guard let s = Finding.Severity(rawValue: minSeverity) else {
                let allowed = Finding.Severity.allCases.map(\.rawValue).joined(separator: ", ")
                throw LedgerError.malformed("--min-severity: \"\(minSeverity)\" is not a severity (\(allowed))")
            }
            return s
        }

        /// Refuses two lists of one jurisdiction: which version applies would be a guess.
        static func requireOneListPerJurisdiction(_ lists: [ControlList], paths: [String]) throws {
            var seen: [String: String] = [:]
            for (l, path) in zip(lists, paths) {
                if let other = seen[l.jurisdiction] {
                    throw LedgerError.malformed(
                        "--lists: \(other) and \(path) are both \(l.jurisdiction) lists; "
                            + "give one version per jurisdiction")
                }
                seen[l.jurisdiction] = path
            }
        }

        /// One line on a list: what it is, its hashes, its anchor, and the forums it applies in.
        static func describe(_ l: ControlList, in state: NegotiationRules) -> String {
            let member = ConflictDetector.MemberList(
                l, publishedIndex: ConflictDetector.MemberList.publishedIndex(of: l, in: state))
            let forums = state.forumOrder.filter { id in
                state.forums[id].map { member.standing(in: $0) != nil } ?? false
            }
            let anchor = member.publishedIndex.map { "list.publish entry \($0)" } ?? "not published in this ledger"
            let applies =
                forums.isEmpty
                ? "applies in no forum (\(l.jurisdiction) is a party to none)"
                : "applies in \(forums.joined(separator: ", "))"
            return "\(l.title), file sha256 \(l.sourceSHA256), dataset sha256 \(l.datasetSHA256), \(anchor); \(applies)"
        }
    }
}
