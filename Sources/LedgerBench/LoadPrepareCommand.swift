import ArgumentParser
import Foundation
import LedgerCore

extension LedgerBenchCommand {
    /// `ledger-bench load-prepare`: the ledger and the pre-signed requests of the HTTP load test
    /// (scripts/load.sh). The ledger holds the benchmark forum (100 delegations) and
    /// `--proposals` proposals, with a signed checkpoint; the bodies file holds one signed
    /// position a line, each a valid `POST /api/v1/entries` body, all independent of one
    /// another (one party's position on one proposal each), signed with the current time so
    /// that the server's clock accepts them for the next ten minutes.
    struct LoadPrepare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load-prepare", abstract: "Build the ledger and request bodies of the HTTP load test.")

        @Option(help: "The ledger directory to create (must not exist).") var dir: String
        @Option(name: .customLong("operator-key"), help: "Where to write the operator's private key (0600).")
        var operatorKey: String
        @Option(help: "The file of request bodies to write, one signed statement a line.") var bodies: String
        @Option(help: "Statements in the bodies file (at most 100 per proposal).") var statements = 100_000
        @Option(name: .customLong("per-proposal"), help: "Positions per proposal, 1 to 100.") var perProposal = 100

        func validate() throws {
            guard (1...100).contains(perProposal) else { throw ValidationError("--per-proposal must be 1 to 100") }
            guard (1...10_000_000).contains(statements) else {
                throw ValidationError("--statements must be 1 to 10,000,000")
            }
        }

        func run() throws {
            try LedgerBenchCommand.reportingErrors {
                let progress = BenchProgress()
                var forum = try BenchForum(dir: dir, clock: { Timestamp.now() })
                try LedgerFiles.writePrivateKey(forum.op, to: operatorKey)
                let proposals = (statements + perProposal - 1) / perProposal
                progress.phase("load-prepare: tabling \(proposals) proposals")
                try forum.table(proposals, time: Timestamp.now())
                _ = try forum.ledger.signCheckpoint(key: forum.op)
                progress.phase("load-prepare: signing \(statements) positions")
                let now = Timestamp.now()
                let f = forum
                let per = perProposal
                let signed = try signInParallel(statements) { g throws(LedgerError) in
                    try f.position(g, perProposal: per, replacing: false, time: now)
                }
                var text = [UInt8]()
                text.reserveCapacity(statements * 700)
                for s in signed {
                    text += Array(s.json.canonicalString.utf8)
                    text.append(0x0A)
                }
                guard FileManager.default.createFile(atPath: bodies, contents: Data(text)) else {
                    throw LedgerError.io("\(bodies): cannot write the bodies file")
                }
                progress.closeLine()
                BenchOutput.stdout(
                    "ledger \(dir): \(forum.ledger.size) entries, checkpoint signed; "
                        + "\(statements) bodies in \(bodies) (\(text.count) bytes)\n")
            }
        }
    }
}
