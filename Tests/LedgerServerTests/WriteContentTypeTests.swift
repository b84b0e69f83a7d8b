import Consensus
import Hummingbird
import LedgerCore
import LedgerServer
import Testing

/// `POST /api/v1/entries` takes `application/json` (specs/api.md): the media type before any
/// parameter, in any case, spaces and tabs ignored; the usual 16-byte spelling is checked on
/// its bytes, and must agree with the general rule.
@Suite struct WriteContentTypeTests {
    typealias Routes = WriteRoutes<BasicRequestContext, NegotiationRules, FileStore>

    @Test(arguments: [
        "application/json", "Application/JSON", "APPLICATION/JSON", "application/json; charset=utf-8",
        " application/json", "application/json ", "application / json", "application/json;", "aPPlication/jSon",
        ";application/json",
    ])
    func accepts(_ type: String) { #expect(Routes.isJSON(type)) }

    @Test(arguments: [
        "text/plain", "application/jsonx", "application/jso", "application\u{0F}json", "applicationXjson",
        "application/json\u{0}", "application/jsoN\u{300}", "appli\u{C7}ation/json", "applicatio\u{C7}json", "",
        "text/json", "application/json-seq", "\u{212A}",
    ])
    func refuses(_ type: String) { #expect(!Routes.isJSON(type)) }
}
