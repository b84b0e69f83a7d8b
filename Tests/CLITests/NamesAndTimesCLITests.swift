import Foundation
import LedgerTestSupport
import Testing

/// Names and times as people type them (issue 11 §1), through the built binary: unknown
/// forums, proposal ids, parties and finding ids are errors with the nearest known name; one
/// forum-name rule everywhere; RFC 3339 with offsets and bare dates wherever a time is.
@Suite struct NamesAndTimesCLITests {
    typealias Negotiation = ConsensusCLITests.Negotiation

    /// A negotiation with proposal G7-EUV-1 tabled by JP at entry `tabledAt`.
    static func tabled() throws -> (Negotiation, tabledAt: Int) {
        let n = try Negotiation()
        try n.write("p.yaml", ConsensusCLITests.proposalYAML)
        let p = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p.yaml", "--json"])
        #expect(p.status == 0, "\(p.stderr)")
        let index = try #require(p.stdout.split(separator: ",").first { $0.contains("\"index\"") })
        return (n, Int(index.split(separator: ":")[1])!)
    }

    @Test func anUnknownForumIsAnErrorNamingTheNearestOne() throws {
        let (n, _) = try NamesAndTimesCLITests.tabled()
        let before = try n.fx.snapshot()
        let expected = "ledger: error: --forum: no forum \"G8\"; did you mean \"G7\"?\n"
        for args in [
            ["board", "led", "--forum", "G8"], ["conflicts", "led", "--forum", "G8"],
            ["conflicts", "led", "--forum", "G8", "--json"], ["forum", "show", "led", "--forum", "G8"],
            ["delegation", "register", "led", "--key", "G7-sec.key", "--forum", "G8", "--party", "FR", "--vkey", "x"],
        ] {
            let r = try n.run(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stdout.isEmpty, "\(args): no empty result is printed")
            #expect(r.stderr == expected, "\(args)")
        }
        let builtIn = try n.run(["forum", "show", "--forum", "G8"])
        #expect(builtIn.status == 2)
        #expect(builtIn.stderr == "ledger: error: --forum: no built-in forum \"G8\"; did you mean \"G7\"?\n")
        #expect(try n.fx.snapshot() == before)
    }

    @Test func forumNamesMatchTheCharteredIdWithoutCaseInEveryCommand() throws {
        let (n, _) = try NamesAndTimesCLITests.tabled()
        let board = try n.run(["board", "led", "--forum", "g7", "--json"])
        #expect(board.status == 0, "\(board.stderr)")
        #expect(board.stdout.contains("\"id\":\"G7-EUV-1\""))
        let conflicts = try n.run(["conflicts", "led", "--forum", "g7", "--json"])
        #expect(conflicts.status == 0, "\(conflicts.stderr)")
        let show = try n.run(["forum", "show", "led", "--forum", "QUAD"])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.lines.first == "Quad: Quadrilateral Security Dialogue")
        // A delegation registered under "quad" is signed with the chartered id "Quad".
        let v = try n.run(["key", "generate", "--name", "Quad-JP", "--out", "Quad-JP.key"]).lines.last!
        let reg = try n.run([
            "delegation", "register", "led", "--key", "Quad-sec.key", "--forum", "quad", "--party", "JP", "--vkey", v,
        ])
        #expect(reg.status == 0, "\(reg.stderr)")
        #expect(reg.stdout.hasSuffix("JP delegation registered in Quad\n"))
        let quad = try n.run(["forum", "show", "led", "--forum", "Quad", "--json"])
        #expect(quad.stdout.contains("\"party\":\"JP\""))
        // A proposal file's forum follows the same rule.
        try n.write(
            "q.yaml",
            ConsensusCLITests.proposalYAML.replacingOccurrences(of: "G7-EUV-1", with: "Q-1") + "\nforum: quad\n")
        let p = try n.run(["propose", "led", "--key", "Quad-IN.key", "--file", "q.yaml"])
        #expect(p.status == 0, "\(p.stderr)")
        let st = try n.run(["status", "led", "Q-1", "--json"])
        #expect(st.stdout.contains("\"forum\":\"Quad\""))
    }

    @Test func anUnknownProposalIdNamesTheNearestOneInEveryCommand() throws {
        let (n, _) = try NamesAndTimesCLITests.tabled()
        try n.write("r.yaml", "title: t\nmeasureType: licence-requirement\n")
        let before = try n.fx.snapshot()
        for args in [
            ["status", "led", "G7-EUV-2"], ["history", "led", "G7-EUV-2"],
            ["position", "led", "G7-EUV-2", "--key", "G7-US.key", "--stance", "support"],
            ["withdraw", "led", "G7-EUV-2", "--key", "G7-JP.key"],
            ["decide", "led", "G7-EUV-2", "--key", "G7-sec.key"],
            ["amend", "led", "G7-EUV-2", "--key", "G7-JP.key", "--file", "r.yaml"],
        ] {
            let r = try n.run(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr == "ledger: error: no proposal \"G7-EUV-2\" in the ledger; did you mean \"G7-EUV-1\"?\n")
        }
        #expect(try n.fx.snapshot() == before)
    }

    @Test func aPartyThatIsNoCodeNamesTheNearestMember() throws {
        let (n, _) = try NamesAndTimesCLITests.tabled()
        let lower = try n.run([
            "position", "led", "G7-EUV-1", "--key", "G7-JP.key", "--party", "jp", "--stance", "support",
        ])
        #expect(lower.status == 2)
        #expect(
            lower.stderr
                == "ledger: error: --party: \"jp\" is not an ISO 3166-1 alpha-2 code or EU, nor a party of G7; "
                + "did you mean \"JP\"?\n"
        )
        let typo = try n.run([
            "position", "led", "G7-EUV-1", "--key", "G7-JP.key", "--party", "JQ", "--stance", "support",
        ])
        #expect(
            typo.stderr
                == "ledger: error: --party: \"JQ\" is not an ISO 3166-1 alpha-2 code or EU, nor a party of G7; "
                + "did you mean \"JP\"?\n"
        )
        let far = try n.run([
            "delegation", "register", "led", "--key", "G7-sec.key", "--forum", "G7", "--party", "Japan", "--vkey", "x",
        ])
        #expect(far.status == 2)
        #expect(
            far.stderr
                == "ledger: error: --party: \"Japan\" is not an ISO 3166-1 alpha-2 code or EU, nor a party of G7\n")
    }

    @Test func aFindingIdThatNamesNoFindingIsRefused() throws {
        let (n, _) = try NamesAndTimesCLITests.tabled()
        let none = try n.run(["review-finding", "led", "f-doesnotexist", "--key", "G7-US.key"])
        #expect(none.status == 2)
        #expect(
            none.stderr
                == "ledger: error: no finding \"f-doesnotexist\" (`ledger conflicts` lists them); "
                + "the ledger has no findings (a finding against a national list needs its --lists)\n"
        )
        // A duplicate proposal raises a finding; a truncated id names it.
        try n.write("p2.yaml", ConsensusCLITests.proposalYAML.replacingOccurrences(of: "G7-EUV-1", with: "G7-EUV-9"))
        #expect(try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p2.yaml"]).status == 0)
        let found = try n.run(["conflicts", "led", "--json"])
        let id = try #require(found.stdout.components(separatedBy: "\"id\":\"").dropFirst().first?.prefix(18))
        let before = try n.fx.snapshot()
        let typo = try n.run(["review-finding", "led", String(id.dropLast()), "--key", "G7-US.key"])
        #expect(typo.status == 2)
        #expect(typo.stderr.hasSuffix("did you mean \"\(id)\"?\n"), "\(typo.stderr)")
        #expect(try n.fx.snapshot() == before)
        let ok = try n.run(["review-finding", "led", String(id), "--key", "G7-US.key"])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func statusAsOfBeforeTablingSaysWhenItWasTabled() throws {
        let (n, tabledAt) = try NamesAndTimesCLITests.tabled()
        let byIndex = try n.run(["status", "led", "G7-EUV-1", "--as-of", "2"])
        #expect(byIndex.status == 2)
        #expect(
            byIndex.stderr
                == "ledger: error: proposal \"G7-EUV-1\" was not yet tabled as of entry 2: it was tabled at entry "
                + "\(tabledAt) (2030-01-02T09:00:00Z)\n")
        let byTime = try n.run(["status", "led", "G7-EUV-1", "--as-of", "2030-01-02T17:59:59+09:00"])
        #expect(
            byTime.stderr
                == "ledger: error: proposal \"G7-EUV-1\" was not yet tabled as of 2030-01-02T08:59:59Z: it was tabled "
                + "at entry \(tabledAt) (2030-01-02T09:00:00Z)\n")
    }

    @Test func timesTakeOffsetsAndBareDatesWherever() throws {
        let (n, _) = try NamesAndTimesCLITests.tabled()
        // --as-of with an offset is the same instant as its UTC form.
        let offset = try n.run(["status", "led", "G7-EUV-1", "--as-of", "2030-01-02T18:00:00+09:00", "--json"])
        #expect(offset.status == 0, "\(offset.stderr)")
        let utc = try n.run(["status", "led", "G7-EUV-1", "--as-of", "2030-01-02T09:00:00Z", "--json"])
        #expect(offset.stdout == utc.stdout)
        #expect(offset.stdout.contains("\"asOf\":\"2030-01-02T09:00:00Z\""))
        // A proposal file's deadline: an offset, converted to UTC before it is signed.
        try n.write(
            "p2.yaml",
            ConsensusCLITests.proposalYAML.replacingOccurrences(of: "G7-EUV-1", with: "G7-T-2")
                + "\ndeadline: 2030-01-20T18:00:00+09:00\n")
        #expect(try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p2.yaml"]).status == 0)
        let s2 = try n.run(["status", "led", "G7-T-2", "--json"])
        #expect(s2.stdout.contains("\"deadline\":\"2030-01-20T09:00:00Z\""), "\(s2.stdout)")
        // A bare date is 00:00:00Z that day, in a file and in --deadline.
        try n.write(
            "p3.json",
            #"{"id": "G7-T-3", "title": "t", "measureType": "licence-requirement", "items": [{"scheme": "wassenaar", "#
                + #""code": "3B001"}], "destinations": ["CN"], "rationale": "r", "effectiveDate": "2031-01-01", "#
                + #""deadline": "2030-01-21"}"#
        )
        let p3 = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p3.json"])
        #expect(p3.status == 0, "\(p3.stderr)")
        #expect(
            try n.run(["status", "led", "G7-T-3", "--json"]).stdout.contains("\"deadline\":\"2030-01-21T00:00:00Z\""))
        try n.write(
            "r.yaml",
            "title: t2\nmeasureType: licence-requirement\nitems: [{scheme: wassenaar, code: 3B001}]\n"
                + "destinations: [CN]\n"
                + "rationale: r\neffectiveDate: 2031-01-01\n")
        let a = try n.run([
            "amend", "led", "G7-T-3", "--key", "G7-JP.key", "--file", "r.yaml", "--deadline",
            "2030-01-25T01:00:00-05:00",
        ])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(
            try n.run(["status", "led", "G7-T-3", "--json"]).stdout.contains("\"deadline\":\"2030-01-25T06:00:00Z\""))
        // statement sign --time: the signed time is UTC.
        let signed = try n.run([
            "statement", "sign", "--key", "G7-JP.key", "--kind", "x", "--body", "{}", "--time",
            "2030-01-02T18:00:00+09:00",
            "--json",
        ])
        #expect(signed.stdout.contains("\"time\":\"2030-01-02T09:00:00Z\""), "\(signed.stderr)")
        // Refused forms say why.
        let frac = try n.run(["status", "led", "--as-of", "2030-01-02T09:00:00.5Z"])
        #expect(frac.status == 2)
        #expect(
            frac.stderr
                == "ledger: error: --as-of: \"2030-01-02T09:00:00.5Z\" has fractional seconds; "
                + "the ledger keeps whole seconds\n"
        )
        let junk = try n.run(["board", "led", "--as-of", "tomorrow"])
        #expect(junk.status == 2)
        #expect(
            junk.stderr
                == "ledger: error: --as-of: \"tomorrow\" is neither an entry index nor a time: use RFC 3339 "
                + "(2026-10-01T18:00:00+09:00 or 2026-10-01T09:00:00Z) or a date (2026-10-01, meaning 00:00:00Z)\n")
        try n.write(
            "p4.yaml",
            ConsensusCLITests.proposalYAML.replacingOccurrences(of: "G7-EUV-1", with: "G7-T-4") + "\ndeadline: soon\n")
        let badDeadline = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p4.yaml"])
        #expect(badDeadline.status == 2)
        #expect(
            badDeadline.stderr.hasPrefix("ledger: error: p4.yaml:12: deadline: \"soon\" is not a time: use RFC 3339"))
    }
}
