import ArgumentParser
import LedgerCore
import LedgerTestSupport

extension LedgerBenchCommand {
    /// `ledger-bench dev-vectors`: regenerates `specs/vectors/` from the fixed TEST seeds.
    struct DevVectors: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dev-vectors", abstract: "Regenerate the test vectors in specs/vectors (maintainers).")
        @Option(help: "Output directory.") var out = "specs/vectors"

        func run() throws {
            try LedgerBenchCommand.reportingErrors {
                try LedgerFiles.makeDirectory(self.out)
                try LedgerFiles.makeDirectory(self.out + "/ledgers")
                for (name, content) in TestVectors.files() + ConsensusVectors.files() {
                    try LedgerFiles.writeAtomically(Array(content.utf8), to: self.out + "/" + name)
                    BenchOutput.stdout("wrote \(self.out)/\(name)\n")
                }
            }
        }
    }
}
