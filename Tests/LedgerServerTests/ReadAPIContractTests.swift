import Foundation
import LedgerCore
import LedgerServer
import LedgerTestSupport
import Testing

/// The read API's general promises (specs/api.md §Endpoints): error replies, methods and query
/// strings, and `/proof` as the CLI prints it.
@Suite struct ReadAPIContractTests {
    /// A `500` is one `text/plain` line, exactly the documented body, `no-cache`, and not kept:
    /// once the store agrees again the same path serves the right bytes.
    @Test func a500IsTheDocumentedLineNeverCachedAndNotKept() async throws {
        var ledger = try SyntheticLedger(tag: "contract-500")
        defer { ledger.remove() }
        try ledger.append(upTo: 5)
        try ledger.signCheckpoint()
        let log = try ledger.published()
        let path = ledger.directory + "/entries.jsonl"
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var changed = original
        changed[2] = UInt8(ascii: "S")
        try changed.write(to: URL(fileURLWithPath: path))
        try await withServer(log) { server in
            let bad = try await server.get("/tile/entries/000.p/5")
            #expect(bad.status == 500)
            #expect(bad.text == "internal error: the server's log says why\n")
            #expect(bad.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(bad.headers["cache-control"] == "no-cache")
            try original.write(to: URL(fileURLWithPath: path))
            let good = try await server.get("/tile/entries/000.p/5")
            #expect(good.status == 200)
            var bundle = [UInt8]()
            for leaf in ledger.leaves { bundle += [UInt8(leaf.count >> 8), UInt8(leaf.count & 0xff)] + leaf }
            #expect(good.body == bundle, "the bundle is built again, not the error kept")
            #expect(good.headers["cache-control"] == "public, max-age=31536000, immutable")
            // 404s are plain lines, never immutable.
            let missing = try await server.get("/tile/entries/001")
            #expect(missing.status == 404 && missing.headers["cache-control"] == "no-cache")
            #expect(missing.headers["content-type"] == "text/plain; charset=utf-8" && missing.text.hasSuffix("\n"))
        }
    }

    /// Any method but GET on a read path is 404; a query string changes nothing but `/proof`'s.
    @Test func otherMethodsAre404AndQueriesAreIgnored() async throws {
        var ledger = try SyntheticLedger(tag: "contract-methods")
        defer { ledger.remove() }
        try ledger.append(upTo: 5)
        try ledger.signCheckpoint()
        try await withServer(try ledger.published()) { server in
            for (method, path) in [
                ("POST", "/checkpoint"), ("DELETE", "/tile/0/000.p/5"), ("PUT", "/tile/entries/000.p/5"),
                ("POST", "/proof/0"), ("PATCH", "/checkpoint"),
            ] {
                // On a thread of its own: the in-process server needs the concurrency pool meanwhile.
                let port = server.port
                let r = try await onThread {
                    try HTTPTestClient.getBlocking(port: port, path, method: method, body: [])
                }
                #expect(r.status == 404, "\(method) \(path): \(r.status)")
            }
            for path in ["/checkpoint", "/tile/0/000.p/5", "/tile/entries/000.p/5"] {
                let plain = try await server.get(path)
                let queried = try await server.get(path + "?x=1&size=3")
                #expect(plain.status == 200 && queried.status == 200 && plain.body == queried.body, "\(path)")
            }
        }
    }

    /// `/proof/<i>[?size=S]` is byte for byte what `ledger proof inclusion DIR --index i --format
    /// tlog-proof [--size S]` prints.
    @Test func aServedProofIsWhatTheCLIPrints() async throws {
        let copy = try SampleCopy(tag: "contract-proof")
        defer { copy.remove() }
        try await withServer(try copy.published()) { server in
            for (index, size) in [(0, nil), (5, nil), (99, nil), (5, 100)] as [(Int, Int?)] {
                let served = try await server.get("/proof/\(index)" + (size.map { "?size=\($0)" } ?? ""))
                #expect(served.status == 200)
                let cli = try runProcess(
                    ledgerBinary,
                    ["proof", "inclusion", copy.directory, "--index", "\(index)", "--format", "tlog-proof"]
                        + (size.map { ["--size", "\($0)"] } ?? []))
                #expect(cli.status == 0, "\(cli.stderr)")
                #expect(served.text == cli.stdout, "proof of \(index) at \(size.map(String.init) ?? "latest")")
            }
        }
    }
}
