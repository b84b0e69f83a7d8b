import Consensus
import ControlCodes
import LedgerClient
import LedgerCore
import LedgerCrypto

/// Helpers shared by the consensus commands (specs/consensus.md §CLI).
enum ConsensusCLI {
    /// Opens the ledger with the log clock; for a URL, a verified mirror of the served log
    /// (``RemoteLedger``).
    static func open(_ dir: String) throws -> Ledger<RulesInUse> {
        try Ledger<RulesInUse>(directory: try RemoteLedger.directory(for: dir), clock: logClock())
    }

    /// Signs one statement with `keyFile` and appends it; for a URL, submits it to the served
    /// log (``RemoteLedger/submit(_:_:options:)``).
    static func append(
        _ dir: String, kind: String, body: JSONValue, keyFile: String, ledger open: Ledger<RulesInUse>? = nil,
        remote: RemoteWriteOptions = RemoteWriteOptions()
    ) throws -> Ledger<RulesInUse>.Appended {
        let clock = logClock()
        if LogClient.isURL(dir) {
            let key = try loadPrivateKey(keyFile)
            let signed = try Statement.make(kind: kind, body: body, key: key, time: clock())
            return try RemoteLedger.submit(dir, signed, options: remote)
        }
        let ledger = try open ?? Ledger<RulesInUse>(directory: try RemoteLedger.directory(for: dir), clock: clock)
        let key = try loadPrivateKey(keyFile)
        return try ledger.append([try Statement.make(kind: kind, body: body, key: key, time: clock())])[0]
    }

    /// Signs a built consensus statement with `keyFile` and appends it.
    static func append(
        _ dir: String, _ statement: ConsensusStatement, keyFile: String, ledger: Ledger<RulesInUse>? = nil,
        remote: RemoteWriteOptions = RemoteWriteOptions()
    ) throws -> Ledger<RulesInUse>.Appended {
        try append(dir, kind: statement.kind, body: statement.body, keyFile: keyFile, ledger: ledger, remote: remote)
    }

    /// Prints what was appended: the index, or `{"index","leafHash","kind"}` with `--json`.
    static func printAppended(_ a: Ledger<RulesInUse>.Appended, json: Bool, summary: String) {
        if json {
            printJSON([
                "index": .integer(Int64(a.index)), "leafHash": .string(a.leafHash.base64),
                "kind": .string(a.entry.statement.kind),
            ])
        } else {
            out("entry \(a.index): \(summary)")
        }
    }

    /// Parses `--as-of`: an entry index, or a time as ``UserTime`` takes it.
    static func asOf(_ s: String?) throws -> AsOf {
        guard let s else { return .latest }
        if let i = UInt64(s) { return .index(i) }
        return .time(try UserTime.parse(s, what: "--as-of", orElse: "an entry index"))
    }

    /// The state, the instant and what the view rests on (checked against the latest signed
    /// checkpoint: a mismatch throws) for a read command.
    static func view(_ dir: String, asOf: String?) throws -> (NegotiationRules, Timestamp, ViewBasis) {
        let clock = logClock()
        let ledger = try Ledger<RulesInUse>(directory: try RemoteLedger.directory(for: dir), clock: clock)
        let basis = try ledger.viewBasis()
        let (state, t) = try ledger.negotiationState(asOf: try ConsensusCLI.asOf(asOf), now: clock())
        return (state, t, basis)
    }

    /// The status of proposal `id` at `t`. An unknown id is an error with the nearest known one;
    /// with `--as-of` (`asOf`), an id tabled only after that point is reported as not yet tabled,
    /// with its entry (the latest state of `dir` is read only then).
    static func status(
        _ state: NegotiationRules, _ id: String, at t: Timestamp, dir: String, asOf: String?
    ) throws -> ProposalStatus {
        let label = asOf.map { UInt64($0) != nil ? "entry \($0)" : t.rfc3339 }
        let p = try NameLookup.proposal(id, in: state, asOf: label) { try open(dir).currentState() }
        return state.status(of: p.id, at: t)!
    }
}
