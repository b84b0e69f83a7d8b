import Foundation
import LedgerCore
import LedgerTestSupport
import LedgerWeb
import Testing

/// The dashboard's templates and static files are compiled into the binary; the files in
/// Sources/LedgerWeb stay the source of truth.
@Suite struct EmbeddedDashboardFilesTests {
    static let sources = packageRoot.appendingPathComponent("Sources/LedgerWeb")

    /// The files of `folder` (ending in `suffix`), by name.
    static func files(_ folder: String, suffix: String = "") throws -> [String: String] {
        let dir = sources.appendingPathComponent(folder).path
        var out: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name.hasSuffix(suffix) {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
            out[name] = String(decoding: data, as: UTF8.self)
        }
        return out
    }

    @Test func theEmbeddedCopyIsTheFilesInTemplatesAndStatic() throws {
        let advice = "the embedded copy is stale: run scripts/embed-assets.sh"
        let templates = try Self.files("Templates", suffix: ".mustache")
        #expect(templates.count >= 12)
        #expect(Set(EmbeddedDashboardFiles.templates.keys) == Set(templates.keys), "\(advice)")
        for (name, text) in templates {
            let isSame = EmbeddedDashboardFiles.templates[name].map { Array($0.utf8) } == Array(text.utf8)
            #expect(isSame, "\(name): \(advice)")
        }
        let statics = try Self.files("Static")
        #expect(Set(statics.keys) == ["dashboard.css", "live.js"])
        #expect(Set(EmbeddedDashboardFiles.staticFiles.keys) == Set(statics.keys), "\(advice)")
        for (name, text) in statics {
            let isSame = EmbeddedDashboardFiles.staticFiles[name].map { Array($0.utf8) } == Array(text.utf8)
            #expect(isSame, "\(name): \(advice)")
        }
    }

    /// The built `ledger` copied alone into an empty directory (no resource bundle beside it)
    /// serves the dashboard's pages and files, and names no LedgerWeb resource bundle at all (so
    /// it cannot fall back on the one in the build directory, which another machine lacks).
    @Test func aLedgerBinaryCopiedAloneServesTheDashboard() async throws {
        let lonely = NSTemporaryDirectory() + "mll-web-lonely-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: lonely, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: lonely) }
        let binary = lonely + "/ledger"
        try FileManager.default.copyItem(atPath: ledgerBinary, toPath: binary)
        #expect(try FileManager.default.contentsOfDirectory(atPath: lonely) == ["ledger"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: binary))
        #expect(
            bytes.range(of: Data("_LedgerWeb.resources".utf8)) == nil,
            "the binary still looks for LedgerWeb's resource bundle")
        #expect(
            bytes.range(of: Data("_ControlLists.resources".utf8)) == nil,
            "the binary still looks for ControlLists' resource bundle")
        let dir = try sampleCopy("lonely")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (process, port) = try await startServe(dir, binary: binary, workingDirectory: lonely)
        defer { if process.isRunning { process.terminate() } }
        // The conflicts and lists pages also need ControlLists' shipped data (compiled in too).
        let pages = ["/", "/forums/G7", "/proposals/G7-SME-2026-02", "/objections", "/transparency", "/entries/5"]
        for path in pages + ["/conflicts", "/lists", "/api/v1/conflicts"] {
            let r = try await EventStreamTestClient.get(port: port, path)
            #expect(r.status == 200, "\(path): \(r.body.prefix(200))")
            #expect(path.hasPrefix("/api/") || r.body.contains("<main"), "\(path)")
        }
        for (name, type) in [("dashboard.css", "text/css"), ("live.js", "text/javascript")] {
            let r = try await EventStreamTestClient.get(port: port, "/static/" + name)
            #expect(r.status == 200)
            #expect(r.header("content-type")?.hasPrefix(type) == true)
            #expect(r.body == (try Self.files("Static"))[name])
        }
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
