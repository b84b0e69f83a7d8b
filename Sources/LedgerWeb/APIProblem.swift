import Hummingbird
import LedgerCore

/// An error of the JSON API, sent as an RFC 9457 problem: `application/problem+json` with
/// `type`, `title`, `status` and `detail`, and members that say more (`id` and `nearest` for
/// an unknown name, `parameter` for a bad query value). See specs/api.md, "Problems".
package struct APIProblem: Error, Sendable, HTTPResponseError {
    package let status: HTTPResponse.Status
    /// One line: what was wrong.
    package let detail: String
    /// Extension members.
    package let members: [String: JSONValue]

    package init(status: HTTPResponse.Status, detail: String, members: [String: JSONValue] = [:]) {
        self.status = status
        self.detail = detail
        self.members = members
    }

    /// 404: no `noun` called `id`; `nearest` is the closest known name, if one is close.
    static func unknown(_ noun: String, _ id: String, among known: [String]) -> APIProblem {
        let nearest = Suggestions.closest(to: id, among: known)
        var members: [String: JSONValue] = ["id": .string(id)]
        if let nearest { members["nearest"] = .string(nearest) }
        return APIProblem(
            status: .notFound,
            detail: "no \(noun) \"\(id)\"" + (nearest.map { "; did you mean \"\($0)\"?" } ?? ""), members: members)
    }

    /// 400: query parameter `name` has a value the API does not take.
    static func badQuery(_ name: String, _ value: String, expected: String) -> APIProblem {
        APIProblem(
            status: .badRequest, detail: "\(name): \"\(value)\" is not \(expected)",
            members: ["parameter": .string(name)])
    }

    /// This problem as a 400 for query parameter `name` (an unknown name given in a query).
    func inQuery(_ name: String) -> APIProblem {
        APIProblem(
            status: .badRequest, detail: "\(name): \(detail)",
            members: members.merging(["parameter": .string(name)]) { $1 })
    }

    /// 500: the ledger could not be read; the detail stays in the server's log.
    static let internalError = APIProblem(
        status: .internalServerError, detail: "internal error: the server's log says why")

    /// The problem document.
    var json: JSONValue {
        var o = members
        o["type"] = "about:blank"
        o["title"] = .string(status.reasonPhrase)
        o["status"] = .integer(Int64(status.code))
        o["detail"] = .string(detail)
        return .object(o)
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/problem+json", .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: json.canonicalString)))
    }
}
