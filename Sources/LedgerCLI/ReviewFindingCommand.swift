import ArgumentParser
import ControlLists
import LedgerCore

extension LedgerCommand {
    struct ReviewFinding: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review-finding",
            abstract: "Record a review of a conflict finding (a finding.review entry).")

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Argument(help: "The finding id (f-...), as `ledger conflicts` prints it.") var finding: String
        @Option(
            help: "reviewed, accepted or dismissed.",
            completion: .list(Finding.Review.Status.allCases.map(\.rawValue)))
        var status: String = "reviewed"
        @Option(help: "A note to record with the review.") var note: String?
        @Option(help: "The reviewer's private key file (any registered signer).", completion: .file()) var key: String
        @Option(
            parsing: .upToNextOption,
            help: "The national lists a finding against a list was found with (as for conflicts).",
            completion: .file())
        var lists: [String] = []
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func validate() throws {
            guard Finding.Review.Status(rawValue: status) != nil else {
                throw ValidationError("--status must be reviewed, accepted or dismissed")
            }
            guard finding.hasPrefix("f-") else { throw ValidationError("a finding id starts with f-") }
        }

        func run() throws {
            try ControlListCLI.run {
                try NameLookup.finding(
                    finding, dir: dir, lists: try lists.map { try ControlListImporter.importFile($0) })
                var body: [String: JSONValue] = ["finding": .string(finding), "status": .string(status)]
                if let note { body["note"] = .string(note) }
                let a = try ConsensusCLI.append(
                    dir, kind: "finding.review", body: .object(body), keyFile: key, remote: remote)
                ConsensusCLI.printAppended(a, json: output.json, summary: "finding \(finding) marked \(status)")
            }
        }
    }
}
