import LedgerCore

/// One server-sent event: `id: <entry index>`, `event: <name>`, `data: <one JSON line>`.
package struct ServerEvent: Sendable, Hashable {
    /// The entry the event is about; for `deadline`, the last entry published when it was sent.
    package let id: Int64
    /// `entry`, `position`, `decision` or `deadline`.
    package let name: String
    package let data: JSONValue

    package init(id: Int64, name: String, data: JSONValue) {
        self.id = id
        self.name = name
        self.data = data
    }

    /// The event as the stream sends it.
    package var text: String { "id: \(id)\nevent: \(name)\ndata: \(data.canonicalString)\n\n" }
}
