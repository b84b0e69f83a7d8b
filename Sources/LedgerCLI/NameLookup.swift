import Consensus
import ControlLists
import LedgerCore

/// The names people type (forums, proposal ids, parties, finding ids) looked up before a
/// command acts: an unknown name is an error (exit 2) with the closest known name, never an
/// empty result (specs/cli.md, "Names").
enum NameLookup {
    /// The chartered forum id that `name` means (specs/consensus.md §Forum names).
    static func forum(_ name: String, in state: NegotiationRules, flag: String = "--forum") throws -> String {
        do { return try state.resolveForum(name) } catch { throw error.prefixed("\(flag): ") }
    }

    /// The built-in charter that `name` means, by the same rule.
    static func builtInForum(_ name: String) throws -> ForumCharter {
        do { return try Forums.resolve(name) } catch { throw error.prefixed("--forum: ") }
    }

    /// `name`, if given, resolved as ``forum(_:in:flag:)``.
    static func forum(_ name: String?, in state: NegotiationRules, flag: String = "--forum") throws -> String? {
        try name.map { try forum($0, in: state, flag: flag) }
    }

    /// The proposal with id `id`.
    ///
    /// - Parameters:
    ///   - asOf: how the message names the point `state` is as of ("entry 12", a time), when it
    ///     is earlier than the latest entry.
    ///   - later: the state at the latest entry: a proposal tabled after `asOf` is reported as
    ///     not yet tabled, with its entry.
    static func proposal(
        _ id: String, in state: NegotiationRules, asOf: String? = nil,
        later: () throws -> NegotiationRules? = {
            nil
        }
    ) throws -> Proposal {
        if let p = state.proposal(id) { return p }
        if let asOf, let p = try later()?.proposal(id) {
            let first = p.revisions[0]
            throw LedgerError.notFound(
                "proposal \"\(id)\" was not yet tabled as of \(asOf): it was tabled at entry \(first.entryIndex) "
                    + "(\(first.time))")
        }
        throw LedgerError.notFound(
            "no proposal \"\(id)\" in the ledger" + Suggestions.didYouMean(id, among: state.proposals.map(\.id)))
    }

    /// Refuses a `--party` that is not a party code at all (`jp`, `JQ`, `Japan`), naming the
    /// closest party of `forum`. A well-formed code that is not a member is left to the rules,
    /// which refuse it with the reason.
    static func party(_ party: String?, forum: ForumCharter?) throws {
        guard let party, !Codes.isParty(party) else { return }
        let members = forum.map { $0.parties + $0.observers + $0.candidates } ?? []
        // Compared as bytes: `\u{212A}R` (KELVIN SIGN) is not `KR`, though it may be suggested.
        let exact = members.first { $0.utf8.elementsEqual(party.uppercased().utf8) }
        let hint =
            exact.map { "; did you mean \"\($0)\"?" } ?? Suggestions.didYouMean(party, among: members, maxDistance: 1)
        throw LedgerError.notFound(
            "--party: \"\(party)\" is not an ISO 3166-1 alpha-2 code or EU"
                + (forum.map { ", nor a party of \($0.id)" } ?? "") + hint)
    }

    /// Refuses a finding id that names no finding `ledger conflicts` reports now (a finding
    /// whose proposals are no longer live is gone, and there is nothing left to review).
    /// Refuses a finding id that `ledger conflicts` (with the same member lists) does not report.
    static func finding(_ id: String, dir: String, lists: [ControlList] = []) throws {
        let state = try ConsensusCLI.open(dir).currentState()
        var known = try ControlListCLI.findings(in: state, forum: nil).map(\.id)
        if !lists.isEmpty {
            let detector = ConflictDetector(correlations: try CuratedData.correlations())
            known += detector.listFindings(in: state, lists: lists, at: max(logClock()(), state.lastTime), forum: nil)
                .map(\.id)
        }
        guard !known.contains(id) else { return }
        var hint = known.isEmpty ? "; the ledger has no findings" : Suggestions.didYouMean(id, among: known)
        if lists.isEmpty, !hint.hasPrefix("; did you mean") {
            hint += " (a finding against a national list needs its --lists)"
        }
        throw LedgerError.notFound("no finding \"\(id)\" (`ledger conflicts` lists them)\(hint)")
    }
}
