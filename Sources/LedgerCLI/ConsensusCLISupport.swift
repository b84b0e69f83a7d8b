import Consensus
import ControlCodes
import LedgerCore
import LedgerCrypto
import Yams

/// Helpers shared by the consensus commands (specs/consensus.md §CLI).
enum ConsensusCLI {
    /// Opens the ledger with the log clock.
    static func open(_ dir: String) throws -> Ledger<RulesInUse> {
        try Ledger<RulesInUse>(directory: dir, clock: logClock())
    }

    /// Signs one statement with `keyFile` and appends it.
    static func append(
        _ dir: String, kind: String, body: JSONValue, keyFile: String, ledger open: Ledger<RulesInUse>? = nil
    ) throws -> Ledger<RulesInUse>.Appended {
        let clock = logClock()
        let ledger = try open ?? Ledger<RulesInUse>(directory: dir, clock: clock)
        let key = try loadPrivateKey(keyFile)
        return try ledger.append([try Statement.make(kind: kind, body: body, key: key, time: clock())])[0]
    }

    /// Signs a built consensus statement with `keyFile` and appends it.
    static func append(
        _ dir: String, _ statement: ConsensusStatement, keyFile: String, ledger: Ledger<RulesInUse>? = nil
    ) throws -> Ledger<RulesInUse>.Appended {
        try append(dir, kind: statement.kind, body: statement.body, keyFile: keyFile, ledger: ledger)
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

    /// Reads a proposal or revision file: JSON, or YAML when the name ends in `.yaml`/`.yml` or
    /// the text does not start with `{`.
    static func readDocument(_ path: String) throws -> JSONValue {
        let text = try readText(path)
        guard text.utf8.count <= YAMLGuard.maxBytes else {
            throw LedgerError.malformed(
                "\(path): \(text.utf8.count) bytes, over the \(YAMLGuard.maxBytes)-byte limit for a proposal file")
        }
        let trimmed = text.drop(while: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        let isYAML = path.hasSuffix(".yaml") || path.hasSuffix(".yml") || !trimmed.hasPrefix("{")
        var value: JSONValue
        if isYAML {
            try YAMLGuard.check(text, path: path)
            let node: Node?
            do { node = try Yams.compose(yaml: text) } catch {
                throw LedgerError.malformed(
                    "\(path): not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
            }
            guard let node else { throw LedgerError.malformed("\(path): empty document") }
            value = try jsonValue(node, path: path, at: "")
        } else {
            value = try parseUserJSON(text, what: path)
        }
        guard case .object(var o) = value else { throw LedgerError.malformed("\(path): must be an object (mapping)") }
        // Parameter values are decimal strings; accept integers written without quotes.
        if let params = o["parameters"]?.arrayValue {
            o["parameters"] = .array(
                params.map { p in
                    guard case .object(var po) = p, case .integer(let i)? = po["value"] else { return p }
                    po["value"] = .string(String(i))
                    return .object(po)
                })
        }
        value = .object(o)
        return value
    }

    /// Converts a YAML node to JSON: integers, booleans and null by their YAML tags; floats
    /// and timestamps keep their text (the ledger carries decimals and dates as strings).
    static func jsonValue(_ node: Node, path: String, at field: String) throws -> JSONValue {
        switch node {
        case .scalar(let s):
            switch node.tag.description {
            case Tag.Name.int.rawValue: return Int64(s.string).map { .integer($0) } ?? .string(s.string)
            case Tag.Name.bool.rawValue: return .bool(node.bool ?? false)
            case Tag.Name.null.rawValue: return .null
            default: return .string(s.string)
            }
        case .sequence(let seq):
            var out = [JSONValue]()
            for (i, n) in seq.enumerated() { out.append(try jsonValue(n, path: path, at: "\(field)[\(i)]")) }
            return .array(out)
        case .mapping(let m):
            var o = JSONObject()  // keys compared as bytes
            for (k, v) in m {
                guard let key = k.string else { throw LedgerError.malformed("\(path): \(field): keys must be strings") }
                guard o[key] == nil else { throw LedgerError.malformed("\(path): \(field).\(key): duplicate key") }
                o[key] = try jsonValue(v, path: path, at: field.isEmpty ? key : "\(field).\(key)")
            }
            return .object(o)
        }
    }

    /// Parses `--as-of`.
    static func asOf(_ s: String?) throws -> AsOf {
        guard let s else { return .latest }
        guard let a = AsOf(argument: s) else {
            throw LedgerError.malformed(
                "--as-of: \"\(s)\" is neither an entry index nor an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ)")
        }
        return a
    }

    /// The state and instant for a read command.
    /// The state, the instant and what the view rests on (checked against the latest signed
    /// checkpoint: a mismatch throws) for a read command.
    static func view(_ dir: String, asOf: String?) throws -> (NegotiationRules, Timestamp, ViewBasis) {
        let clock = logClock()
        let ledger = try Ledger<RulesInUse>(directory: dir, clock: clock)
        let basis = try ledger.viewBasis()
        let (state, t) = try ledger.negotiationState(asOf: try ConsensusCLI.asOf(asOf), now: clock())
        return (state, t, basis)
    }

    static func status(_ state: NegotiationRules, _ id: String, at t: Timestamp) throws -> ProposalStatus {
        guard let s = state.status(of: id, at: t) else {
            throw LedgerError.notFound("proposal \"\(id)\" is not in the ledger")
        }
        return s
    }

    /// Pads or cuts `s` to `width` characters (grapheme clusters, as a terminal shows them),
    /// truncating with `…`.
    static func pad(_ s: String, _ width: Int) -> String {
        let n = s.count
        if n > width { return String(s.prefix(width - 1)) + "…" }
        return s + String(repeating: " ", count: width - n)
    }

    /// A short label for a state, with the deadline for live proposals.
    static func stateLabel(_ st: ProposalStatus) -> String {
        switch st.state {
        case .blocked: return "BLOCKED by " + st.objectingParties.joined(separator: ",")
        case .open where st.proposal.procedure == .silence:
            return "open (silence until \(st.proposal.current.deadline.rfc3339.prefix(10)))"
        case .open: return "open (deadline \(st.proposal.current.deadline.rfc3339.prefix(10)))"
        case .adopted:
            return st.proposal.decisions.contains { $0.outcome == .adopted } ? "ADOPTED (recorded)" : "ADOPTED"
        default: return st.state.rawValue
        }
    }
}
