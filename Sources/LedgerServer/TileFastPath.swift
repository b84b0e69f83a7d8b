import Foundation
import HTTPTypes
import LedgerCore
import NIOCore
import NIOHTTPTypes

/// Answers `GET /tile/…` for a tile already in the ``TileCache`` on the connection's event
/// loop, without handing the request to the router (specs/api.md, Tile cache).
///
/// **Why.** A tile read through the router costs a hop from the event loop to a task and
/// back, the router, the middleware and the response writer: about 36 µs of CPU a request
/// measured with `scripts/load-wrk.sh`, where the tile itself is a buffer already built.
/// Here a hit is answered where it is read, and responses read in one go are flushed together.
///
/// **The same reply.** A hit is answered with exactly the status, header fields (in order)
/// and body that the router's tile route gives for it, and is counted by ``ServerMetrics``
/// under the same route (and in `ledger_http_requests_answered_on_event_loop_total`):
/// `TileFastPathTests` compares the bytes of both replies. Anything else
/// is passed on unchanged: a miss (it is built and cached there, off the event loop), a
/// method other than GET, a request with a body, a query, `Expect`, or a `Connection` field
/// other than `keep-alive`, and every request that arrives while an earlier request passed on
/// is still unanswered (HTTP/1.1 answers in order; a request pipelined behind it waits its turn).
///
/// **Trust.** The tile is the cache's body, served only while the published tree commits to
/// it (``PublishedLog/cachedTileBody(_:)``): the same check as the route's.
///
/// Installed after Hummingbird's HTTP/1 codec (`HTTP1Channel.Configuration.additionalChannelHandlers`)
/// when requests are not logged: the router's request log would miss the requests answered here.
final class TileFastPathHandler<Store: LedgerStore>: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The route under which the router counts tile requests (`RequestContext.endpointPath`).
    static var metricsRoute: String { "/tile/**" }

    private let log: PublishedLog<Store>
    private let metrics: ServerMetrics?
    /// Requests passed on whose response has not ended.
    private var passedOn = 0
    /// What is done with the parts of the request being read.
    private var reading = Reading.passingOn
    /// Whether a reply was written since the last flush.
    private var hasUnflushedReply = false
    private var isReadHeld = false
    private var unwritten = UnwrittenReplies()
    private var date = HTTPDateCache()

    private enum Reading {
        case passingOn
        case answering(ByteBuffer, started: ContinuousClock.Instant)
    }

    init(log: PublishedLog<Store>, metrics: ServerMetrics?) {
        self.log = log
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if passedOn == 0, let body = cachedTile(for: request) {
                reading = .answering(body, started: .now)
                return
            }
            passedOn += 1
            reading = .passingOn
            context.fireChannelRead(data)
        case .body:
            // A request with a body is never answered here (`cachedTile(for:)`).
            context.fireChannelRead(data)
        case .end:
            guard case .answering(let body, let started) = reading else {
                context.fireChannelRead(data)
                return
            }
            reading = .passingOn
            reply(context: context, body: body)
            metrics?.recordAnsweredOnEventLoop(
                method: "GET", route: Self.metricsRoute, status: 200, duration: .now - started)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if hasUnflushedReply {
            hasUnflushedReply = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// Reading stops while the channel is not writable (a client that does not read its
    /// replies), as the router's writer waits: the replies held in memory stay bounded.
    func read(context: ChannelHandlerContext) {
        guard context.channel.isWritable else {
            isReadHeld = true
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, isReadHeld {
            isReadHeld = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    /// The router's replies are counted until written, as ours are (``UnwrittenReplies``).
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        passedOn = max(0, passedOn - 1)
        context.write(data, promise: unwritten.promise(self, context: context, then: promise) { $0.replyWritten($1) })
    }

    /// The cached body of the tile `request` asks for, when it may be answered here.
    private func cachedTile(for request: HTTPRequest) -> ByteBuffer? {
        guard request.method == .get, let path = request.path, path.hasPrefix("/tile/") else { return nil }
        let fields = request.headerFields
        guard fields[.contentLength] == nil, fields[.transferEncoding] == nil, fields[.expect] == nil else {
            return nil
        }
        if let connection = fields[.connection], connection.lowercased() != "keep-alive" { return nil }
        guard let tile = TilePath(parsing: path.dropFirst("/tile/".count)) else { return nil }
        return log.cachedTileBody(tile)
    }

    private func reply(context: ChannelHandlerContext, body: ByteBuffer) {
        let written = unwritten.promise(self, context: context) { handler, context in handler.replyWritten(context) }
        writeReply(
            ReplyParts(status: .ok, fields: tileHeaderFields, body: body), context: context, date: date.now(),
            written: written)
        hasUnflushedReply = true
    }

    private func replyWritten(_ context: ChannelHandlerContext) {
        if unwritten.written(busy: passedOn > 0) { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
    }

    /// A half-close waits until every request read is answered and written (``UnwrittenReplies``).
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if unwritten.holds(event, busy: passedOn > 0) { return }
        context.fireUserInboundEventTriggered(event)
    }

}

/// The `Date` field value (RFC 9110 §5.6.7 IMF-fixdate), formatted once a second.
package struct HTTPDateCache {
    private var second = -1
    private var value = ""

    package init() {}

    /// The value for the current second.
    package mutating func now() -> String {
        var t = time(nil)
        guard t != second else { return value }
        second = t
        var parts = tm()
        gmtime_r(&t, &parts)
        value = HTTPDateCache.format(parts)
        return value
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` for `parts` (UTC).
    package static func format(_ parts: tm) -> String {
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
            + "\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
