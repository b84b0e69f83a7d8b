import Consensus
import ControlLists
import Foundation
import HTTPTypes
import Hummingbird
import LedgerCore
import LedgerServer
import Mustache
import Synchronization

/// The dashboard: server-rendered HTML pages at `/` (specs/api.md, Dashboard).
///
/// Pages are rendered with Mustache templates shipped as resources of this module; the style
/// sheet and a small script are served from `/static/`. The pages work without JavaScript:
/// the script only re-fetches the page when `/api/v1/events` announces a change.
enum Dashboard {
    static func register<Store: LedgerStore>(on router: Router<BasicRequestContext>, view: DomainView<Store>) {
        let routes = DashboardRoutes(view: view, assets: DashboardAssets.shared)
        routes.register(on: router)
    }

    /// `s` percent-encoded for one path segment (everything but unreserved characters).
    static func pathComponent(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }
}

/// The templates, the style sheet and the script, loaded once from the module's resources.
struct DashboardAssets: Sendable {
    let library: MustacheLibrary
    let css: [UInt8]
    let script: [UInt8]

    /// Loaded at the first use; a missing or broken resource is a packaging error, reported on
    /// every page as a 500 rather than stopping the server.
    static let shared = Result { () throws(DashboardAssetError) -> DashboardAssets in try DashboardAssets.load() }

    static func load() throws(DashboardAssetError) -> DashboardAssets {
        guard let root = Bundle.module.resourceURL else { throw DashboardAssetError("no resource bundle") }
        let templates = root.appendingPathComponent("Templates")
        var library = MustacheLibrary()
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: templates.path) } catch {
            throw DashboardAssetError("cannot list \(templates.path): \(error)")
        }
        for file in names.sorted() where file.hasSuffix(".mustache") {
            let path = templates.appendingPathComponent(file).path
            do {
                let source = try String(contentsOfFile: path, encoding: .utf8)
                library.register(try MustacheTemplate(string: source), named: String(file.dropLast(9)))
            } catch {
                throw DashboardAssetError("template \(file): \(error)")
            }
        }
        func bytes(_ name: String) throws(DashboardAssetError) -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent("Static/\(name)").path)
            else { throw DashboardAssetError("missing Static/\(name)") }
            return [UInt8](data)
        }
        return DashboardAssets(library: library, css: try bytes("dashboard.css"), script: try bytes("live.js"))
    }
}

/// Why the dashboard's resources could not be loaded.
struct DashboardAssetError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The dashboard's routes over one ``DomainView``.
final class DashboardRoutes<Store: LedgerStore>: Sendable {
    let view: DomainView<Store>
    let assets: Result<DashboardAssets, DashboardAssetError>
    /// The charts of the last checkpoint drawn (they replay the log): its note, and the HTML.
    private let charts = Mutex<(checkpoint: String, html: String)?>(nil)

    init(view: DomainView<Store>, assets: Result<DashboardAssets, DashboardAssetError>) {
        self.view = view
        self.assets = assets
    }

    static var htmlHeaders: HTTPFields {
        [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-cache",
            HTTPField.Name("Content-Security-Policy")!:
                "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; "
                + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in self.page { pages in pages.overview(chartsHtml: try self.chartsHtml(pages)) } }
        router.get("forums/:forum") { _, context in
            let name = context.parameters.get("forum") ?? ""
            return self.page { pages in
                guard let id = try? pages.state.resolveForum(name) else {
                    return pages.notFound("forum", name: name, among: pages.state.forumOrder, prefix: "/forums/")
                }
                return try pages.board(forum: id)
            }
        }
        router.get("proposals/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            return self.page { pages in
                guard let p = pages.state.proposal(id) else {
                    return pages.notFound(
                        "proposal", name: id, among: pages.state.proposals.map(\.id), prefix: "/proposals/")
                }
                return try pages.proposal(p)
            }
        }
        router.get("objections") { _, _ in self.page { $0.objections() } }
        router.get("conflicts") { _, _ in self.page { try $0.conflicts() } }
        router.get("lists") { _, _ in self.page { try $0.lists() } }
        router.get("transparency") { _, _ in self.page { $0.transparency() } }
        router.get("entries") { request, _ in
            let raw = request.uri.queryParameters.get("from") ?? "0"
            return self.page { pages in
                guard let from = Self.canonicalIndex(raw) else {
                    return pages.error(400, "from must be an entry index: a decimal integer without leading zeros")
                }
                guard from == 0 || from < pages.snapshot.size else {
                    return pages.error(404, "entry \(from) is not covered by the published checkpoint")
                }
                return try pages.entries(from: from)
            }
        }
        router.get("entries/:index") { _, context in
            let raw = context.parameters.get("index") ?? ""
            return self.page { pages in
                guard let index = Self.canonicalIndex(raw), index < pages.snapshot.size else {
                    return pages.error(
                        404, "no entry \(raw) in the published checkpoint (entries 0 to \(pages.snapshot.size - 1))")
                }
                return try pages.entry(index)
            }
        }
        router.get("static/dashboard.css") { _, _ in self.asset(\.css, type: "text/css; charset=utf-8") }
        router.get("static/live.js") { _, _ in self.asset(\.script, type: "text/javascript; charset=utf-8") }
    }

    /// A non-negative decimal with no leading zero (but "0"), or nil.
    static func canonicalIndex(_ s: String) -> Int64? {
        guard let n = Int64(s), n >= 0, String(n) == s else { return nil }
        return n
    }

    func asset(_ key: KeyPath<DashboardAssets, [UInt8]>, type: String) -> Response {
        switch assets {
        case .success(let a):
            return Response(
                status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(bytes: a[keyPath: key])))
        case .failure(let e):
            return Self.plainError(e.description)
        }
    }

    static func plainError(_ message: String) -> Response {
        Response(
            status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "dashboard: \(DashboardPages<Store>.text(message))\n")))
    }

    /// The charts for the published checkpoint, drawn once per checkpoint.
    func chartsHtml(_ pages: DashboardPages<Store>) throws(LedgerError) -> String {
        let key = pages.snapshot.checkpointText
        if let c = charts.withLock({ $0 }), c.checkpoint == key { return c.html }
        let samples = try DashboardCharts.stateSamples(
            count: pages.snapshot.size, entry: pages.publishedEntry, now: pages.now)
        let html =
            DashboardCharts.stateChart(samples)
            + DashboardCharts.decisionChart(DashboardCharts.decisionTimes(pages.state))
        charts.withLock { $0 = (key, html) }
        return html
    }

    /// Renders the page `build` makes, inside the layout; an error becomes a 500 page.
    func page(_ build: (DashboardPages<Store>) throws -> DashboardPage) -> Response {
        let assets: DashboardAssets
        switch self.assets {
        case .success(let a): assets = a
        case .failure(let e): return Self.plainError(e.description)
        }
        let pages: DashboardPages<Store>
        do {
            let snapshot = try view.snapshot()
            pages = DashboardPages(
                view: view, snapshot: snapshot, now: max(view.ledger.clock(), snapshot.state.lastTime))
        } catch {
            return Self.plainError(error.message)
        }
        let page: DashboardPage
        do { page = try build(pages) } catch let error as LedgerError {
            page = pages.error(500, error.message)
        } catch {
            page = pages.error(500, "\(error)")
        }
        guard let main = assets.library.render(page.values, withTemplate: page.template) else {
            return Self.plainError("no template \(page.template)")
        }
        var layout = pages.basis
        layout["title"] = page.title
        layout["mainHtml"] = main
        layout["nav"] = pages.state.forumOrder.map { ["id": pages.text($0), "path": Dashboard.pathComponent($0)] }
        let html = assets.library.render(layout, withTemplate: "layout") ?? main
        return Response(
            status: HTTPResponse.Status(code: page.status), headers: Self.htmlHeaders,
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

extension DashboardPages {
    /// An error page with `status` and a one-line `message`.
    func error(_ status: Int, _ message: String) -> DashboardPage {
        var values = basis
        values["message"] = text(message)
        values["status"] = status
        return DashboardPage(title: "Error \(status)", template: "error", values: values, status: status)
    }
}
