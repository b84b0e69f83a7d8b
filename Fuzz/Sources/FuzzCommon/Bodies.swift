// Checks shared by the proposal harnesses: what the ledger does with a statement body that
// `ledger propose`/`ledger amend` read from a YAML or JSON file.
@testable import Consensus
import ControlCodes
@testable import LedgerCore
import Yams

/// The limits on a proposal's YAML→JSON conversion are those of the CLI's loader: none of
/// its own beyond Yams's (see specs/fuzzing.md).
public enum ProposalDocument {
    /// A copy of `ConsensusCLI.jsonValue` (Sources/LedgerCLI/ConsensusCLISupport.swift), which
    /// is in the executable target and so out of reach: YAML node to JSON, integers, booleans
    /// and null by their tags, everything else as its text.
    public static func jsonValue(_ node: Node) -> JSONValue? {
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
            for n in seq {
                guard let v = jsonValue(n) else { return nil }
                out.append(v)
            }
            return .array(out)
        case .mapping(let m):
            var o = [String: JSONValue]()
            for (k, v) in m {
                guard let key = k.string, o[key] == nil, let value = jsonValue(v) else { return nil }
                o[key] = value
            }
            return .object(o)
        }
    }

    /// As `ConsensusCLI.readDocument` after parsing: the value must be an object, and integer
    /// parameter values become decimal strings.
    public static func body(_ value: JSONValue) -> JSONObject? {
        guard case .object(var o) = value else { return nil }
        if let params = o["parameters"]?.arrayValue {
            o["parameters"] = .array(
                params.map { p in
                    guard case .object(var po) = p, case .integer(let i)? = po["value"] else { return p }
                    po["value"] = .string(String(i))
                    return .object(po)
                })
        }
        return o
    }

    /// Reads `o` as the body of each statement kind a document can become, through both
    /// storages of `BodyReader` (dictionary, as the CLI builds it; canonical bytes, as the
    /// ledger replays it), and requires the two to agree.
    public static func check(_ o: JSONObject) {
        let canonical = CanonicalObject(o)
        precondition(canonical.json == .object(o), "a canonical object does not give back its members")
        let reparsed = canonical.bytes.withUnsafeBytes { try? JSONParser.parseCanonical($0) }
        precondition(reparsed == .object(o), "a canonical body does not parse back to itself")

        let dict = try! BodyReader(.object(o), kind: "proposal")
        let canon = BodyReader(canonical, kind: "proposal")
        for r in [dict, canon] {
            _ = try? r.only(NegotiationRules.proposalFields)
            _ = try? r.only(NegotiationRules.amendFields)
            if let id = try? r.string("id") { _ = Codes.isIdentifier(id) }
            _ = try? r.optionalString("procedure").map { Proposal.Procedure(rawValue: $0) }
            _ = try? r.timestamp("deadline")
        }
        let m1 = Result { () throws(LedgerError) in try Measure(reading: dict) }
        let m2 = Result { () throws(LedgerError) in try Measure(reading: canon) }
        switch (m1, m2) {
        case (.success(let a), .success(let b)): precondition(a == b, "the two body readers read different measures")
        case (.failure, .failure): break
        default: preconditionFailure("one body reader accepts a measure the other refuses: \(m1) \(m2)")
        }
        _ = try? ForumCharter(json: .object(o))

        let p1 = try? NegotiationRules.PositionBody(canon)
        if let fast = NegotiationRules.PositionBody.fast(canon) {
            precondition(p1 == fast, "the fast position reader disagrees with the full one")
        }
        let p2 = try? NegotiationRules.PositionBody(dict)
        precondition(p1 == p2, "the two body readers read different positions")
    }
}
