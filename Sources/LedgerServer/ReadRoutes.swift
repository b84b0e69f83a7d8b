import Hummingbird
import LedgerCore
import Logging
import NIOCore

/// The read API's route collections over a ``PublishedLog`` (specs/api.md).
package struct ReadRoutes<Context: RequestContext, Store: LedgerStore>: Sendable {
    package let log: PublishedLog<Store>

    package init(log: PublishedLog<Store>, context: Context.Type = Context.self) { self.log = log }

    /// `GET /checkpoint`: the latest published checkpoint note, exactly as stored.
    package var checkpoint: RouteCollection<Context> {
        RouteCollection(context: Context.self).get("checkpoint") { _, _ -> Response in
            let view = log.view
            guard view.checkpoint != nil else { throw LedgerServerError.notFound("no checkpoint has been signed yet") }
            return .text(view.checkpointText)
        }
    }

    /// `GET /tile/<L>/<N>[.p/<W>]` and `GET /tile/entries/<N>[.p/<W>]` (C2SP tlog-tiles).
    ///
    /// The request path is read as sent, not decoded: any spelling but a tile's canonical path
    /// is 404, as for a file that does not exist.
    package var tiles: RouteCollection<Context> {
        RouteCollection(context: Context.self).get("tile/**") { request, context -> Response in
            let prefix = "/tile/"
            let path = request.uri.path
            guard path.hasPrefix(prefix), let tile = TilePath(parsing: path.dropFirst(prefix.count)) else {
                throw LedgerServerError.notFound("not a tile path: \(path)")
            }
            let body: ByteBuffer?
            do throws(LedgerError) { body = try log.tileBody(tile) } catch {
                context.logger.error("tile \(tile): \(error.message)")
                throw LedgerServerError.internalError(error)
            }
            guard let body else { throw LedgerServerError.notFound("\(tile) is not in the published tree") }
            return Response(status: .ok, headers: tileHeaderFields, body: ResponseBody(byteBuffer: body))
        }
    }

    /// `GET /proof/<index>[?size=<N>]`: a `c2sp.org/tlog-proof@v1` inclusion proof bundle.
    package var proofs: RouteCollection<Context> {
        RouteCollection(context: Context.self).get("proof/:index") { request, context -> Response in
            let raw = context.parameters.get("index") ?? ""
            guard let index = ReadRoutes.canonicalInteger(raw) else {
                throw LedgerServerError.badRequest("the entry index must be a decimal integer without leading zeros")
            }
            var size: Int64?
            if let s = request.uri.queryParameters.get("size") {
                guard let n = ReadRoutes.canonicalInteger(s), n >= 1 else {
                    throw LedgerServerError.badRequest("size must be a decimal integer ≥ 1 without leading zeros")
                }
                size = n
            }
            do throws(LedgerServerError) {
                let proof = try log.inclusionProof(index: index, size: size)
                return .text(proof)
            } catch {
                if error.code == .internalError { context.logger.error("proof \(raw): \(error.message)") }
                throw error
            }
        }
    }

    /// A non-negative decimal of at most 18 digits with no leading zero (but "0"), or nil.
    static func canonicalInteger(_ s: some StringProtocol) -> Int64? {
        guard let n = TilePath.decimal(Substring(s)), String(n) == s else { return nil }
        return n
    }
}

/// The headers of every tile and entry bundle, built once (the router's and
/// ``TileFastPathHandler``'s).
let tileHeaderFields: HTTPFields = [
    .contentType: HeaderValues.octetStream, .cacheControl: HeaderValues.immutable,
]

/// The headers of `/checkpoint` and `/proof` replies, built once.
private let textHeaderFields: HTTPFields = [.contentType: HeaderValues.plainText, .cacheControl: HeaderValues.noCache]

extension Response {
    /// A 200 `text/plain`, `no-cache` response with `text` as the body (copied once, into the buffer).
    static func text(_ text: String) -> Response {
        Response(status: .ok, headers: textHeaderFields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A 200 response with `bytes` as the body.
    static func bytes(_ bytes: [UInt8], type: String, cache: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: cache],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
