import Hummingbird
import LedgerCore

/// The dashboard: server-rendered HTML pages at `/` (specs/api.md).
enum Dashboard {
    static func register<Store: LedgerStore>(on router: Router<BasicRequestContext>, view: DomainView<Store>) {}
}
