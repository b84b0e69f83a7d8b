import Foundation
import LedgerCore
import LedgerServer
import LedgerTestSupport
import LedgerWeb
import Testing

/// The shared events of `GET /api/v1/events`: built once per checkpoint for every client, and
/// a bounded history for `Last-Event-ID`.
@Suite struct EventWindowTests {
    /// Quick events that keep the last `limit` entries' events.
    static func keeping(_ limit: Int64) -> EventStreamConfiguration {
        var c = quickEvents()
        c.replayLimit = limit
        return c
    }

    /// Many clients that resume from entry 0 are sent the kept events, after a `truncated`
    /// event, and none of them makes the server read the ledger or build an event again.
    @Test func manyClientsResumingFromZeroAreSentTheKeptEventsAndReadNothing() async throws {
        try await withSampleServer("resume-zero", events: Self.keeping(10)) { server in
            let first = try server.subscribe(headers: ["Last-Event-ID": "0"])
            // Entry 99 is a position: its `position` event is the last one.
            #expect(try await first.read(until: { $0.contains("id: 99\nevent: position\n") }))
            let expected = ParsedEvent.parse(first.body)
            #expect(expected.first?.event == "truncated")
            #expect(expected.first?.id == "89")
            let notice = try JSONParser.parse(Array((expected.first?.data ?? "").utf8))
            #expect(notice == ["from": 1, "resumedAt": 90])
            // Entries 90 to 99 (positions and decisions add their own events).
            let ids = expected.dropFirst().compactMap { $0.id.flatMap { Int($0) } }
            #expect(Set(ids) == Set(90..<100))
            #expect(ids == ids.sorted())
            let built = server.events.window.entriesBuilt
            let replayed = server.events.view.entriesReplayed
            #expect(built == 10)
            #expect(server.events.window.entries == 90..<100)
            var clients: [EventStreamTestClient] = []
            for _ in 0..<30 { clients.append(try server.subscribe(headers: ["Last-Event-ID": "0"])) }
            for c in clients {
                #expect(try await EventStreamTests.events(c, count: expected.count) == expected)
            }
            #expect(server.events.window.entriesBuilt == built)
            #expect(server.events.view.entriesReplayed == replayed)
        }
    }

    /// A resume inside the kept events is sent exactly the events after it, with no notice.
    @Test func aResumeInsideTheKeptEventsIsNotTruncated() async throws {
        try await withSampleServer("resume-inside", events: Self.keeping(10)) { server in
            let client = try server.subscribe(headers: ["Last-Event-ID": "95"])
            let events = try await EventStreamTests.events(client, count: 8)
            #expect(events.map { $0.id ?? "-" } == ["96", "96", "97", "97", "98", "98", "99", "99"])
            #expect(try await !client.read(until: { ParsedEvent.parse($0).count > 8 }, seconds: 0.3))
        }
    }

    /// A new checkpoint's events are built once, whatever the number of clients, and each
    /// client is sent all of them.
    @Test func aCheckpointsEventsAreBuiltOnceForAllClients() async throws {
        try await withSampleServer("fan-out", events: Self.keeping(10)) { server in
            var clients: [EventStreamTestClient] = []
            for _ in 0..<8 { clients.append(try server.subscribe()) }
            for c in clients { try await EventStreamTests.connected(c) }
            let built = server.events.window.entriesBuilt
            let replayed = server.events.view.entriesReplayed
            try EventStreamTests.appendAndPublish(server)
            var all: [[ParsedEvent]] = []
            for c in clients { all.append(try await EventStreamTests.events(c, count: 4)) }
            #expect(
                all.allSatisfy {
                    $0.map { "\($0.id ?? "-") \($0.event ?? "-")" } == [
                        "100 entry", "100 position", "101 entry", "101 decision",
                    ]
                })
            #expect(all.allSatisfy { $0 == all[0] })
            #expect(server.events.window.entriesBuilt == built + 2)
            #expect(server.events.view.entriesReplayed == replayed + 2)
            // The window keeps the last 10 entries' events (whole steps of 2).
            #expect(server.events.window.entries == 92..<102)
        }
    }

    /// A checkpoint that covers more new entries than are kept has only the last ones built;
    /// a live client is told the others were truncated, then sent the kept ones.
    @Test func moreNewEntriesThanAreKeptAreSentAsATruncatedNotice() async throws {
        try await withSampleServer("skip", events: Self.keeping(1)) { server in
            let client = try server.subscribe()
            try await EventStreamTests.connected(client)
            #expect(server.events.window.entries == 99..<100)
            #expect(server.events.window.entriesBuilt == 1)
            try EventStreamTests.appendAndPublish(server)
            let events = try await EventStreamTests.events(client, count: 3)
            #expect(
                events.map { "\($0.id ?? "-") \($0.event ?? "-")" } == ["100 truncated", "101 entry", "101 decision"])
            #expect(try JSONParser.parse(Array(events[0].data.utf8)) == ["from": 100, "resumedAt": 101])
            #expect(server.events.window.entriesBuilt == 2)
            #expect(server.events.window.entries == 101..<102)
        }
    }

    /// The routes that need the published state answer 500, never a state built from a line
    /// changed after the server checked it (the cause of CI's `entry 5: … no charter for forum
    /// "G8"`); once the line is restored they answer from the published entries.
    @Test func aLineChangedBeforeTheStateIsBuiltIsA500NotAForgedState() async throws {
        var quiet = quickEvents()
        quiet.checkInterval = .seconds(3600)
        try await withSampleServer("forged-state", events: quiet) { server in
            let path = server.dir + "/entries.jsonl"
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            let text = String(decoding: original, as: UTF8.self)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines[99].contains("\"stance\":\"reserve\""))
            lines[99] = lines[99].replacingOccurrences(of: "\"stance\":\"reserve\"", with: "\"stance\":\"support\"")
            try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
            for route in ["/api/v1/proposals/RCEP-TF-2026-02", "/api/v1/status"] {
                let r = try await server.get(route)
                #expect(r.status == 500, "\(route): \(r.body.prefix(300))")
                #expect(r.header("content-type") == "application/problem+json", "\(route)")
            }
            try original.write(to: URL(fileURLWithPath: path))
            let p = try await server.json("/api/v1/proposals/RCEP-TF-2026-02")
            let kr = p["positions"]?.arrayValue?.first { $0["party"] == "KR" }
            #expect(kr?["stance"] == "reserve")
        }
    }
}
