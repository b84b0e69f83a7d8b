import HTTPTypes
import Hummingbird
import LedgerCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Answers `POST /api/v1/entries` on the connection's event loop, without handing the
/// request to the router (specs/api.md, Write API): the same checks, in the same order, by the
/// same code (``WriteRoutes/charge(_:_:)``, ``GroupCommitter``, ``WriteRoutes/answer(_:_:logger:)``),
/// and the same reply byte for byte, without a task's hops between the event loop and the
/// concurrency pool for each request.
///
/// **What is answered here.** A `POST` of exactly `/api/v1/entries` (no query: `?wait=1` goes to
/// the router) with `Content-Type: application/json`, a `Content-Length` of at most 65,535
/// bytes, no `Transfer-Encoding` or `Expect`, a `Connection` field absent or `keep-alive`, on a
/// connection with no earlier request unanswered. Its body is read here; when it parses as a
/// signed statement whose signature verifies and whose signer the ledger knows, the signer's
/// rate budget is charged and the statement queued for the group commit, and the outcome is
/// answered when the commit ends. Anything else — a body that does not parse, a bad
/// signature, an unknown or revoked signer (which the router's check may refresh) — is passed
/// to the router exactly as it was read, and the router answers it.
///
/// **Order.** While a statement is being committed nothing is passed on: the parts of later
/// requests already read are held, and reading stops (the outbound `read` is held back), so
/// what is held stays within one read; they are handled in order once the reply is written.
/// A quiesce event (graceful shutdown) is held too while a request is being read or committed
/// here, so that the connection is not closed before its reply is written.
final class WriteFastPathHandler<Rules: LedgerRules, Store: LedgerStore>: ChannelDuplexHandler,
    RemovableChannelHandler
{
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The route under which the router counts these requests (`RequestContext.endpointPath`).
    static var metricsRoute: String { "/api/v1/entries" }

    private let routes: WriteRoutes<BasicRequestContext, Rules, Store>
    private let metrics: ServerMetrics?
    private let logger: Logger
    /// Requests passed on whose response has not ended.
    private var passedOn = 0
    private var state = State.idle
    /// Parts read while a statement is being committed, handled after its reply.
    private var held: [HTTPRequestPart] = []
    private var isReadHeld = false
    private var isQuiesceHeld = false
    private var unwritten = UnwrittenReplies()
    private var hasUnflushedReply = false
    private var date = HTTPDateCache()

    private enum State {
        case idle
        case passingOn
        case reading(HTTPRequest, ByteBuffer, started: ContinuousClock.Instant)
        case committing(started: ContinuousClock.Instant)
    }

    init(writer: LogWriter<Rules, Store>, metrics: ServerMetrics?, logger: Logger) {
        self.routes = WriteRoutes(writer: writer)
        self.metrics = metrics
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .committing = state {
            held.append(part)
            return
        }
        handle(part, context: context)
    }

    private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let request):
            if passedOn == 0, let length = Self.acceptedLength(request) {
                state = .reading(request, context.channel.allocator.buffer(capacity: length), started: .now)
                return
            }
            passedOn += 1
            state = .passingOn
            context.fireChannelRead(wrapInboundOut(part))
        case .body(let bytes):
            guard case .reading(let request, var body, let started) = state else {
                context.fireChannelRead(wrapInboundOut(part))
                return
            }
            state = .idle  // the buffer is unique while it grows
            body.writeImmutableBuffer(bytes)
            state = .reading(request, body, started: started)
        case .end(let trailers):
            guard case .reading(let request, let body, let started) = state else {
                state = .idle
                context.fireChannelRead(wrapInboundOut(part))
                return
            }
            guard trailers == nil, let admitted = admit(body) else {
                passOn(request, body, context: context)
                return
            }
            state = .committing(started: started)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            routes.writer.committer.submit(admitted.statement) { outcome in
                bound.eventLoop.execute {
                    let (handler, context) = bound.value
                    handler.committed(outcome, admitted, context: context)
                }
            }
        }
    }

    /// The declared body length of a request answered here, or nil.
    private static func acceptedLength(_ request: HTTPRequest) -> Int? {
        guard request.method == .post, request.path == "/api/v1/entries" else { return nil }
        let fields = request.headerFields
        guard let type = fields[.contentType], WriteRoutes<BasicRequestContext, Rules, Store>.isJSON(type),
            fields[.transferEncoding] == nil, fields[.expect] == nil,
            let declared = fields[.contentLength], let length = Int(declared), length >= 0,
            length <= WriteRoutes<BasicRequestContext, Rules, Store>.maxBodySize
        else { return nil }
        if let connection = fields[.connection], connection.lowercased() != "keep-alive" { return nil }
        return length
    }

    /// The statement of `body` verified and charged, or nil to let the router answer (it
    /// repeats the checks and answers the one that fails, a `429` included).
    private func admit(_ body: ByteBuffer) -> WriteRoutes<BasicRequestContext, Rules, Store>.Admitted? {
        guard let json = try? JSONParser.parse(Array(body.readableBytesView)),
            let signed = try? SignedStatement(json: json),
            let statement = try? VerifiedStatement(verifying: signed),
            routes.writer.ledger.signerRefusal(signed.statement.signer) == nil
        else { return nil }
        return try? routes.charge(signed, statement).get()
    }

    /// Hands the request to the router as it was read.
    private func passOn(_ request: HTTPRequest, _ body: ByteBuffer, context: ChannelHandlerContext) {
        passedOn += 1
        state = .idle
        context.fireChannelRead(wrapInboundOut(.head(request)))
        if body.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(.body(body))) }
        context.fireChannelRead(wrapInboundOut(.end(nil)))
        // The router has the request now: the connection closes after its reply.
        releaseQuiesce(context: context)
    }

    private func committed(
        _ outcome: GroupCommitter<Rules, Store>.Outcome,
        _ admitted: WriteRoutes<BasicRequestContext, Rules, Store>.Admitted, context: ChannelHandlerContext
    ) {
        guard case .committing(let started) = state else { return }
        let parts: ReplyParts
        switch routes.answer(outcome, admitted, logger: logger) {
        case .success(let reply): parts = reply.parts(.accepted)
        case .failure(let problem): parts = problem.parts
        }
        // Counted before the reply leaves, so that a client that reads the metrics next sees it.
        metrics?.recordAnsweredOnEventLoop(
            method: "POST", route: Self.metricsRoute, status: parts.status.code, duration: .now - started)
        let written = unwritten.promise(self, context: context) { handler, context in handler.replyWritten(context) }
        writeReply(parts, context: context, date: date.now(), written: written)
        context.flush()
        state = .idle
        // What was held, in order, until another statement is being committed; what is passed
        // on is delivered (the async channel hands reads over on read-complete).
        let wasHolding = !held.isEmpty
        while !held.isEmpty {
            if case .committing = state { break }
            handle(held.removeFirst(), context: context)
        }
        if wasHolding { context.fireChannelReadComplete() }
        if case .committing = state { return }
        releaseQuiesce(context: context)
        // The reply may have been written during the flush, while this request still counted.
        if unwritten.release(busy: isBusy) { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
        if isReadHeld, context.channel.isWritable {
            isReadHeld = false
            context.read()
        }
    }

    /// Reading stops while a statement is being committed, and while the channel is not
    /// writable (a client that does not read its replies): what is read is bounded.
    func read(context: ChannelHandlerContext) {
        if case .committing = state {
            isReadHeld = true
            return
        }
        guard context.channel.isWritable else {
            isReadHeld = true
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, isReadHeld, !isCommitting {
            isReadHeld = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    private var isCommitting: Bool {
        if case .committing = state { return true }
        return false
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // A request of ours is under way: the connection closes after its reply.
        if event is ChannelShouldQuiesceEvent, isBusyHere {
            isQuiesceHeld = true
            return
        }
        if unwritten.holds(event, busy: isBusy) { return }
        context.fireUserInboundEventTriggered(event)
    }

    /// A request is being read or committed here.
    private var isBusyHere: Bool {
        switch state {
        case .reading, .committing: true
        case .idle, .passingOn: false
        }
    }

    /// A request is unanswered: here, or passed on.
    private var isBusy: Bool { isBusyHere || passedOn > 0 }

    /// Passes on a quiesce event held while a request of ours was under way.
    private func releaseQuiesce(context: ChannelHandlerContext) {
        guard isQuiesceHeld else { return }
        isQuiesceHeld = false
        context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }

    private func replyWritten(_ context: ChannelHandlerContext) {
        if unwritten.written(busy: isBusy) { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
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
}

/// Writes `parts` as Hummingbird's response writer does: the fields, then `Content-Length`
/// and `Date`, then the body; `written` completes when the reply is on the wire (or failed).
func writeReply(
    _ parts: ReplyParts, context: ChannelHandlerContext, date: String, written: EventLoopPromise<Void>? = nil
) {
    var fields = parts.fields
    fields[.contentLength] = String(parts.body.readableBytes)
    fields[.date] = date
    context.write(NIOAny(HTTPResponsePart.head(HTTPResponse(status: parts.status, headerFields: fields))), promise: nil)
    if parts.body.readableBytes > 0 { context.write(NIOAny(HTTPResponsePart.body(parts.body)), promise: nil) }
    context.write(NIOAny(HTTPResponsePart.end(nil)), promise: written)
}

/// The replies not yet on the wire, and a half-close held until every request read is answered
/// and written. When the client shuts its side down (`ChannelEvent.inputClosed`), Hummingbird
/// closes the connection, and the replies still queued (those written on the event loop, and
/// its own when writes are pending) would be dropped; so the event is passed on only once
/// nothing is outstanding: no request passed on unanswered, no reply unwritten.
struct UnwrittenReplies {
    private(set) var count = 0
    private var isInputClosedHeld = false

    /// A promise for a reply's end, counted until it completes, when `done` is called (on the
    /// event loop) with the handler and its context.
    /// `then`, when given, completes with it (the promise of a write passed on).
    mutating func promise<H: ChannelHandler>(
        _ handler: H, context: ChannelHandlerContext, then: EventLoopPromise<Void>? = nil,
        done: @escaping (H, ChannelHandlerContext) -> Void
    ) -> EventLoopPromise<Void> {
        count += 1
        let promise = context.eventLoop.makePromise(of: Void.self)
        if let then { promise.futureResult.cascade(to: then) }
        let bound = NIOLoopBound((handler, context, done), eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { _ in
            let (handler, context, done) = bound.value
            done(handler, context)
        }
        return promise
    }

    /// Counts a reply written; true when a held half-close is now to be passed on (nothing
    /// unwritten, and not `busy`: no request outstanding).
    mutating func written(busy: Bool) -> Bool {
        count -= 1
        return release(busy: busy)
    }

    /// True when a held half-close is to be passed on now.
    mutating func release(busy: Bool) -> Bool {
        guard isInputClosedHeld, count == 0, !busy else { return false }
        isInputClosedHeld = false
        return true
    }

    /// Whether `event` is a half-close to hold (replies unwritten, or `busy`); it is then held.
    mutating func holds(_ event: Any, busy: Bool) -> Bool {
        guard let event = event as? ChannelEvent, event == .inputClosed, count > 0 || busy else { return false }
        isInputClosedHeld = true
        return true
    }
}
