import Foundation
import LedgerCore
import LedgerTestSupport
import Testing

/// The JSON API on a copy of the sample ledger, each answer checked against the CLI's
/// `--json` answer to the same question (at the same instant, `LEDGER_NOW`).
@Suite struct JSONAPITests {
    @Test func statusCountsRestOnThePublishedCheckpointAsTheCLISays() async throws {
        try await withSampleServer("status") { server in
            let s = try await server.json("/api/v1/status")
            let note = try String(
                contentsOfFile: server.dir + "/checkpoints/00000000000000000100.note", encoding: .utf8)
            let lines = note.split(separator: "\n").map(String.init)
            #expect(s["origin"]?.stringValue == lines[0])
            #expect(s["checkpoint"]?["size"]?.integerValue == 100)
            #expect(s["checkpoint"]?["root"]?.stringValue == lines[2])
            #expect(s["checkpoint"]?["note"]?.stringValue == note)
            #expect(s["entries"]?.integerValue == 100)
            #expect(s["asOf"]?.stringValue == testNow)
            // The basis line is the one `ledger board` prints first (after its title).
            let board = try cli(["board", server.dir]).split(separator: "\n").map(String.init)
            #expect(s["restsOn"]?.stringValue == board[1])
            #expect(s["checkpoint"]?["cosignatures"]?.integerValue == 0)  // "no cosignatures" in that line
            // Proposals by state: as `ledger board --json` counts them.
            let rows = try cliJSON(["board", server.dir, "--json"]).arrayValue!
            #expect(s["proposals"]?.integerValue == Int64(rows.count))
            for state in ["open", "adopted", "blocked", "withdrawn", "superseded", "lapsed"] {
                let n = rows.filter { $0["state"]?.stringValue == state }.count
                #expect(s["proposalsByState"]?[state]?.integerValue == Int64(n), "\(state)")
            }
            let byForum = s["byForum"]!.arrayValue!
            #expect(byForum.map { $0["forum"]!.stringValue! } == ["G7", "Quad", "CPTPP", "RCEP"])
            for f in byForum {
                let mine = rows.filter { $0["forum"] == f["forum"] }
                #expect(f["proposals"]?.integerValue == Int64(mine.count))
                #expect(f["proposalsByState"]?["open"]?.integerValue == Int64(mine.count { $0["state"] == "open" }))
            }
            #expect(s["forums"]?.integerValue == 4)
        }
    }

    @Test func forumsAreWhatTheCLIShows() async throws {
        try await withSampleServer("forums") { server in
            let list = try await server.json("/api/v1/forums")
            #expect(list == (try cliJSON(["forum", "list", server.dir, "--json"])))
            #expect(list.arrayValue?.count == 4)
            for id in ["G7", "Quad", "CPTPP", "RCEP"] {
                let api = try await server.json("/api/v1/forums/\(id)")
                #expect(api == (try cliJSON(["forum", "show", server.dir, "--forum", id, "--json"])), "\(id)")
                #expect(api["delegations"]?.arrayValue?.isEmpty == false)
            }
            // Forum names resolve as `--forum` does (case-insensitively when unambiguous).
            #expect(try await server.json("/api/v1/forums/quad") == (try await server.json("/api/v1/forums/Quad")))
        }
    }

    @Test func boardIsTheCLIBoardWithBallotsAndDaysInState() async throws {
        try await withSampleServer("board") { server in
            for forum in ["G7", "Quad", "CPTPP", "RCEP"] {
                let api = try await server.json("/api/v1/forums/\(forum)/board")
                let rows = try cliJSON(["board", server.dir, "--forum", forum, "--json"]).arrayValue!
                let proposals = api["proposals"]!.arrayValue!
                #expect(proposals.count == rows.count, "\(forum)")
                for (a, c) in zip(proposals, rows) {
                    #expect(a.keeping(c.objectValue!.keys) == c, "\(forum)")
                    // One ballot cell per party, with the stance `ledger status` gives it.
                    let status = try cliJSON(["status", server.dir, c["id"]!.stringValue!, "--json"])
                    let stances = Dictionary(
                        uniqueKeysWithValues: status["positions"]!.arrayValue!.map {
                            ($0["party"]!.stringValue!, $0["stance"]!)
                        })
                    let ballot = a["ballot"]!.arrayValue!
                    #expect(
                        ballot.map { $0["party"]!.stringValue! } == api["parties"]!.arrayValue!.map { $0.stringValue! })
                    for cell in ballot {
                        #expect(cell["stance"] == (stances[cell["party"]!.stringValue!] ?? .null))
                    }
                }
            }
            // G7-SME-2026-02 has been blocked since DE objected at entry 63 (log time known
            // from the CLI): whole days from then to now.
            let g7 = try await server.json("/api/v1/forums/G7/board")["proposals"]!.arrayValue!
            let blocked = g7.first { $0["id"] == "G7-SME-2026-02" }!
            #expect(blocked["state"] == "blocked")
            let since = Timestamp(rfc3339: blocked["stateSince"]!.stringValue!)!
            let history = try cliJSON(["history", server.dir, "G7-SME-2026-02", "--json"]).arrayValue!
            let objection = history.first { $0["body"]?["stance"] == "object" }!
            #expect(blocked["stateSince"] == objection["time"])
            let now = Timestamp(rfc3339: testNow)!
            #expect(blocked["daysInState"]?.integerValue == (now.secondsSinceEpoch - since.secondsSinceEpoch) / 86_400)
            #expect(blocked["daysInState"]!.integerValue! > 0)
        }
    }

    @Test func proposalsFilterByForumAndState() async throws {
        try await withSampleServer("proposals") { server in
            let rows = try cliJSON(["board", server.dir, "--json"]).arrayValue!
            let all = try await server.json("/api/v1/proposals").arrayValue!
            #expect(all.map { $0["id"]! } == rows.map { $0["id"]! })
            let open = try await server.json("/api/v1/proposals?state=open").arrayValue!
            #expect(open.map { $0["id"]! } == rows.filter { $0["state"] == "open" }.map { $0["id"]! })
            #expect(open.count == 3)
            let g7 = try await server.json("/api/v1/proposals?forum=g7").arrayValue!
            #expect(g7.map { $0["id"]! } == rows.filter { $0["forum"] == "G7" }.map { $0["id"]! })
            let both = try await server.json("/api/v1/proposals?forum=RCEP&state=superseded").arrayValue!
            #expect(both.map { $0["id"]! } == ["RCEP-TF-2026-01"])
            #expect(try await server.json("/api/v1/proposals?forum=Quad&state=open").arrayValue == [])
            // Unknown query parameters are ignored.
            #expect(try await server.json("/api/v1/proposals?stat=open&x=1").arrayValue == all)
        }
    }

    @Test func proposalHasTheCLIStatusHistoryRevisionsAndWasStances() async throws {
        try await withSampleServer("proposal") { server in
            for row in try cliJSON(["board", server.dir, "--json"]).arrayValue! {
                let id = row["id"]!.stringValue!
                let api = try await server.json("/api/v1/proposals/\(id)")
                #expect(api["status"] == (try cliJSON(["status", server.dir, id, "--json"])), "\(id)")
                let history = try cliJSON(["history", server.dir, id, "--json"]).arrayValue!
                let timeline = api["timeline"]!.arrayValue!
                #expect(timeline.map { $0.removing(["summary", "entry", "proof"]) } == history, "\(id)")
                for e in timeline {
                    #expect(e["proof"]?.stringValue == "/proof/\(e["index"]!.integerValue!)")
                    #expect(e["entry"]?.stringValue == "/api/v1/entries/\(e["index"]!.integerValue!)")
                }
                let h = try await server.json("/api/v1/proposals/\(id)/history")
                #expect(h["proposal"]?.stringValue == id)
                #expect(h["events"] == api["timeline"])
                let revisions = api["revisions"]!.arrayValue!
                #expect(revisions.last?["number"] == api["status"]?["revision"]?["number"])
                #expect(revisions.last?["entry"] == api["status"]?["revision"]?["entry"])
                // The current positions are those of `ledger status`, with the revision they are on.
                let positions = api["positions"]!.arrayValue!
                let cliPositions = api["status"]!["positions"]!.arrayValue!
                #expect(Set(positions.map { $0["entry"]! }) == Set(cliPositions.map { $0["entry"]! }), "\(id)")
                let spoken = cliPositions.count
                let parties = spoken + api["status"]!["notSpoken"]!.arrayValue!.count
                #expect(api["participation"]?["text"]?.stringValue == "\(spoken) of \(parties)")
            }
            // DE objected to revision 1 of G7-SME-2026-01, then supported revision 2: "(was object)".
            let p = try await server.json("/api/v1/proposals/G7-SME-2026-01")
            let de = p["positions"]!.arrayValue!.first { $0["party"] == "DE" }!
            #expect(de["stance"] == "support")
            #expect(de["was"] == "object")
            #expect(de["revision"] == 2)
            let deHistory = p["positionHistory"]!["DE"]!.arrayValue!
            #expect(deHistory.map { $0["stance"]! } == ["object", "support"])
            #expect(deHistory[0]["was"] == .null)
            #expect(deHistory[0]["revision"] == 1)
            #expect(deHistory[0]["reason"]?.stringValue?.isEmpty == false)
        }
    }

    @Test func conflictsAreTheCLIFindings() async throws {
        try await withSampleServer("conflicts") { server in
            let all = try await server.json("/api/v1/conflicts")
            #expect(all == (try cliJSON(["conflicts", server.dir, "--json"])))
            #expect(all.arrayValue?.isEmpty == false)
            for severity in ["low", "medium", "high"] {
                let api = try await server.json("/api/v1/conflicts?min-severity=\(severity)")
                #expect(api == (try cliJSON(["conflicts", server.dir, "--json", "--min-severity", severity])))
            }
            let high = try await server.json("/api/v1/conflicts?min-severity=high").arrayValue!
            #expect(high.count < all.arrayValue!.count)
            let rcep = try await server.json("/api/v1/conflicts?forum=rcep")
            #expect(rcep == (try cliJSON(["conflicts", server.dir, "--json", "--forum", "RCEP"])))
        }
    }

    @Test func entryIsTheCLIEntryWithItsProof() async throws {
        try await withSampleServer("entry") { server in
            for i in [0, 5, 99] {
                let api = try await server.json("/api/v1/entries/\(i)")
                #expect(api.removing(["proof"]) == (try cliJSON(["entry", server.dir, "\(i)", "--json"])), "\(i)")
                #expect(api["proof"]?.stringValue == "/proof/\(i)")
                let proof = try await server.get(api["proof"]!.stringValue!)
                #expect(proof.status == 200)
                #expect(proof.body.hasPrefix("c2sp.org/tlog-proof@v1\nindex \(i)\n"))
            }
        }
    }

    @Test func entriesNoCheckpointCoversAreNotServed() async throws {
        let dir = try sampleCopy("uncovered")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Entry 100 is appended but no checkpoint covers it: not served, not counted.
        try cli(["position", dir, "RCEP-TF-2026-02", "--key", demoKey("RCEP-JP"), "--stance", "support"])
        try await withWebServer(dir) { server in
            let r = try await server.get("/api/v1/entries/100")
            #expect(r.status == 404)
            #expect(r.header("content-type") == "application/problem+json")
            let s = try await server.json("/api/v1/status")
            #expect(s["entries"] == 100)
            let p = try await server.json("/api/v1/proposals/RCEP-TF-2026-02")
            #expect(p["positions"]!.arrayValue!.first { $0["party"] == "JP" }?["stance"] == "reserve")
        }
    }

    @Test(
        arguments: [
            ("/api/v1/proposals/G7-SME-2026-1", 404, "G7-SME-2026-01", nil),
            ("/api/v1/proposals/CPTPP-ACC-CRX/history", 404, "CPTPP-ACC-CR", nil),
            ("/api/v1/proposals/nothing-like-it", 404, nil, nil),
            ("/api/v1/forums/G8", 404, "G7", nil),
            ("/api/v1/forums/RCEPP/board", 404, "RCEP", nil),
            ("/api/v1/proposals?forum=Qaud", 400, "Quad", "forum"),
            ("/api/v1/proposals?state=pending", 400, nil, "state"),
            ("/api/v1/conflicts?min-severity=urgent", 400, nil, "min-severity"),
            ("/api/v1/conflicts?forum=G6", 400, "G7", "forum"),
            ("/api/v1/entries/100", 404, nil, nil),
            ("/api/v1/entries/05", 400, nil, "index"),
            ("/api/v1/entries/-1", 400, nil, "index"),
            ("/api/v1/lists/diff?to=3", 400, nil, "from"),
            ("/api/v1/lists/diff?from=3&to=4", 400, nil, "from"),
        ] as [(String, Int, String?, String?)])
    func unknownNamesAre404AndBadQueryValues400AsProblems(
        path: String, status: Int, nearest: String?, parameter: String?
    ) async throws {
        try await withSampleServer("problem") { server in
            let r = try await server.get(path)
            #expect(r.status == status, "\(path): \(r.body)")
            #expect(r.header("content-type") == "application/problem+json", "\(path)")
            let p = try JSONParser.parse(Array(r.body.utf8))
            #expect(p["status"]?.integerValue == Int64(status))
            #expect(p["type"] == "about:blank")
            #expect(p["title"]?.stringValue == (status == 404 ? "Not Found" : "Bad Request"))
            #expect(p["detail"]?.stringValue?.isEmpty == false)
            #expect(p["nearest"]?.stringValue == nearest, "\(path)")
            #expect(p["parameter"]?.stringValue == parameter, "\(path)")
            if let nearest { #expect(p["detail"]!.stringValue!.contains("did you mean \"\(nearest)\"?")) }
        }
    }

    @Test func publishedListsAreListedAndDiffedAsTheCLIDiffsThem() async throws {
        let dir = try sampleCopy("lists")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = packageRoot.appendingPathComponent("Sources/ControlLists/Data").path
        let us = data + "/us-ccl-subset.json"
        let jp = data + "/jp-etco-row7-subset.json"
        for f in [us, jp] { try cli(["list", "publish", dir, f, "--key", operatorKey]) }
        try cli(["checkpoint", dir, "--sign", "--key", operatorKey])
        try await withWebServer(dir) { server in
            let lists = try await server.json("/api/v1/lists").arrayValue!
            #expect(lists.map { $0["entry"]! } == [100, 101])
            #expect(lists.map { $0["jurisdiction"]!.stringValue! } == ["US", "JP"])
            #expect(lists.allSatisfy { $0["available"] == true })
            let diff = try await server.json("/api/v1/lists/diff?from=100&to=101")
            #expect(diff == (try cliJSON(["list", "diff", us, jp, "--ledger", dir, "--json"])))
            let same = try await server.json("/api/v1/lists/diff?from=100&to=100")
            #expect(same == (try cliJSON(["list", "diff", us, us, "--ledger", dir, "--json"])))
            let bad = try await server.get("/api/v1/lists/diff?from=100&to=10")
            #expect(bad.status == 400)
            #expect(try JSONParser.parse(Array(bad.body.utf8))["nearest"] == "100")
        }
        // A list whose text the server does not have (not one shipped): listed, not diffed.
        let other = dir + "-us-2025.json"
        defer { try? FileManager.default.removeItem(atPath: other) }
        let text = try String(contentsOfFile: us, encoding: .utf8)
        try text.replacingOccurrences(of: "\"versionDate\": \"2024-12-02\"", with: "\"versionDate\": \"2025-01-15\"")
            .write(toFile: other, atomically: true, encoding: .utf8)
        try cli(["list", "publish", dir, other, "--key", operatorKey])
        try cli(["checkpoint", dir, "--sign", "--key", operatorKey])
        try await withWebServer(dir) { server in
            let lists = try await server.json("/api/v1/lists").arrayValue!
            #expect(lists.map { $0["available"]! } == [true, true, false])
            #expect(lists.last?["versionDate"] == "2025-01-15")
            let r = try await server.get("/api/v1/lists/diff?from=100&to=102")
            #expect(r.status == 404)
            let p = try JSONParser.parse(Array(r.body.utf8))
            #expect(p["id"] == "102")
            #expect(p["parameter"] == "to")
        }
    }

    @Test func anEntryChangedAfterTheCheckIsA500ThatNamesNoFile() async throws {
        try await withSampleServer("tampered") { server in
            #expect(try await server.json("/api/v1/entries/5")["entry"]?["statement"]?["body"]?["forum"] == "G7")
            // Same length, one byte changed: the index still finds the line.
            let path = server.dir + "/entries.jsonl"
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let lines = bytes.indices.filter { bytes[$0] == 0x0a }
            let line5 = (lines[4] + 1)..<lines[5]
            let needle = Array("\"forum\":\"G7\"".utf8)
            let at = line5.first { bytes[$0..<min($0 + needle.count, line5.upperBound)].elementsEqual(needle) }!
            bytes[at + needle.count - 2] = UInt8(ascii: "8")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let r = try await server.get("/api/v1/entries/5")
            #expect(r.status == 500)
            #expect(r.header("content-type") == "application/problem+json")
            let p = try JSONParser.parse(Array(r.body.utf8))
            #expect(p["detail"] == "internal error: the server's log says why")
            #expect(!r.body.contains("entries.jsonl"))
        }
    }
    /// Every entry a page or an answer reads besides the state (a proposal's timeline, when a
    /// state began) is checked against the published tree: a published objection's reason
    /// changed in entries.jsonl (same length) is a 500, never shown.
    @Test func aReasonChangedAfterTheCheckIsNeverShown() async throws {
        try await withSampleServer("tampered-reason") { server in
            let history = try cliJSON(["history", server.dir, "G7-SME-2026-02", "--json"]).arrayValue!
            let reason = try #require(
                history.first { $0["body"]?["stance"] == "object" }?["body"]?["reason"]?.stringValue)
            let paths = [
                "/api/v1/proposals/G7-SME-2026-02/history", "/api/v1/forums/G7/board", "/api/v1/proposals",
                "/proposals/G7-SME-2026-02",
            ]
            for path in paths { #expect(try await server.get(path).status == 200, "\(path)") }
            // The first letter of the reason, changed in place (the store keeps the file open).
            let text = try String(contentsOfFile: server.dir + "/entries.jsonl", encoding: .utf8)
            let first = reason.first!
            let forgedReason = String(first == "X" ? "Y" : "X") + reason.dropFirst()
            #expect(text.components(separatedBy: reason).count == 2, "the reason is in one entry")
            let forged = text.replacingOccurrences(of: reason, with: forgedReason)
            try Data(forged.utf8).write(to: URL(fileURLWithPath: server.dir + "/entries.jsonl"))
            for path in paths {
                let r = try await server.get(path)
                #expect(r.status == 500, "\(path)")
                #expect(!r.body.contains(forgedReason), "\(path) shows the forged reason")
            }
        }
    }
}
