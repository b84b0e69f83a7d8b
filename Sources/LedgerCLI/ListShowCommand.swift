import ArgumentParser
import ControlCodes
import ControlLists
import LedgerCore

extension LedgerCommand.ControlListGroup {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a list's entries, or one entry with its parameters, notes and children.")

        @Argument(help: "The list file.", completion: .file()) var file: String
        @Argument(help: "An entry code (e.g. 3B001.f.1.a).") var code: String?
        @Option(
            help: "json, csv, text or eu-annex (default: detected).",
            completion: .list(ControlListImporter.Format.allCases.map(\.rawValue)))
        var format: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try ControlListCLI.run {
                let list = try ControlListImporter.importFile(file, format: try ControlListCLI.format(format))
                guard let code else {
                    if output.json {
                        printJSON(
                            .array(
                                list.stems.map {
                                    [
                                        "code": .string($0.code.text), "status": .string($0.status.rawValue),
                                        "heading": .string(list.stemHeading($0.code)),
                                    ]
                                }))
                        return
                    }
                    LedgerCLI.outText(list.title)
                    for s in list.stems {
                        let n = list.subtree(s.code).count - 1
                        LedgerCLI.outText(
                            "\((s.code.text + " ").padding(8))\(s.status == .active ? "" : "[\(s.status.rawValue)] ")"
                                + "\(list.stemHeading(s.code).prefix(100))\(n > 0 ? "  (\(n) paragraphs)" : "")"
                        )
                    }
                    return
                }
                let c = try ItemCode(normalizing: code, scheme: list.scheme)
                guard let e = list.entry(c) else { throw ControlListError.notFound("\(code) is not in \(file)") }
                let children = list.children(of: c)
                if output.json {
                    var o = ControlListJSON.entryJSON(e).objectValue!
                    if let p = e.parent { o["parent"] = .string(p.text) }
                    o["children"] = .array(children.map { .string($0.code.text) })
                    printJSON(.object(o))
                    return
                }
                LedgerCLI.outText(
                    "\(e.code.text)  [\(e.status.rawValue)]  \(list.jurisdiction) \(list.instrument) "
                        + "(\(list.versionDate))"
                )
                if let p = e.parent { LedgerCLI.outText("parent:  \(p.text)") }
                if !e.heading.isEmpty { LedgerCLI.outText("heading: \(e.heading)") }
                LedgerCLI.outText("text:    \(e.text)")
                for p in e.parameters {
                    LedgerCLI.outText(
                        "  param: \(p.description)\(p.isParsed ? "" : "   (unparsed: \(p.unparsedReason!))")")
                }
                for n in e.notes { LedgerCLI.outText("  \(n.kind.rawValue): \(n.text)") }
                if !e.seeAlso.isEmpty { LedgerCLI.outText("see also: \(e.seeAlso.joined(separator: ", "))") }
                LedgerCLI.outText("source:  \(e.source)")
                if !children.isEmpty {
                    LedgerCLI.outText("children: \(children.map(\.code.text).joined(separator: ", "))")
                }
            }
        }
    }
}
