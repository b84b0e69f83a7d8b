import Hummingbird
import LedgerCore

/// The one error type of `LedgerServer`: what a request or the server's own refresh ran into.
///
/// Equality compares the ``code`` only, so tests can match on the kind of failure. Only this
/// module maps errors to HTTP statuses (``status``); `LedgerCore` knows nothing of HTTP.
package struct LedgerServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case notFound, badRequest, internalError, forbidden, conflict, unprocessable
        }
        let base: Base

        /// No such resource: an empty or out-of-range tile, a non-canonical path, no checkpoint yet.
        package static let notFound = Code(base: .notFound)
        /// A request the server cannot read, such as a malformed `size` parameter.
        package static let badRequest = Code(base: .badRequest)
        /// The ledger disagrees with what the server checked, or could not be read.
        package static let internalError = Code(base: .internalError)
        /// A witness request whose checkpoint is not validly signed by a key trusted for its origin.
        package static let forbidden = Code(base: .forbidden)
        /// A witness request whose old size is not the size the witness last cosigned.
        package static let conflict = Code(base: .conflict)
        /// A witness request whose checkpoint is not consistent with what the witness cosigned.
        package static let unprocessable = Code(base: .unprocessable)

        package var description: String { base.rawValue }
    }

    package let code: Code
    /// One line: what, where, why. For ``Code/internalError`` it stays in the server's log.
    package let message: String
    package let file: String
    package let line: Int
    /// For ``Code/conflict``: the tree size the witness last cosigned, the 409 response's body.
    package var treeSize: UInt64?

    package init(code: Code, message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    package static func forbidden(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerServerError {
        LedgerServerError(code: .forbidden, message: m, file: file, line: line)
    }

    package static func unprocessable(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerServerError {
        LedgerServerError(code: .unprocessable, message: m, file: file, line: line)
    }

    /// 409 with `treeSize` as the body (C2SP tlog-witness).
    package static func conflict(treeSize: UInt64, file: String = #fileID, line: Int = #line) -> LedgerServerError {
        var e = LedgerServerError(
            code: .conflict, message: "the witness last cosigned size \(treeSize)", file: file, line: line)
        e.treeSize = treeSize
        return e
    }

    package static func notFound(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerServerError {
        LedgerServerError(code: .notFound, message: m, file: file, line: line)
    }

    package static func badRequest(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerServerError {
        LedgerServerError(code: .badRequest, message: m, file: file, line: line)
    }

    /// The store failed or disagreed with the checked tree: the client is told only that the
    /// server failed; ``message`` goes to the log.
    package static func internalError(_ error: LedgerError, file: String = #fileID, line: Int = #line)
        -> LedgerServerError
    {
        LedgerServerError(code: .internalError, message: error.message, file: file, line: line)
    }

    package var description: String { message }

    package static func == (lhs: LedgerServerError, rhs: LedgerServerError) -> Bool { lhs.code == rhs.code }
    package func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension LedgerServerError: HTTPResponseError {
    /// 404, 400, 500, 403, 409 or 422.
    package var status: HTTPResponse.Status {
        switch code.base {
        case .notFound: .notFound
        case .badRequest: .badRequest
        case .internalError: .internalServerError
        case .forbidden: .forbidden
        case .conflict: .conflict
        case .unprocessable: .unprocessableContent
        }
    }

    /// A one-line `text/plain` body; an internal error's body does not reveal the ledger's files.
    /// A 409's body is the tree size and a newline, as `text/x.tlog.size` (C2SP tlog-witness).
    package func response(from request: Request, context: some RequestContext) throws -> Response {
        if code == .conflict, let treeSize {
            return Response(
                status: status, headers: [.contentType: HeaderValues.tlogSize, .cacheControl: HeaderValues.noCache],
                body: .init(byteBuffer: ByteBuffer(string: "\(treeSize)\n")))
        }
        let text = code == .internalError ? "internal error: the server's log says why" : message
        return Response(
            status: status, headers: [.contentType: HeaderValues.plainText, .cacheControl: HeaderValues.noCache],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
