import ArgumentParser
import Consensus
import ControlCodes
import ControlLists
import LedgerCore
import LedgerCrypto

/// Helpers shared by the control-list commands (issue 4; specs/control-list-format.md).
enum ControlListCLI {
    /// Runs `body`, turning a ``ControlListError`` (malformed or missing input) into a
    /// one-line message and exit 2; ``LedgerError`` keeps its documented mapping.
    static func run(_ body: () throws -> Void) throws {
        try LedgerCLI.run {
            do {
                try body()
            } catch let e as ControlListError {
                printError(e.message)
                throw ExitCode(Exit.usage)
            }
        }
    }

    static func format(_ s: String?) throws -> ControlListImporter.Format? {
        guard let s else { return nil }
        guard let f = ControlListImporter.Format(rawValue: s) else {
            throw ValidationError(
                "--format must be one of \(ControlListImporter.Format.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return f
    }

    /// The shipped correlation tables, plus any extra files.
    static func correlations(extra: [String]) throws -> CorrelationTable {
        var t = try CuratedData.correlations()
        for p in extra {
            let bytes = try LedgerFiles.read(p)
            t.merge(try CorrelationTable.read(bytes: bytes, path: p))
        }
        return t
    }

    /// The `list.publish` entry whose hash matches a list file, if the ledger holds one.
    static func publishedIndex(_ state: NegotiationRules?, sha256Hex: String) -> Int64? {
        ConflictDetector.publishedIndex(state, sha256Hex: sha256Hex)
    }

    /// Every finding in `state`, with reviews applied; `forum` is a chartered id.
    static func findings(in state: NegotiationRules, forum: String?) throws -> [Finding] {
        try ConflictDetector.curatedFindings(in: state, at: logClock()(), forum: forum)
    }
}

/// Prints conflict warnings on stderr for a proposal just appended, without failing: the
/// propose and amend commands call this after the append succeeded.
///
/// - Parameters:
///   - dir: the ledger directory.
///   - proposalID: the proposal that was appended or amended.
/// - Returns: the findings that involve the proposal.
@discardableResult
func printConflictWarnings(ledgerDirectory dir: String, proposalID: String) -> [Finding] {
    do {
        let state = try ConsensusCLI.open(dir).currentState()
        let detector = ConflictDetector(correlations: try CuratedData.correlations())
        let found = detector.findings(forProposal: proposalID, in: state)
        for f in found where f.review?.status != .dismissed {
            printStderr("ledger: warning: \(f.line)\n")
        }
        return found
    } catch {
        printStderr("ledger: warning: conflict check skipped: \(error)\n")
        return []
    }
}
