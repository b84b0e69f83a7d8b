import LedgerCore
import LedgerCrypto

/// The vectors for the limits of specs/ledger-format.md §2 (`limits.json`).
///
/// Inputs are large, so each is given as `parts`: the text is the concatenation of every part,
/// where `[s, n]` is the string `s` repeated `n` times and `{"each": t, "count": n, "join": j}`
/// is `t` with `#` replaced by 0, 1, …, n − 1, joined by `j`. `sha256` is the hex SHA-256 of
/// the text, to check the construction.
extension TestVectors {
    /// One part of a vector input.
    package enum Part: Sendable {
        case repeated(String, Int)
        case numbered(String, count: Int, join: String)

        var json: JSONValue {
            switch self {
            case .repeated(let s, let n): return [.string(s), .integer(Int64(n))]
            case .numbered(let t, let n, let j):
                return ["each": .string(t), "count": .integer(Int64(n)), "join": .string(j)]
            }
        }
    }

    /// The text of a limits vector input, from its `parts` as stored in `limits.json`.
    package static func limitsInput(parts: JSONValue) -> [UInt8] {
        var out = [UInt8]()
        for p in parts.arrayValue ?? [] {
            if let a = p.arrayValue, a.count == 2, let s = a[0].stringValue, let n = a[1].integerValue {
                for _ in 0..<n { out.append(contentsOf: s.utf8) }
            } else if let t = p["each"]?.stringValue, let n = p["count"]?.integerValue, let j = p["join"]?.stringValue {
                for i in 0..<n {
                    if i > 0 { out.append(contentsOf: j.utf8) }
                    out.append(contentsOf: t.replacingOccurrencesOfHash(with: String(i)).utf8)
                }
            }
        }
        return out
    }

    /// Checks one `limits.json` case against the implementation: nil when it is accepted, or
    /// the error. `check` is `json` (any JSON text the ledger reads, whitespace allowed),
    /// `leaf` (a stored entry line, `Entry(leaf:)`: canonical form, limits and field syntax,
    /// not the signature or the rules of §7), `statement-body` (a JSON body text, re-encoded,
    /// as the body of a `note` statement) or `statement-kind` (the kind of a statement).
    package static func runLimitsCase(check: String, input: [UInt8]) -> LedgerError? {
        do throws(LedgerError) {
            switch check {
            case "json":
                _ = try JSONParser.parse(input)
            case "leaf":
                _ = try input.withUnsafeBytes { raw in Result { () throws(LedgerError) in try Entry(leaf: raw) } }.get()
            case "statement-body":
                let body = try JSONParser.parse(input)
                _ = try Statement(
                    kind: "note", body: body, signer: authorKey().verifierKey, time: vectorTime,
                    nonce: [UInt8](repeating: 9, count: 16))
            case "statement-kind":
                _ = try Statement(
                    kind: String(decoding: input, as: UTF8.self), body: ["text": "x"], signer: authorKey().verifierKey,
                    time: vectorTime, nonce: [UInt8](repeating: 9, count: 16))
            default:
                return LedgerError.malformed("unknown check \(check)")
            }
            return nil
        } catch {
            return error
        }
    }

    /// A note leaf (entry 1, signed by the author key) whose body has an extra member `z` holding
    /// `arrays` nested arrays around `0`. The leaf is JSON depth `arrays + 3` (entry 1,
    /// statement 2, body 3).
    static func nestedLeaf(arrays: Int) -> String {
        let author = authorKey()
        var z: JSONValue = 0
        for _ in 0..<arrays { z = .array([z]) }
        let st = try! Statement(
            kind: "note", body: ["text": "deep", "z": z], signer: author.verifierKey, time: vectorTime,
            nonce: [UInt8](repeating: 7, count: 16)
        ).signed(by: author)
        let e = Entry(index: 1, prev: Digest.zero, time: vectorTime, signed: st)
        return String(decoding: e.canonicalBytes, as: UTF8.self)
    }

    static func limits() -> String {
        typealias Case = (limit: String, what: String, check: String, parts: [Part], valid: Bool)
        let x16k = Statement.maxBodyBytes  // 60000
        _ = x16k
        let s = 16_384
        var cases: [Case] = [
            (
                "depth", "16 nested arrays (the outermost value is depth 1)", "json",
                [.repeated("[", 16), .repeated("]", 16)], true
            ),
            ("depth", "17 nested arrays", "json", [.repeated("[", 17), .repeated("]", 17)], false),
            (
                "depth", "a scalar inside the 16th array: only arrays and objects count", "json",
                [.repeated("[", 16), .repeated("0", 1), .repeated("]", 16)], true
            ),
            (
                "depth", "16 nested objects", "json",
                [.repeated("{\"a\":", 15), .repeated("{}", 1), .repeated("}", 15)], true
            ),
            (
                "depth", "17 nested objects", "json",
                [.repeated("{\"a\":", 16), .repeated("{}", 1), .repeated("}", 16)], false
            ),
            (
                "depth",
                "a leaf of depth 16: entry 1, statement 2, body 3, 13 arrays in the body (depth 4–16)", "leaf",
                [.repeated(nestedLeaf(arrays: 13), 1)], true
            ),
            (
                "depth", "a leaf of depth 17: 14 arrays in the body", "leaf", [.repeated(nestedLeaf(arrays: 14), 1)],
                false
            ),
            (
                "string", "a string of 16384 bytes", "json",
                [.repeated("\"", 1), .repeated("x", s), .repeated("\"", 1)], true
            ),
            (
                "string", "a string of 16385 bytes", "json",
                [.repeated("\"", 1), .repeated("x", s + 1), .repeated("\"", 1)], false
            ),
            (
                "string", "16384 bytes after unescaping (16384 escapes \\n, 32770 bytes of text)", "json",
                [.repeated("\"", 1), .repeated("\\n", s), .repeated("\"", 1)], true
            ),
            (
                "string", "16385 bytes after unescaping", "json",
                [.repeated("\"", 1), .repeated("\\n", s + 1), .repeated("\"", 1)], false
            ),
            (
                "string", "8192 × U+00E9 é = 16384 UTF-8 bytes (the limit counts bytes, not characters)", "json",
                [.repeated("\"", 1), .repeated("é", s / 2), .repeated("\"", 1)], true
            ),
            (
                "string", "8192 × é and one x = 16385 bytes", "json",
                [.repeated("\"", 1), .repeated("é", s / 2), .repeated("x\"", 1)], false
            ),
            (
                "string", "8192 × \\u00e9 escapes = 16384 bytes after unescaping", "json",
                [.repeated("\"", 1), .repeated("\\u00e9", s / 2), .repeated("\"", 1)], true
            ),
            (
                "members", "an array of 4096 elements", "json",
                [.repeated("[", 1), .repeated("0,", 4095), .repeated("0]", 1)], true
            ),
            (
                "members", "an array of 4097 elements", "json",
                [.repeated("[", 1), .repeated("0,", 4096), .repeated("0]", 1)], false
            ),
            (
                "members", "an object of 4096 members", "json",
                [.repeated("{", 1), .numbered("\"#\":0", count: 4096, join: ","), .repeated("}", 1)], true
            ),
            (
                "members", "an object of 4097 members", "json",
                [.repeated("{", 1), .numbered("\"#\":0", count: 4097, join: ","), .repeated("}", 1)], false
            ),
            ("integer", "2^53 − 1", "json", [.repeated("9007199254740991", 1)], true),
            ("integer", "2^53", "json", [.repeated("9007199254740992", 1)], false),
            ("integer", "−(2^53 − 1)", "json", [.repeated("-9007199254740991", 1)], true),
            ("integer", "−2^53", "json", [.repeated("-9007199254740992", 1)], false),
            (
                "input", "a JSON text of 65535 bytes", "json",
                [
                    .repeated("[\"", 1), .repeated("x", s), .repeated("\",\"", 1), .repeated("x", s),
                    .repeated("\",\"", 1),
                    .repeated("x", s), .repeated("\",\"", 1), .repeated("x", 16_370), .repeated("\"]", 1),
                ], true
            ),
            (
                "input", "a JSON text of 65536 bytes", "json",
                [
                    .repeated("[\"", 1), .repeated("x", s), .repeated("\",\"", 1), .repeated("x", s),
                    .repeated("\",\"", 1),
                    .repeated("x", s), .repeated("\",\"", 1), .repeated("x", 16_371), .repeated("\"]", 1),
                ], false
            ),
            (
                "input", "a JSON text of 65535 bytes ending in a newline (whitespace counts)", "json",
                [
                    .repeated("[\"", 1), .repeated("x", s), .repeated("\",\"", 1), .repeated("x", s),
                    .repeated("\",\"", 1),
                    .repeated("x", s), .repeated("\",\"", 1), .repeated("x", 16_369), .repeated("\"]\n", 1),
                ], true
            ),
            ("entry", "a leaf of 65536 bytes is refused before it is parsed", "leaf", [.repeated(" ", 65_536)], false),
            (
                "body", "a body of 60000 canonical bytes (four strings, each within the string limit)",
                "statement-body",
                bodyParts(last: 10_819), true
            ),
            ("body", "a body of 60001 canonical bytes", "statement-body", bodyParts(last: 10_820), false),
            (
                "body",
                "a body of 60000 canonical bytes written with whitespace: the limit applies to the canonical form",
                "statement-body", [.repeated(" ", 100)] + bodyParts(last: 10_819), true
            ),
            ("kind", "a kind of 64 bytes", "statement-kind", [.repeated("k", 64)], true),
            ("kind", "a kind of 65 bytes", "statement-kind", [.repeated("k", 65)], false),
        ]
        cases = cases.map { $0 }
        var arr = [JSONValue]()
        for c in cases {
            let partsJSON = JSONValue.array(c.parts.map(\.json))
            let input = limitsInput(parts: partsJSON)
            let error = runLimitsCase(check: c.check, input: input)
            precondition(
                (error == nil) == c.valid,
                "limits vector \(c.what): expected valid=\(c.valid), got \(String(describing: error))")
            var o: [String: JSONValue] = [
                "limit": .string(c.limit), "what": .string(c.what), "check": .string(c.check), "parts": partsJSON,
                "bytes": .integer(Int64(input.count)), "sha256": .string(SHA256.hash(input).hex),
                "valid": .bool(c.valid),
            ]
            if let error {
                o["code"] = .string(error.code.description)
                o["error"] = .string(error.message)
            }
            arr.append(.object(o))
        }
        return pretty(.array(arr))
    }

    /// `{"a":"x…","b":"x…","c":"x…","d":"x…"}` with 16384 bytes in a, b and c and `last` in d:
    /// 29 + 3 × 16384 + last bytes.
    static func bodyParts(last: Int) -> [Part] {
        [
            .repeated("{\"a\":\"", 1), .repeated("x", 16_384), .repeated("\",\"b\":\"", 1), .repeated("x", 16_384),
            .repeated("\",\"c\":\"", 1), .repeated("x", 16_384), .repeated("\",\"d\":\"", 1), .repeated("x", last),
            .repeated("\"}", 1),
        ]
    }
}

extension String {
    fileprivate func replacingOccurrencesOfHash(with s: String) -> String {
        split(separator: "#", omittingEmptySubsequences: false).joined(separator: s)
    }
}
