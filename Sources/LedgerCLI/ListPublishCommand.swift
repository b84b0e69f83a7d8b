import ArgumentParser
import ControlLists
import LedgerCore
import LedgerCrypto

extension LedgerCommand.ControlListGroup {
    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append a list.publish entry with a list file's SHA-256, its dataset's SHA-256 and metadata.",
            discussion: """
                The file must import cleanly. Body: {jurisdiction, instrument, citation, versionDate, sha256 (base64, \
                this file), datasetSHA256 (base64, the official dataset it was imported from), entries}.
                """
        )

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Argument(help: "The list file.", completion: .file()) var file: String
        @Option(help: "The signer's private key file (any registered signer).", completion: .file()) var key: String
        @Option(
            help: "json, csv, text or eu-annex (default: detected).",
            completion: .list(ControlListImporter.Format.allCases.map(\.rawValue)))
        var format: String?
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func run() throws {
            try ControlListCLI.run {
                let bytes = try LedgerFiles.read(file)
                let list = try ControlListImporter.importList(
                    bytes: bytes, path: file, format: try ControlListCLI.format(format))
                let body: JSONValue = [
                    "jurisdiction": .string(list.jurisdiction), "instrument": .string(list.instrument),
                    "citation": .string(list.citation),
                    "versionDate": .string(list.versionDate), "sha256": .string(SHA256.hash(bytes).base64),
                    "datasetSHA256": .string(Hex.decode(list.datasetSHA256).map { Base64.encode($0) } ?? ""),
                    "entries": .integer(Int64(list.entries.count)),
                ]
                let a = try ConsensusCLI.append(dir, kind: "list.publish", body: body, keyFile: key, remote: remote)
                ConsensusCLI.printAppended(
                    a, json: output.json,
                    summary:
                        "list.publish \(list.jurisdiction) \(list.versionDate), \(list.entries.count) entries, "
                        + "file sha256 \(SHA256.hash(bytes).hex), dataset sha256 \(list.datasetSHA256)"
                )
            }
        }
    }
}
