import ArgumentParser
import Consensus
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct DevVectors: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dev-vectors", abstract: "Regenerate the test vectors in specs/vectors (maintainers).", shouldDisplay: false)
        @Option(help: "Output directory.") var out = "specs/vectors"

        func run() throws {
            try LedgerCLI.run {
                try LedgerFiles.makeDirectory(self.out)
                try LedgerFiles.makeDirectory(self.out + "/ledgers")
                for (name, content) in TestVectors.files() + ConsensusVectors.files() {
                    try LedgerFiles.writeAtomically(Array(content.utf8), to: self.out + "/" + name)
                    LedgerCLI.out("wrote \(self.out)/\(name)")
                }
            }
        }
    }
}
