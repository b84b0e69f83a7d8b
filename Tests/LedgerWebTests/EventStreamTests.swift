import Foundation
import LedgerCore
import LedgerServer
import LedgerTestSupport
import LedgerWeb
import Testing

/// `GET /api/v1/events` on copies of the sample ledger, with real appends and checkpoints.
@Suite struct EventStreamTests {
    /// Appends two entries with the CLI (entry 100: RCEP-JP lifts its reserve; entry 101: the G7
    /// secretariat records G7-SME-2026-02 as blocked), signs a checkpoint and publishes it.
    static func appendAndPublish(_ server: WebServer) throws {
        try cli(["position", server.dir, "RCEP-TF-2026-02", "--key", demoKey("RCEP-JP"), "--stance", "support"])
        try cli(["decide", server.dir, "G7-SME-2026-02", "--key", demoKey("G7-secretariat"), "--outcome", "blocked"])
        try cli(["checkpoint", server.dir, "--sign", "--key", operatorKey])
        try server.log.refresh()
    }

    /// The events of `client` so far, once `count` have arrived.
    static func events(_ client: EventStreamTestClient, count: Int) async throws -> [ParsedEvent] {
        _ = try await client.read(until: { ParsedEvent.parse($0).count >= count })
        let events = ParsedEvent.parse(client.body)
        // Fewer on a timeout: a failed expectation, never an index out of range that ends the run.
        try #require(events.count >= count, "\(events.count) of \(count) events: \(client.body.suffix(500))")
        return events
    }

    static func connected(_ client: EventStreamTestClient) async throws {
        #expect(try await client.read(until: { $0.hasPrefix(": minilateral ledger events\n\n") }))
        #expect(client.status == 200)
        #expect(client.header("content-type") == "text/event-stream")
        #expect(client.header("cache-control") == "no-cache")
    }

    @Test func aNewCheckpointSendsEntryPositionAndDecisionEventsInEntryOrder() async throws {
        // A buffer of 2 messages, and 4 events: a client is told the checkpoint grew (one
        // message) and writes the events from the shared window, so it is not dropped.
        try await withSampleServer("sse", events: quickEvents(bufferLimit: 2)) { server in
            let client = try server.subscribe()
            try await Self.connected(client)
            try Self.appendAndPublish(server)
            let events = try await Self.events(client, count: 4)
            #expect(
                events.map { "\($0.id ?? "-") \($0.event ?? "-")" } == [
                    "100 entry", "100 position", "101 entry", "101 decision",
                ])
            guard events.count == 4 else { return }
            let data = try events.map { try JSONParser.parse(Array($0.data.utf8)) }
            #expect(data[0]["index"] == 100)
            #expect(data[0]["kind"] == "position")
            #expect(data[0]["signer"] == "RCEP-JP.demo")
            #expect(data[0]["time"]?.stringValue == testNow)
            #expect(data[0]["summary"] == "support on revision entry 94")
            #expect(data[1]["proposal"] == "RCEP-TF-2026-02")
            #expect(data[1]["party"] == "JP")
            #expect(data[1]["stance"] == "support")
            #expect(data[1]["was"] == "reserve")
            #expect(data[2]["kind"] == "decision")
            #expect(data[2]["signer"] == "G7-secretariat.demo")
            #expect(data[3]["proposal"] == "G7-SME-2026-02")
            #expect(data[3]["outcome"] == "blocked")
            // Each data field is one line of JSON.
            #expect(events.allSatisfy { !$0.data.contains("\n") })
            #expect(server.events.hub.through == 102)
            #expect(server.events.hub.clientCount == 1)

            // A client that resumes after entry 99 is sent the same events, from the state.
            let resumed = try server.subscribe(headers: ["Last-Event-ID": "99"])
            let replayed = try await Self.events(resumed, count: 4)
            #expect(replayed == events)
            // A client that saw everything is sent nothing more.
            let upToDate = try server.subscribe(headers: ["Last-Event-ID": "101"])
            try await Self.connected(upToDate)
            #expect(try await !upToDate.read(until: { !ParsedEvent.parse($0).isEmpty }, seconds: 0.5))
        }
    }

    /// A request that arrives after a new checkpoint builds that checkpoint's events before the
    /// service does; it must also tell the connected clients. (It once did not, and the service
    /// then found the events built and told no one: anyone polling `GET /api/v1/events` kept
    /// every dashboard from receiving entries.) The service never looks here (a check interval
    /// of an hour), so only the requests can deliver the events.
    @Test func aRequestThatBuildsANewCheckpointsEventsTellsTheConnectedClients() async throws {
        var configuration = quickEvents()
        configuration.checkInterval = .seconds(3600)
        try await withSampleServer("sse-race", events: configuration) { server in
            let client = try server.subscribe()
            try await Self.connected(client)
            try Self.appendAndPublish(server)
            let poller = try server.subscribe()
            try await Self.connected(poller)
            let events = try await Self.events(client, count: 4)
            #expect(
                events.map { "\($0.id ?? "-") \($0.event ?? "-")" } == [
                    "100 entry", "100 position", "101 entry", "101 decision",
                ])
            #expect(server.events.hub.through == 102)
            // The poller subscribed at the checkpoint published when it connected: it is sent
            // none of the events of the entries published before.
            #expect(try await !poller.read(until: { !ParsedEvent.parse($0).isEmpty }, seconds: 0.5))
        }
    }

    @Test func lastEventIDReplaysTheEntriesAfterItThenGoesLive() async throws {
        try await withSampleServer("resume") { server in
            // Entries 96–99 are positions on RCEP-TF-2026-02; replayed two entries at a time.
            let client = try server.subscribe(headers: ["Last-Event-ID": "95"])
            let replayed = try await Self.events(client, count: 8)
            #expect(replayed.map { $0.id ?? "-" } == ["96", "96", "97", "97", "98", "98", "99", "99"])
            #expect(
                replayed.map { $0.event ?? "-" } == Array(repeating: ["entry", "position"], count: 4).flatMap { $0 })
            let jp = try JSONParser.parse(Array(replayed[5].data.utf8))
            #expect(jp["party"] == "JP")
            #expect(jp["stance"] == "reserve")
            #expect(jp["was"] == .null)
            #expect(jp["reason"]?.stringValue?.hasPrefix("Overlaps G7-SME-2026-01") == true)
            // Then the live events, after the replay and without repeats.
            try Self.appendAndPublish(server)
            let all = try await Self.events(client, count: 12)
            #expect(all.count == 12)
            #expect(
                all.compactMap { $0.id.flatMap { Int($0) } } == all.compactMap { $0.id.flatMap { Int($0) } }.sorted())
            #expect(all.dropFirst(8).map { $0.id ?? "-" } == ["100", "100", "101", "101"])
        }
    }

    @Test(arguments: ["abc", "-1", "007", "1.5", ""])
    func aLastEventIDThatIsNoEntryIndexIs400(value: String) async throws {
        try await withSampleServer("bad-id") { server in
            let r = try await server.get("/api/v1/events", headers: ["Last-Event-ID": value])
            #expect(r.status == 400)
            #expect(r.header("content-type") == "application/problem+json")
            #expect(try JSONParser.parse(Array(r.body.utf8))["parameter"] == "Last-Event-ID")
            #expect(server.events.hub.clientCount == 0)
        }
    }

    /// The largest index a client can send resumes at the live end (it once overflowed `+ 1`
    /// and trapped, taking the whole server down), and the server goes on answering.
    @Test func aLastEventIDOfInt64MaxResumesLiveAndTheServerLives() async throws {
        try await withSampleServer("max-id", events: quickEvents(keepAlive: .milliseconds(100))) { server in
            let client = try server.subscribe(headers: ["Last-Event-ID": String(Int64.max)])
            #expect(try await client.read(until: { $0.contains(": keep-alive\n\n") }))
            #expect(ParsedEvent.parse(client.body).isEmpty)
            let status = try await server.get("/api/v1/status")
            #expect(status.status == 200)
        }
    }

    @Test func keepAliveCommentsAreSent() async throws {
        try await withSampleServer("keep-alive", events: quickEvents(keepAlive: .milliseconds(100))) { server in
            let client = try server.subscribe()
            #expect(try await client.read(until: { $0.components(separatedBy: ": keep-alive\n\n").count >= 3 }))
            #expect(ParsedEvent.parse(client.body).isEmpty)
        }
    }

    @Test func aDeadlineThatComesWithinTheHorizonIsAnnouncedOnce() async throws {
        let dir = try sampleCopy("deadline")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // CPTPP-ACC-CR's deadline is 2027-01-09T09:00Z, RCEP-TF-2026-02's 2027-01-17: with a horizon of
        // three days, neither is near on 2026-12-01; on 2027-01-07 only the first is.
        let clock = TestClock(testNow)
        let server = try await WebServer.start(dir, clock: clock.closure, events: quickEvents())
        do {
            let client = try server.subscribe()
            try await Self.connected(client)
            #expect(try await !client.read(until: { !ParsedEvent.parse($0).isEmpty }, seconds: 0.5))
            clock.set(Timestamp(rfc3339: "2027-01-07T00:00:00Z")!)
            let events = try await Self.events(client, count: 1)
            #expect(events.map { $0.event } == ["deadline"])
            #expect(events.first?.id == "99")
            let data = try JSONParser.parse(Array(events[0].data.utf8))
            #expect(data["proposal"] == "CPTPP-ACC-CR")
            #expect(data["deadline"] == "2027-01-09T09:00:00Z")
            #expect(data["secondsLeft"]?.integerValue == Int64(2 * 86_400 + 9 * 3_600))
            // Many checks later, still once.
            #expect(try await !client.read(until: { ParsedEvent.parse($0).count > 1 }, seconds: 0.6))
            // Deadline events are about now, not about an entry: a client that resumes is sent
            // the entries' events only.
            let resumed = try server.subscribe(headers: ["Last-Event-ID": "98"])
            let replayed = try await Self.events(resumed, count: 2)
            #expect(replayed.map { $0.event } == ["entry", "position"])
            #expect(try await !resumed.read(until: { ParsedEvent.parse($0).count > 2 }, seconds: 0.5))
            // A day later RCEP-TF-2026-02's comes near too: that one alone is announced.
            clock.set(Timestamp(rfc3339: "2027-01-15T00:00:00Z")!)
            let more = try await Self.events(client, count: 2)
            #expect(more.count == 2)
            #expect(
                try more.dropFirst().map { try JSONParser.parse(Array($0.data.utf8))["proposal"] } == [
                    "RCEP-TF-2026-02"
                ])
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func aClientThatDoesNotReadIsDroppedNotBuffered() async throws {
        try await withSampleServer("slow", events: quickEvents(bufferLimit: 4)) { server in
            // A client with a tiny receive buffer that reads nothing while events pour out.
            let slow = try server.subscribe(receiveBuffer: 2048)
            let reader = try server.subscribe()
            try await Self.connected(reader)
            for _ in 0..<200 where server.events.hub.clientCount < 2 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.events.hub.clientCount == 2)
            let event = ServerEvent(id: 1, name: "entry", data: .string(String(repeating: "x", count: 65_000))).text
            let size = event.utf8.count
            let prefix = ": minilateral ledger events\n\n".utf8.count
            var sent = 0
            // At most 1,000 events of 64 KB (64 MB) if nothing were dropped; the slow client
            // must be dropped long before, once the socket's buffers and its 4 events are full.
            while sent < 1_000 && server.events.hub.clientCount == 2 {
                server.events.hub.publish([event])
                sent += 1
                // The other client keeps up: it reads each event before the next is sent.
                let bytes = prefix + sent * size
                // Generous: the whole test suite may be running on two cores.
                guard try await reader.read(until: { $0.utf8.count >= bytes }, seconds: 60) else {
                    Issue.record("the reading client did not get event \(sent) within 60 s")
                    break
                }
            }
            #expect(server.events.hub.clientCount == 1, "the slow client was not dropped after \(sent) events")
            #expect(sent < 1_000)
            // The stream of the dropped client ends once it reads what was already on its way.
            #expect(try await slow.readToEnd(seconds: 30))
            #expect(ParsedEvent.parse(slow.body).count < sent)
            // The client that kept up still gets every event.
            let all = prefix + sent * size
            #expect(try await reader.read(until: { $0.utf8.count >= all }, seconds: 60))
            #expect(ParsedEvent.parse(reader.body).count == sent)
            #expect(!reader.ended)
        }
    }
}
