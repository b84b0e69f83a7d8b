import Foundation
import LedgerCore
import LedgerCrypto
import LedgerServer
import Testing

/// `GET /metrics` (Prometheus text format) and `GET /witness/logs`, after real requests.
@Suite struct MetricsTests {
    @Test func requestsAreCountedAndTimedByMethodRoutePatternAndStatus() async throws {
        let sample = try SampleCopy(tag: "metrics")
        defer { sample.remove() }
        let metrics = ServerMetrics()
        let server = try await RunningServer.start(sample.log, extras: ServerExtras(metrics: metrics))
        #expect(try await server.get("/checkpoint").status == 200)
        #expect(try await server.get("/checkpoint").status == 200)
        #expect(try await server.get("/tile/0/000.p/5").status == 200)
        #expect(try await server.get("/tile/0/x000/005").status == 404)
        #expect(try await server.get("/no/such/path").status == 404)
        let brew = try await withCheckedThrowingContinuation { c in
            Thread {
                c.resume(with: Result { try HTTPTestClient.getBlocking(port: server.port, "/x", method: "BREW") })
            }
            .start()
        }
        #expect(brew.status >= 400)
        let r = try await server.get("/metrics")
        await server.stop()
        #expect(r.status == 200)
        #expect(r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let text = r.text
        let requests = "ledger_http_requests_total"
        #expect(metricValue(text, requests + "{method=\"GET\",route=\"/checkpoint\",status=\"200\"}") == 2, "\(text)")
        #expect(metricValue(text, requests + "{method=\"GET\",route=\"/tile/**\",status=\"200\"}") == 1)
        #expect(metricValue(text, requests + "{method=\"GET\",route=\"/tile/**\",status=\"404\"}") == 1)
        #expect(metricValue(text, requests + "{method=\"GET\",route=\"NotFound\",status=\"404\"}") == 1)
        // An unknown method does not become a label value of its own.
        #expect(!text.contains("BREW"))
        metrics.recordRequest(method: "BREW", route: "NotFound", status: 404, duration: .milliseconds(1))
        let after = String(decoding: metrics.render(), as: UTF8.self)
        #expect(metricValue(after, requests + "{method=\"other\",route=\"NotFound\",status=\"404\"}") == 1)
        #expect(!after.contains("BREW"))
        #expect(
            metricValue(
                text, "ledger_http_request_duration_seconds_count{method=\"GET\",route=\"/checkpoint\",status=\"200\"}")
                == 2)
        #expect(metricValue(text, "ledger_checkpoint_size") == 100)
        let age = try #require(metricValue(text, "ledger_checkpoint_age_seconds"))
        #expect(age >= 0 && age < 60)
        #expect(text.contains("# TYPE ledger_http_requests_total counter"))
        #expect(text.contains("# TYPE ledger_http_request_duration_seconds histogram"))
    }

    @Test func theAppendAndFsyncHooksShowInTheExposition() {
        let metrics = ServerMetrics()
        metrics.recordAppend(count: 3)
        metrics.recordAppend(count: 2)
        metrics.recordAppend(count: 0)
        metrics.recordFsync(seconds: 0.004)
        metrics.recordFsync(seconds: .nan)
        let text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(metricValue(text, "ledger_appends_total") == 5, "\(text)")
        #expect(metricValue(text, "ledger_fsync_duration_seconds_count") == 1)
        #expect(metricValue(text, "ledger_fsync_duration_seconds_bucket{le=\"0.0025\"}") == 0)
        #expect(metricValue(text, "ledger_fsync_duration_seconds_bucket{le=\"0.005\"}") == 1)
    }

    @Test func theCheckpointAgeCountsFromTheLastChangeOfTheCheckpointNotOfItsCosignatures() throws {
        let sample = try SampleCopy(tag: "metrics-age")
        defer { sample.remove() }
        let metrics = ServerMetrics()
        let t0 = ContinuousClock.now
        let first = try SignedCheckpoint(note: try sample.checkpoint(size: 50))
        metrics.observe(checkpoint: first, now: t0)
        var cosigned = first
        cosigned.note.cosign(with: try NoteSignerKey.generate(name: "witness.example"), time: 1_700_000_000)
        metrics.observe(checkpoint: cosigned, now: t0 + .seconds(5))
        var text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(metricValue(text, "ledger_checkpoint_age_seconds") == 5)
        #expect(metricValue(text, "ledger_checkpoint_size") == 50)
        metrics.observe(checkpoint: try SignedCheckpoint(note: try sample.checkpoint(size: 100)), now: t0 + .seconds(7))
        text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(metricValue(text, "ledger_checkpoint_age_seconds") == 0)
        #expect(metricValue(text, "ledger_checkpoint_size") == 100)
    }

    @Test func aWitnessServesMetricsAndItsLogsForMonitoring() async throws {
        let sample = try SampleCopy(tag: "metrics-witness")
        defer { sample.remove() }
        let key = try NoteSignerKey.generate(name: "witness.G7-JP.demo")
        let other = "example.com/other-log"
        let state = tempPath("wlogs")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let endpoint = try makeWitness(
            key: key,
            logs: [
                sample.origin: [sample.operatorKey.verifierKey],
                other: [try NoteSignerKey.generate(name: other).verifierKey],
            ], state: state)
        let metrics = ServerMetrics()
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            try await runWitnessServer(
                witness: endpoint, configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
                logger: quietLogger("test.witness"), handlingSignals: false, extras: ServerExtras(metrics: metrics)
            ) { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        let server = RunningServer(port: try #require(await iterator.next()), task: task)
        let before = Date().timeIntervalSince1970
        let note = try sample.checkpoint(size: 100)
        #expect(try await server.add(addCheckpointBody(old: 0, note)).status == 200)
        let r = try await server.get("/witness/logs")
        #expect(r.headers["cache-control"] == "no-cache")
        let m = try await server.get("/metrics").text
        await server.stop()
        #expect(r.status == 200)
        #expect(r.headers["content-type"] == "application/json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
        #expect(json["witness"] as? String == "witness.G7-JP.demo")
        let logs = try #require(json["logs"] as? [[String: Any]])
        #expect(logs.map { $0["origin"] as? String } == [sample.origin, other].sorted())
        let mine = try #require(logs.first { $0["origin"] as? String == sample.origin })
        #expect(mine["size"] as? Int == 100)
        #expect(mine["root"] as? String == (try Checkpoint(text: note.text)).root.base64)
        let time = try #require(mine["time"] as? String)
        let stored = try #require(Timestamp(rfc3339: time))
        #expect(Double(stored.secondsSinceEpoch) >= before.rounded(.down) - 1)
        let none = try #require(logs.first { $0["origin"] as? String == other })
        #expect(none["size"] as? Int == 0 && none["root"] is NSNull && none["time"] is NSNull)
        #expect(
            metricValue(
                m, "ledger_http_requests_total{method=\"POST\",route=\"/witness/add-checkpoint\",status=\"200\"}")
                == 1, "\(m)")
    }
}
