import Consensus
import ControlCodes
import LedgerCore
import LedgerCrypto

extension ConflictDetector {
    /// The findings that `ledger conflicts` (without `--lists`) and the dashboard report: every
    /// finding in `state` through the shipped correlation tables, with reviews applied, as of
    /// `now` but never before the last entry (a proposal that lapsed by the clock raises no
    /// finding, specs/consensus.md); `forum` is a chartered id.
    package static func curatedFindings(
        in state: NegotiationRules, at now: Timestamp, forum: String?
    ) throws(ControlListError) -> [Finding] {
        let detector = ConflictDetector(correlations: try CuratedData.correlations())
        return detector.findings(in: state, at: max(now, state.lastTime), forum: forum)
    }

    /// The `list.publish` entry whose hash is `sha256Hex` (a list file's hash), if `state` holds one.
    package static func publishedIndex(_ state: NegotiationRules?, sha256Hex: String) -> Int64? {
        guard let state, let bytes = Hex.decode(sha256Hex), let d = Digest(bytes: bytes) else { return nil }
        return state.publishedLists.last { $0.sha256 == d }.map { Int64($0.entryIndex) }
    }
}
