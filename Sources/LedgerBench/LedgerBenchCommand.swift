import ArgumentParser
import ControlCodes
import ControlLists
import Foundation
import LedgerCore

/// `ledger-bench`: the maintainers' tooling, kept out of the `ledger` product (issue 10 §4):
/// the benchmarks of the core, the consensus engine and the control lists, and the generator
/// of `specs/vectors/`.
///
/// Exit codes: 0 OK (a figure that misses its target is reported, not an error); 1 a
/// benchmark could not run (for example a ledger already in `--workdir`); 2 bad usage.
@main
struct LedgerBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger-bench",
        abstract: "Benchmarks and test-vector generation for Minilateral Ledger (maintainers).",
        subcommands: [
            Bench.self, BenchConsensus.self, ListGroup.self, DevVectors.self, LoadPrepare.self, Load.self,
            LoadReads.self,
        ]
    )

    /// Parses and runs, mapping argument-parser usage errors (EX_USAGE, 64) to exit status 2
    /// as `ledger` does.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error).rawValue == 64 {
                BenchOutput.stderr(fullMessage(for: error) + "\n")
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    /// Runs `body`, turning a library error into one line on stderr and exit status 1.
    static func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as LedgerError {
            BenchOutput.error(e.message)
            throw ExitCode(1)
        } catch let e as ControlListError {
            BenchOutput.error(e.message)
            throw ExitCode(1)
        }
    }
}

extension LedgerBenchCommand {
    /// `ledger-bench list bench`: the control-list benchmark alone.
    struct ListGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Control-list benchmarks.", subcommands: [ListBench.self])
    }
}
