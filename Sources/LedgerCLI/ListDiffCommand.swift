import ArgumentParser
import Consensus
import ControlLists
import LedgerCore

extension LedgerCommand.ControlListGroup {
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Diff two versions of one list, or two jurisdictions' lists through the correlation tables.",
            discussion: """
                Lists of the same jurisdiction are compared as versions (added, removed, moved, word diffs, \
                thresholds old -> new); \
                lists of different jurisdictions as A only / B only / both at different thresholds / both alike. \
                With --ledger, each side names the list.publish entry that holds its hash.
                """)

        @Argument(help: "List A (the old version, or the first jurisdiction).", completion: .file()) var a: String
        @Argument(help: "List B (the new version, or the second jurisdiction).", completion: .file()) var b: String
        @Option(help: "table, json, markdown or csv.", completion: .list(DiffFormat.allCases.map(\.rawValue)))
        var format: String?
        @Flag(name: .long, help: "Print machine-readable JSON (the same as --format json).") var json = false
        @Option(
            help: "versions or jurisdictions (default: by the lists' jurisdictions).",
            completion: .list(["versions", "jurisdictions"]))
        var mode: String?
        @Option(help: "A ledger directory whose list.publish entries anchor the two versions.", completion: .directory)
        var ledger: String?
        @Option(help: "An extra correlation file (repeatable).", completion: .file()) var correlations: [String] = []
        @OptionGroup var logKey: LogKeyOptions

        func validate() throws {
            try logKey.requireLedger(ledger)
            if let format {
                guard DiffFormat(rawValue: format) != nil else {
                    throw ValidationError("--format must be table, json, markdown or csv")
                }
                if json, format != "json" {
                    throw ValidationError("--json and --format \(format) disagree: choose one")
                }
            }
            if let mode, mode != "versions" && mode != "jurisdictions" {
                throw ValidationError("--mode must be versions or jurisdictions")
            }
        }

        func run() throws {
            try ControlListCLI.run {
                let la = try ControlListImporter.importFile(a)
                let lb = try ControlListImporter.importFile(b)
                let state = try ledger.map { try ConsensusCLI.open($0).currentState() }
                let ia = ControlListCLI.publishedIndex(state, sha256Hex: la.sourceSHA256)
                let ib = ControlListCLI.publishedIndex(state, sha256Hex: lb.sourceSHA256)
                let f = DiffFormat(rawValue: format ?? (json ? "json" : "table"))!
                let versions = mode.map { $0 == "versions" } ?? (la.jurisdiction == lb.jurisdiction)
                let text: String
                if versions {
                    text = ListDiff(old: la, new: lb, oldLedgerIndex: ia, newLedgerIndex: ib).render(f)
                } else {
                    let t = try ControlListCLI.correlations(extra: correlations)
                    text = JurisdictionDiff(a: la, b: lb, correlations: t, aLedgerIndex: ia, bLedgerIndex: ib).render(f)
                }
                // Text for people has list-file content defused; JSON and CSV carry it as data.
                LedgerCLI.out(f == .table || f == .markdown ? terminalText(text) : text, terminator: "")
            }
        }
    }
}
