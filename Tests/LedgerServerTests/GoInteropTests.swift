import Foundation
import LedgerCore
import LedgerTestSupport
import Testing

/// Go's `go` command, when installed (Debian: golang-go with golang-golang-x-mod-dev).
let goCommand: String? = ["/usr/bin/go", "/usr/local/go/bin/go", "/usr/lib/go/bin/go"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// Go's own tlog package reads our tiles: `golang.org/x/mod/sumdb/tlog.TileHashReader` over
/// the C2SP paths authenticates every tile against our checkpoint, and the inclusion and
/// consistency proofs it builds from them verify (Tests/interop/tlog_tiles_check.go).
@Suite struct GoInteropTests {
    @Test(.enabled(if: goCommand != nil, "go is not installed (apt-get install golang-go golang-golang-x-mod-dev)"))
    func goTlogVerifiesProofsBuiltFromOurTiles() async throws {
        let ledger = try largeLedger.get()
        let work = tempPath("go")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let checker = work + "/check"
        let build = try runProcess(
            goCommand!, ["build", "-o", checker, packageRoot.path + "/Tests/interop/tlog_tiles_check.go"],
            env: ["GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOFLAGS": "", "GOCACHE": work + "/cache"])
        try #require(build.status == 0, "go build: \(build.stderr)")
        let old = try #require(try ledger.store.checkpointText(size: 40_000))
        try old.write(toFile: work + "/old.note", atomically: true, encoding: .utf8)
        try await withServer(try ledger.published()) { server in
            let indexes = "0,255,256,12345,39999,40000,65535,65536,69999"
            // On a thread of its own: waiting for Go on the concurrency pool would take a thread
            // from the in-process server that Go is reading.
            let result = try await onThread {
                try runProcess(
                    checker,
                    [
                        "-url", "http://127.0.0.1:\(server.port)", "-vkey", ledger.logKey.verifierKey.description,
                        "-old-checkpoint", work + "/old.note", "-indexes", indexes,
                    ])
            }
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("ok: checkpoint of 70000 verified; 9 inclusion proofs"), "\(result.stdout)")
            #expect(result.stdout.contains("consistency 40000 -> 70000"), "\(result.stdout)")
        }
    }
}
