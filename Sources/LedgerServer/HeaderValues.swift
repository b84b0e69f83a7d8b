/// The header values the read API sends (specs/api.md).
enum HeaderValues {
    /// `/checkpoint`, `/proof` and error bodies.
    static let plainText = "text/plain; charset=utf-8"
    /// Tiles and entry bundles.
    static let octetStream = "application/octet-stream"
    /// Mutable resources: `/checkpoint`, `/proof`, errors.
    static let noCache = "no-cache"
    /// Tiles and entry bundles never change once served (C2SP tlog-tiles: "immutable").
    static let immutable = "public, max-age=31536000, immutable"
    /// A witness's 409 body: the tree size it last cosigned (C2SP tlog-witness).
    static let tlogSize = "text/x.tlog.size"
}
