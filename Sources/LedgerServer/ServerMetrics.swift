import Hummingbird
import LedgerCore
import Metrics
import Prometheus
import Synchronization

/// The server's Prometheus metrics, served at `GET /metrics` in the text exposition format
/// (specs/api.md, Metrics). Every name starts with `ledger_`; label values come from bounded
/// sets (route patterns, known methods, status codes, configured witness names), so no client
/// can grow the registry.
///
/// The write path records appends and fsyncs through ``recordAppend(count:)`` and
/// ``recordFsync(seconds:)``; code that prefers swift-metrics' API records through ``factory``.
package final class ServerMetrics: Sendable {
    /// Where every metric is kept; ``render()`` writes it out.
    package let registry: PrometheusCollectorRegistry
    /// swift-metrics' factory over ``registry``, for `Counter(label:dimensions:factory:)` and the like
    /// (nothing is bootstrapped globally, so servers in one process keep their metrics apart).
    package let factory: PrometheusMetricsFactory

    private let checkpointSize: Prometheus.Gauge
    private let checkpointAge: Prometheus.Gauge
    private let appends: Prometheus.Counter
    private let fsync: DurationHistogram
    /// The request counter and timer of each method, route and status, made once (the registry's
    /// own lookup builds the label set each time). Bounded like the labels.
    private let requestHandlers = Mutex<[RequestKey: RequestHandlers]>([:])
    private let answeredOnEventLoop = Mutex<[String: Prometheus.Counter]>([:])
    /// The checkpoint body last seen published and when it was first seen.
    private let published = Mutex<(body: String, since: ContinuousClock.Instant)?>(nil)

    private struct RequestKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    private struct RequestHandlers: Sendable {
        let count: any CounterHandler
        let duration: any TimerHandler
    }

    /// The methods that get a label of their own; any other is counted as `other`.
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]

    package init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = ServerMetrics.latencyBuckets
        self.factory = factory
        checkpointSize = registry.makeGauge(
            descriptor: ServerMetrics.name("checkpoint", "size", "Entries covered by the published checkpoint."))
        checkpointAge = registry.makeGauge(
            descriptor: ServerMetrics.name(
                "checkpoint_age", "seconds",
                "Seconds since the published checkpoint changed (a new size or root); 0 before the first."))
        appends = registry.makeCounter(
            descriptor: ServerMetrics.name("appends", "total", "Entries appended by this server."))
        fsync = registry.makeDurationHistogram(
            descriptor: ServerMetrics.name(
                "fsync_duration", "seconds", "Time of each group commit of the write API: its checks and its fsyncs."),
            buckets: ServerMetrics.latencyBuckets)
    }

    /// Latency buckets, 0.5 ms to 10 s.
    static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    // MARK: Hooks

    /// Counts `count` entries appended (a group commit calls it once with its batch size).
    package func recordAppend(count: Int) {
        guard count > 0 else { return }
        appends.increment(by: Int64(count))
    }

    /// A request answered on the event loop (``TileFastPathHandler``, ``WriteFastPathHandler``):
    /// counted as the router counts it, and in `ledger_http_requests_answered_on_event_loop_total`.
    package func recordAnsweredOnEventLoop(method: String, route: String, status: Int, duration: Duration) {
        let counter = answeredOnEventLoop.withLock { counters in
            if let counter = counters[route] { return counter }
            let counter = registry.makeCounter(
                descriptor: ServerMetrics.name(
                    "http_requests_answered_on_event_loop", "total",
                    "Requests answered on the connection's event loop, before the router (in ledger_http_requests_total too)."
                ),
                labels: [("route", route)])
            counters[route] = counter
            return counter
        }
        counter.increment()
        recordRequest(method: method, route: route, status: status, duration: duration)
    }

    /// Records one fsync of the store that took `seconds`.
    package func recordFsync(seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        fsync.record(.nanoseconds(Int64(min(seconds, 1e9) * 1e9)))
    }

    /// Records one HTTP request: `route` is the matched route pattern (`/tile/**`; `NotFound` when no
    /// route matched), never the path.
    package func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let method = ServerMetrics.knownMethods.contains(method) ? method : "other"
        let key = RequestKey(method: method, route: route, status: status)
        let handlers =
            requestHandlers.withLock { $0[key] }
            ?? {
                let dimensions = [("method", key.method), ("route", route), ("status", String(status))]
                let made = RequestHandlers(
                    count: factory.makeCounter(label: "ledger_http_requests_total", dimensions: dimensions),
                    duration: factory.makeTimer(label: "ledger_http_request_duration_seconds", dimensions: dimensions))
                return requestHandlers.withLock { handlers in
                    if let earlier = handlers[key] { return earlier }
                    handlers[key] = made
                    return made
                }
            }()
        handlers.count.increment(by: 1)
        handlers.duration.recordNanoseconds(duration.nanoseconds)
    }

    /// Notes the published checkpoint: its size, and the time its body (origin, size, root)
    /// changed. Cosignatures added to the same checkpoint are not a change.
    package func observe(checkpoint: SignedCheckpoint?, now: ContinuousClock.Instant = .now) {
        guard let checkpoint else { return }
        let body = checkpoint.note.text
        let since = published.withLock { state -> ContinuousClock.Instant in
            if let state, state.body == body { return state.since }
            state = (body, now)
            return now
        }
        checkpointSize.set(Int64(clamping: checkpoint.checkpoint.size))
        checkpointAge.set((now - since) / .seconds(1))
    }

    /// Records what the witness client knows of `witness`: the last size it cosigned and the
    /// published size, whose difference is the witness's lag.
    package func recordWitness(_ witness: String, cosignedSize: UInt64, publishedSize: UInt64) {
        let labels = [("witness", witness)]
        registry.makeGauge(
            descriptor: ServerMetrics.name(
                "witness_cosigned", "size", "The largest checkpoint size the witness cosigned for this server."),
            labels: labels
        ).set(Int64(clamping: cosignedSize))
        registry.makeGauge(
            descriptor: ServerMetrics.name(
                "witness_lag", "", "Published checkpoint size minus the size the witness last cosigned."),
            labels: labels
        ).set(Int64(clamping: publishedSize) - Int64(clamping: min(cosignedSize, publishedSize)))
    }

    /// Counts one failed submission to `witness` (network, HTTP status or a bad cosignature).
    package func recordWitnessError(_ witness: String) {
        registry.makeCounter(
            descriptor: ServerMetrics.name(
                "witness_submission_errors", "total", "Failed checkpoint submissions to the witness."),
            labels: [("witness", witness)]
        ).increment()
    }

    /// `ledger_<metric>_<unit>` with its help text.
    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "ledger", metricName: metric, unitName: unit, helpText: help)
    }

    /// The metrics in the Prometheus text exposition format (version 0.0.4).
    package func render() -> [UInt8] { registry.emitToBuffer() }

    /// The exposition format's content type.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}

/// Counts each request and its latency by method, route pattern and status (``ServerMetrics``).
package struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    package let metrics: ServerMetrics

    package init(metrics: ServerMetrics) { self.metrics = metrics }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.recordRequest(
                method: request.method.rawValue, route: context.endpointPath ?? "NotFound",
                status: response.status.code, duration: .now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.recordRequest(
                method: request.method.rawValue, route: context.endpointPath ?? "NotFound", status: status,
                duration: .now - start)
            throw error
        }
    }
}

/// `GET /metrics`: ``ServerMetrics`` in the Prometheus text format, after noting the checkpoint
/// that `published` returns (so the age is current at every scrape).
package func metricsRoutes<Context: RequestContext>(
    _ metrics: ServerMetrics, context: Context.Type = Context.self,
    published: @escaping @Sendable () -> SignedCheckpoint? = { nil }
) -> RouteCollection<Context> {
    RouteCollection(context: Context.self).get("metrics") { _, _ -> Response in
        metrics.observe(checkpoint: published())
        return .bytes(metrics.render(), type: ServerMetrics.contentType, cache: HeaderValues.noCache)
    }
}

extension Duration {
    /// The duration in whole nanoseconds (for durations of up to about 292 years).
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
