import Consensus
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerCore
import LedgerCrypto
import LedgerServer
import LedgerWeb
import Logging
import NIOCore
import Testing

/// The log clock of these tests: after the sample's last entry (2026-11-27T18:00:00Z).
let dashboardNow = Timestamp(rfc3339: "2026-12-01T09:00:00Z")!

/// A copy of the sample ledger served with the dashboard on a loopback port (HummingbirdTesting's
/// live mode: a real server and a real HTTP client).
struct DashboardFixture {
    let dir: String
    let ledger: Ledger<NegotiationRules>
    let log: PublishedLog<FileStore>

    init(_ tag: String) throws {
        dir = try sampleCopy(tag)
        ledger = try Ledger<NegotiationRules>(directory: dir, clock: { dashboardNow })
        log = try PublishedLog(ledger: ledger)
        try log.refresh()
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }

    /// A demo key of the sample (ledger-demo-keys/).
    static func key(_ name: String) throws -> NoteSignerKey {
        let path = packageRoot.appendingPathComponent("ledger-demo-keys/DEMO-NOT-SECRET-\(name).key").path
        return try NoteSignerKey(parsing: try String(contentsOfFile: path, encoding: .utf8))
    }

    /// Signs and appends one statement as `key` at the log clock.
    @discardableResult
    func append(kind: String, body: String, key: String) throws -> Ledger<NegotiationRules>.Appended {
        let json = try JSONParser.parse(Array(body.utf8))
        return try ledger.append([
            try Statement.make(kind: kind, body: json, key: try Self.key(key), time: dashboardNow)
        ])[0]
    }

    /// Signs a checkpoint of everything appended and publishes it.
    func publish() throws {
        _ = try ledger.signCheckpoint(key: try Self.key("demo.minilateral-ledger.example"))
        try log.refresh()
    }

    /// Runs `body` with a client of a server over this ledger.
    func withClient(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var logger = Logger(label: "test.dashboard")
        logger.logLevel = .critical
        let app = buildApplication(
            log: log, configuration: ServerConfiguration(host: "127.0.0.1", port: 0, refreshInterval: .seconds(3600)),
            logger: logger,
            extras: ServerExtras(extensions: [LedgerWeb.serverExtension(view: DomainView(ledger: ledger, log: log))]))
        try await app.test(.live) { client in try await body(client) }
    }
}

/// GET `path`: the status, the body as text, and the headers.
func dashboardGet(_ client: any TestClientProtocol, _ path: String) async throws -> (
    status: Int, text: String, headers: HTTPFields
) {
    try await client.execute(uri: path, method: .get) { response in
        (response.status.code, String(buffer: response.body), response.headers)
    }
}

@Suite struct DashboardTests {
    /// Each page answers 200 with what it is for, from the published sample.
    @Test(arguments: [
        ("/", ["Forums", "G7", "Quad", "CPTPP", "RCEP", "Proposals by state over time", "Time to decision per forum"]),
        ("/forums/G7", ["Board — G7", "G7-SME-2026-02", "BLOCKED by DE", "deadline in", "4 of 8"]),
        ("/forums/g7", ["Board — G7"]),
        ("/proposals/G7-SME-2026-01", ["8 of 8 parties have spoken", "was object on revision 1", "Timeline"]),
        ("/objections", ["G7-SME-2026-02", "A worldwide licence requirement on 3B993", "Study reserve"]),
        ("/conflicts", ["3 findings, 2 high", "incompatible-measures", "RCEP-TF-2026-02"]),
        ("/lists", ["No <code>list.publish</code> entry", "item groups", "US Commerce Control List"]),
        (
            "/transparency",
            ["wJna+h3CquWlHhozDcOipamppbq7EkFUfreRVkr0m2o=", "G7-JP.demo", "3 days ago", "delegation JP"]
        ),
        ("/entries", ["Entries 0 to 49 of the 100", "/entries?from=50"]),
        ("/entries?from=50", ["Entries 50 to 99 of the 100", "/entries?from=0"]),
        ("/entries/63", ["Entry 63", "decision", "/proof/63", "/proposals/G7-SME-2026-01"]),
    ])
    func pageAnswersWithItsContent(path: String, needles: [String]) async throws {
        let fixture = try DashboardFixture("page")
        defer { fixture.remove() }
        try await fixture.withClient { client in
            let (status, text, headers) = try await dashboardGet(client, path)
            #expect(status == 200, "\(path)")
            #expect(headers[.contentType] == "text/html; charset=utf-8")
            for n in needles { #expect(text.contains(n), "\(path) lacks \(n)") }
        }
    }

    /// The board puts the blocked proposal first and, in each grid, objections first; every
    /// cell names its party and stance in text.
    @Test func boardIsBlockingFirstWithTextLabels() async throws {
        let fixture = try DashboardFixture("board")
        defer { fixture.remove() }
        try await fixture.withClient { client in
            let text = try await dashboardGet(client, "/forums/G7").text
            let order = ["G7-SME-2026-02", "G7-SME-2026-01", "G7-QC-2026-01"].map {
                text.range(of: "data-proposal=\"\($0)\"")?.lowerBound
            }
            #expect(order.allSatisfy { $0 != nil })
            #expect(order[0]! < order[1]! && order[1]! < order[2]!)
            let blocked = text[order[0]!..<order[1]!]
            let firstCell = blocked.range(of: "<li class=\"cell ")!
            #expect(blocked[firstCell.upperBound...].hasPrefix("object\" data-party=\"DE\" data-stance=\"object\""))
            #expect(blocked.contains("<span class=\"party\">DE</span> <span class=\"abbr\">OBJ</span>"))
            #expect(blocked.components(separatedBy: "data-stance=\"not-spoken\"").count - 1 == 4)
        }
    }

    /// Titles and reasons are hostile: markup is escaped, bidirectional overrides and
    /// control characters are defused, and no script but the dashboard's own is on any page.
    @Test func hostileTextIsEscapedAndDefused() async throws {
        let fixture = try DashboardFixture("hostile")
        defer { fixture.remove() }
        let title = "<script>alert(1)</script>\u{202E}fdp.exe\u{1B}[31m"
        let proposal = try fixture.append(
            kind: "proposal",
            body: """
                {"id":"CPTPP-EVIL-01","forum":"CPTPP","party":"AU","title":"\(dashboardJSONEscaped(title))",\
                "measureType":"information-sharing","items":[{"code":"2805.30","scheme":"hs"}],\
                "destinations":["CN"],"rationale":"r","effectiveDate":"2027-03-01"}
                """, key: "CPTPP-AU.demo")
        try fixture.append(
            kind: "position",
            body: """
                {"party":"JP","proposal":"CPTPP-EVIL-01","revision":\(proposal.index),\
                "revisionHash":"\(proposal.leafHash.base64)","stance":"reserve",\
                "reason":"\\"><img src=x onerror=alert(2)>\u{202E}"}
                """, key: "CPTPP-JP.demo")
        try fixture.publish()
        try await fixture.withClient { client in
            for path in [
                "/", "/forums/CPTPP", "/proposals/CPTPP-EVIL-01", "/objections", "/entries?from=50",
                "/entries/\(proposal.index)", "/entries/\(proposal.index + 1)", "/conflicts",
            ] {
                let (status, text, _) = try await dashboardGet(client, path)
                #expect(status == 200, "\(path)")
                #expect(!text.contains("<script>alert"), "\(path)")
                #expect(!text.contains("<img src=x"), "\(path)")
                #expect(!text.unicodeScalars.contains { $0 == "\u{202E}" || $0 == "\u{1B}" }, "\(path)")
                #expect(text.components(separatedBy: "<script").count == 2, "\(path): one script element")
                #expect(text.contains("<script src=\"/static/live.js\" defer></script>"))
            }
            let page = try await dashboardGet(client, "/proposals/CPTPP-EVIL-01").text
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;\u{FFFD}fdp.exe\u{FFFD}[31m"))
            #expect(page.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;\u{FFFD}"))
        }
    }

    /// An unknown forum or proposal is a 404 page that names and links the nearest known one.
    @Test func unknownNamesAre404NamingTheNearest() async throws {
        let fixture = try DashboardFixture("404")
        defer { fixture.remove() }
        try await fixture.withClient { client in
            let forum = try await dashboardGet(client, "/forums/G8")
            #expect(forum.status == 404)
            #expect(forum.text.contains("No forum &quot;G8&quot;"))
            #expect(forum.text.contains("<a href=\"/forums/G7\">G7</a>"))
            let proposal = try await dashboardGet(client, "/proposals/Quad-QC-2026-02")
            #expect(proposal.status == 404)
            #expect(proposal.text.contains("<a href=\"/proposals/Quad-QC-2026-01\">Quad-QC-2026-01</a>"))
            let hostile = try await dashboardGet(client, "/proposals/%3Cb%3Ex")
            #expect(hostile.status == 404)
            #expect(!hostile.text.contains("<b>x"))
            #expect(try await dashboardGet(client, "/entries/100").status == 404)
            #expect(try await dashboardGet(client, "/entries/007").status == 404)
            #expect(try await dashboardGet(client, "/entries?from=1x").status == 400)
            #expect(try await dashboardGet(client, "/entries?from=100").status == 404)
        }
    }

    /// What the pages show is what the published checkpoint covers: an entry appended but not
    /// yet in a signed checkpoint is not shown; it is after the checkpoint is published.
    @Test func pagesShowOnlyWhatACheckpointCovers() async throws {
        let fixture = try DashboardFixture("covered")
        defer { fixture.remove() }
        let acc = try fixture.ledger.currentState().proposal("CPTPP-ACC-CR")!.current
        try fixture.append(
            kind: "position",
            body: """
                {"party":"JP","proposal":"CPTPP-ACC-CR","revision":\(acc.entryIndex),\
                "revisionHash":"\(acc.leafHash.base64)","stance":"support"}
                """, key: "CPTPP-JP.demo")
        try fixture.log.refresh()
        try await fixture.withClient { client in
            let before = try await dashboardGet(client, "/proposals/CPTPP-ACC-CR").text
            #expect(before.contains("5 of 12 parties have spoken"))
            #expect(!before.contains("data-party=\"JP\" data-stance=\"support\""))
            #expect(try await dashboardGet(client, "/entries/100").status == 404)
            try fixture.publish()
            let after = try await dashboardGet(client, "/proposals/CPTPP-ACC-CR").text
            #expect(after.contains("6 of 12 parties have spoken"))
            #expect(after.contains("data-party=\"JP\" data-stance=\"support\""))
            #expect(try await dashboardGet(client, "/entries/100").status == 200)
        }
    }

    /// An entry page shows the leaf hash of the published tree and links its proof.
    @Test func entryPageShowsThePublishedLeafHash() async throws {
        let fixture = try DashboardFixture("entry")
        defer { fixture.remove() }
        let leaf = try fixture.log.view.tree.leafHash(42).base64
        try await fixture.withClient { client in
            let text = try await dashboardGet(client, "/entries/42").text
            #expect(text.contains("<code id=\"leaf-hash\">\(leaf)</code>"))
            #expect(text.contains("href=\"/proof/42\""))
            #expect(try await dashboardGet(client, "/proof/42").status == 200)
        }
    }

    /// The charts are SVG drawn on the server with a title, an aria label and a table of
    /// their figures; the state chart's last column counts every proposal.
    @Test func chartsHaveTitlesLabelsAndDataTables() async throws {
        let fixture = try DashboardFixture("charts")
        defer { fixture.remove() }
        try await fixture.withClient { client in
            let text = try await dashboardGet(client, "/").text
            #expect(text.components(separatedBy: "<svg class=\"chart\" role=\"img\"").count - 1 == 2)
            #expect(text.contains("<title>Proposals by state over time</title>"))
            #expect(text.contains("aria-label=\"Proposals by state over time: 2026-09-15 1 proposals"))
            #expect(text.contains("2026-12-01 8 proposals"))
            #expect(text.components(separatedBy: "<table class=\"chart-data\">").count - 1 == 2)
            // G7: 17 days (tabled 09-15, adopted 10-02) and 1 day (tabled 10-05, blocked 10-06).
            #expect(text.contains("<td>G7</td><td class=\"num\">2</td><td class=\"num\">9</td><td>17, 1</td>"))
            #expect(text.contains("CPTPP no decision yet") || text.contains(">no decision yet<"))
        }
    }

    /// Pages forbid inline scripts and foreign resources; the style sheet and the script are
    /// served from the server itself.
    @Test func pagesAreSelfContained() async throws {
        let fixture = try DashboardFixture("csp")
        defer { fixture.remove() }
        try await fixture.withClient { client in
            let page = try await dashboardGet(client, "/")
            let csp = page.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
            #expect(csp.contains("script-src 'self'") && csp.contains("default-src 'none'"))
            #expect(!page.text.contains("http://") && !page.text.contains("https://"))
            let css = try await dashboardGet(client, "/static/dashboard.css")
            #expect(css.status == 200 && css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.text.contains(".object"))
            let js = try await dashboardGet(client, "/static/live.js")
            #expect(js.status == 200 && js.text.contains("new EventSource('/api/v1/events')"))
            // Every event that says the published state changed re-fetches the page.
            for name in ["entry", "position", "decision", "deadline", "truncated"] {
                #expect(js.text.contains("'\(name)'"), "live.js does not listen to \(name)")
            }
        }
    }
}

/// `s` escaped for a JSON string literal.
func dashboardJSONEscaped(_ s: String) -> String {
    var out = ""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where c.value < 0x20:
            out +=
                "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count)
                + String(c.value, radix: 16)
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}
