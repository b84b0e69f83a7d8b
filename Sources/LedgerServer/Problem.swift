import Hummingbird
import LedgerCore

/// A reply as the router sends it and as a fast path (``WriteFastPathHandler``) writes it:
/// Hummingbird adds `Content-Length` and `Date` to the fields.
struct ReplyParts {
    let status: HTTPResponse.Status
    let fields: HTTPFields
    let body: ByteBuffer

    var response: Response { Response(status: status, headers: fields, body: .init(byteBuffer: body)) }
}

/// An RFC 9457 problem details response (`application/problem+json`), as the write API sends
/// its errors (specs/api.md §Problem types).
struct Problem: Error, Sendable {
    /// The problem type's name; the `type` member is `urn:minilateral-ledger:problem:<name>`.
    let name: String
    let status: HTTPResponse.Status
    let title: String
    let detail: String
    /// The rule that refused the statement, when one did: the rule the refusal names (the
    /// statement's kind or one of its fields, `secretariat.register.forum`), else the
    /// ``LedgerError/Code``.
    var rule: String?
    /// The ``LedgerError/Code`` of the refusal, when a rule refused.
    var code: String?
    var headers: HTTPFields = [:]

    static let contentType = "application/problem+json"

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "type": .string("urn:minilateral-ledger:problem:" + name), "title": .string(title),
            "status": .integer(Int64(status.code)), "detail": .string(detail),
        ]
        if let rule { o["rule"] = .string(rule) }
        if let code { o["code"] = .string(code) }
        return .object(JSONObject(o))
    }

    var response: Response { parts.response }

    /// The reply's status, header fields (before `Content-Length` and `Date`) and body.
    var parts: ReplyParts {
        var fields = headers
        fields[.contentType] = Problem.contentType
        fields[.cacheControl] = HeaderValues.noCache
        return ReplyParts(status: status, fields: fields, body: ByteBuffer(bytes: json.canonicalBytes + [0x0A]))
    }

    static func malformed(_ detail: String) -> Problem {
        Problem(name: "malformed", status: .badRequest, title: "Not a signed statement", detail: detail)
    }

    static func tooLarge(_ limit: Int) -> Problem {
        Problem(
            name: "too-large", status: .contentTooLarge, title: "Request body too large",
            detail: "the body must be at most \(limit) bytes")
    }

    static func unsupportedMediaType(_ got: String?) -> Problem {
        Problem(
            name: "unsupported-media-type", status: .unsupportedMediaType, title: "Not JSON",
            detail: "the body must be sent as Content-Type: application/json, not \(got ?? "none")")
    }

    /// A refusal by a rule of the ledger or the consensus engine, of a statement of `kind`.
    /// A refusal; its `rule` names the rule of kind `kind` that refused (as the message names
    /// it), else the error code. Only a rule body's errors (`invalidBody`, `refused`) name a rule:
    /// the kind is the sender's to choose, and a kind spelled like the first word of a core
    /// check's message ("signer …") must not make that check look like a rule.
    static func refused(_ error: LedgerError, kind: String?) -> Problem {
        let named = error.code == .invalidBody || error.code == .refused ? kind.flatMap(error.rule(ofKind:)) : nil
        return Problem(
            name: "refused", status: .unprocessableContent, title: "Refused by a rule of the ledger",
            detail: error.message, rule: named ?? error.code.description, code: error.code.description)
    }

    static func duplicate(_ error: LedgerError, index: Int64?) -> Problem {
        var p = Problem(
            name: "duplicate", status: .conflict, title: "Statement already in the ledger", detail: error.message,
            rule: error.code.description, code: error.code.description)
        if let index { p.headers[HTTPFields.Element.Name("X-Log-Index")!] = String(index) }
        return p
    }

    static func rateLimited(retryAfter: Int, rate: Int) -> Problem {
        Problem(
            name: "rate-limited", status: .tooManyRequests, title: "Too many statements by this signer key",
            detail: "at most \(rate) statements a second per signer key; retry after \(retryAfter) s",
            headers: [.retryAfter: String(retryAfter)])
    }

    static func overloaded(pending: Int) -> Problem {
        Problem(
            name: "overloaded", status: .serviceUnavailable, title: "Too many statements waiting",
            detail: "\(pending) statements are waiting to be appended; retry later", headers: [.retryAfter: "1"])
    }

    /// The store could not be read or written: the detail stays in the server's log.
    static func storeFailed(_ error: LedgerError) -> Problem {
        Problem(
            name: "internal", status: .internalServerError, title: "Internal error",
            detail: "internal error: the server's log says why")
    }
}
