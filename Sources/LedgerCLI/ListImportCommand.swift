import ArgumentParser
import ControlCodes
import ControlLists
import LedgerCore

extension LedgerCommand.ControlListGroup {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Import a control list (our JSON, CSV or code-prefixed text, or the EU Annex I dataset) and report it.",
            discussion:
                "Nothing is written unless the whole file imports; errors name file:line. Exit 2 on malformed input.")

        @Argument(help: "The list file.", completion: .file()) var file: String
        @Option(
            help: "json, csv, text or eu-annex (default: detected).",
            completion: .list(ControlListImporter.Format.allCases.map(\.rawValue)))
        var format: String?
        @Option(
            help: "Write the list in our format: CSV when the name ends in .csv, JSON otherwise.",
            completion: .file())
        var out: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try ControlListCLI.run {
                let list = try ControlListImporter.importFile(file, format: try ControlListCLI.format(format))
                var written: String?
                if let path = self.out {
                    let text =
                        path.lowercased().hasSuffix(".csv") ? ControlListCSV.encode(list) : ControlListJSON.encode(list)
                    try LedgerFiles.writeAtomically(Array(text.utf8), to: path)
                    written = ControlList.sha256Hex(Array(text.utf8))
                }
                let params = list.entries.flatMap(\.parameters)
                let summary: [String: JSONValue] = [
                    "jurisdiction": .string(list.jurisdiction), "scheme": .string(list.scheme.rawValue),
                    "instrument": .string(list.instrument), "citation": .string(list.citation),
                    "versionDate": .string(list.versionDate),
                    "sha256": .string(list.sourceSHA256), "datasetSHA256": .string(list.datasetSHA256),
                    "entries": .integer(Int64(list.entries.count)),
                    "stems": .integer(Int64(list.stems.count)),
                    "notUsed": .integer(Int64(list.entries.filter { $0.status == .notUsed }.count)),
                    "reserved": .integer(Int64(list.entries.filter { $0.status == .reserved }.count)),
                    "notes": .integer(Int64(list.entries.reduce(0) { $0 + $1.notes.count })),
                    "parameters": .integer(Int64(params.count)),
                    "unparsedParameters": .integer(Int64(params.filter { !$0.isParsed }.count)),
                ]
                if output.json {
                    var o = summary
                    if let p = self.out, let written {
                        o["written"] = .string(p)
                        o["writtenSHA256"] = .string(written)
                    }
                    printJSON(.object(o))
                    return
                }
                LedgerCLI.out("\(list.title)")
                LedgerCLI.out("  citation:   \(list.citation)")
                LedgerCLI.out("  file sha256:    \(list.sourceSHA256)  (the file read)")
                LedgerCLI.out("  dataset sha256: \(list.datasetSHA256)  (the official dataset the entries came from)")
                LedgerCLI.out(
                    "  entries:    \(list.entries.count) (\(list.stems.count) stems, "
                        + "\(summary["notUsed"]!.integerValue!) not used, \(summary["reserved"]!.integerValue!) "
                        + "reserved)"
                )
                LedgerCLI.out("  notes:      \(summary["notes"]!.integerValue!)")
                LedgerCLI.out(
                    "  parameters: \(params.count) extracted, \(summary["unparsedParameters"]!.integerValue!) marked "
                        + "unparsed"
                )
                if let a = list.attribution { LedgerCLI.out("  source:     \(a)") }
                if let p = self.out, let written {
                    LedgerCLI.out("  written:    \(p), sha256 \(written)  (what diff and publish will name it by)")
                }
            }
        }
    }
}
