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
            case notFound, badRequest, internalError
        }
        let base: Base

        /// No such resource: an empty or out-of-range tile, a non-canonical path, no checkpoint yet.
        package static let notFound = Code(base: .notFound)
        /// A request the server cannot read, such as a malformed `size` parameter.
        package static let badRequest = Code(base: .badRequest)
        /// The ledger disagrees with what the server checked, or could not be read.
        package static let internalError = Code(base: .internalError)

        package var description: String { base.rawValue }
    }

    package let code: Code
    /// One line: what, where, why. For ``Code/internalError`` it stays in the server's log.
    package let message: String
    package let file: String
    package let line: Int

    package init(code: Code, message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
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
    /// 404, 400 or 500.
    package var status: HTTPResponse.Status {
        switch code.base {
        case .notFound: .notFound
        case .badRequest: .badRequest
        case .internalError: .internalServerError
        }
    }

    /// A one-line `text/plain` body; an internal error's body does not reveal the ledger's files.
    package func response(from request: Request, context: some RequestContext) throws -> Response {
        let text = code == .internalError ? "internal error: the server's log says why" : message
        return Response(
            status: status, headers: [.contentType: HeaderValues.plainText, .cacheControl: HeaderValues.noCache],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
