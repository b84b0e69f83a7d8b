import Consensus
import ControlLists
import LedgerCore
import LedgerCrypto

/// The control lists published in the ledger (`list.publish` entries), and the text of those
/// this server has: the lists shipped in `ControlLists` whose file hash the entry names.
enum PublishedLists {
    /// The shipped lists, read once.
    static let shipped: [ControlList] = CuratedData.ListName.allCases.compactMap { try? CuratedData.list($0) }

    /// The shipped list whose file hash is the one `p` published, if any.
    static func content(of p: PublishedList) -> ControlList? {
        shipped.first { Hex.decode($0.sourceSHA256).flatMap(Digest.init(bytes:)) == p.sha256 }
    }

    /// A `list.publish` entry as the API lists it.
    static func json(_ p: PublishedList) -> JSONValue {
        [
            "entry": .integer(Int64(p.entryIndex)), "time": .string(p.time.rfc3339),
            "jurisdiction": .string(p.jurisdiction), "instrument": .string(p.instrument),
            "citation": .string(p.citation), "versionDate": .string(p.versionDate),
            "sha256": .string(p.sha256.base64), "datasetSHA256": p.datasetSHA256.map { .string($0.base64) } ?? .null,
            "entries": .integer(p.entries), "available": .bool(content(of: p) != nil),
        ]
    }
}
