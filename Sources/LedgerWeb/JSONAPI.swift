import Hummingbird
import LedgerCore

/// The JSON API: `GET /api/v1/…` (specs/api.md, specs/openapi.yaml).
enum JSONAPI {
    static func register<Store: LedgerStore>(on router: Router<BasicRequestContext>, view: DomainView<Store>) {}
}
