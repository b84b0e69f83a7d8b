import Logging

/// swift-log's `StreamLogHandler` with the metadata formatted when a message is written, not
/// when it is set. `StreamLogHandler` formats its whole metadata every time a key is set, and
/// Hummingbird sets one (`hb.request.id`) on the logger of every request, most of which log
/// nothing: that formatting cost every request. The lines written are `StreamLogHandler`'s own
/// (it writes them, given the metadata at that moment).
package struct ServerLogHandler: LogHandler {
    /// Writes the lines; its own metadata is set only on the copy that writes one.
    private var stream: StreamLogHandler

    package var metadata: Logger.Metadata = [:]

    package var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    package var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    /// Writes through `stream` (whose metadata, if any, is replaced by this handler's).
    package init(_ stream: StreamLogHandler) {
        self.stream = stream
        metadata = stream.metadata
        self.stream.metadata = [:]
    }

    /// Lines to standard error, as `StreamLogHandler.standardError(label:)` writes them.
    package static func standardError(label: String) -> ServerLogHandler {
        ServerLogHandler(StreamLogHandler.standardError(label: label))
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var writer = stream
        if !metadata.isEmpty { writer.metadata = metadata }
        writer.log(event: event)
    }
}
