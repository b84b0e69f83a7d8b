import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The log handler of `ledger serve`: the lines of swift-log's `StreamLogHandler`, byte for
/// byte, but its metadata is formatted only when a line is written.
///
/// `StreamLogHandler` formats its metadata every time the metadata is set, and Hummingbird
/// sets a request id on the logger of every request: a cost paid by each request even when
/// nothing is logged. Here setting metadata stores it, nothing more.
///
/// A line: `<local time %Y-%m-%dT%H:%M:%S%z> <level> <label>: <key=value …, sorted by key> [<source>]
/// <message>`, the metadata part left out when there is none; an error passed to the log call
/// adds `error.message` and `error.type` as `StreamLogHandler` does.
///
/// The write path can bootstrap it too: `LoggingSystem.bootstrap(ServerLogHandler.standardError)`.
package struct ServerLogHandler: LogHandler {
    package var logLevel: Logger.Level = .info
    package var metadata = Logger.Metadata()
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    /// A handler that gives each line (ending in a newline) to `write`.
    package init(
        label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        write: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    /// A handler that writes each line to standard error with one `write(2)` call, so that lines
    /// of concurrent requests never interleave.
    package static func standardError(label: String) -> ServerLogHandler {
        ServerLogHandler(label: label, write: writeToStandardError)
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            all.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            all.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            all["error.message"] = "\(error)"
            all["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        let pretty =
            all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ")
        let separator = label.isEmpty ? "" : " "
        write(
            "\(ServerLogHandler.timestamp()) \(event.level)\(separator)\(label):\(pretty) [\(event.source)] "
                + "\(event.message)\n")
    }

    /// The local time as `StreamLogHandler` writes it: `%Y-%m-%dT%H:%M:%S%z`.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Writes all of `line` to file descriptor 2, retrying partial writes and interruptions.
private func writeToStandardError(_ line: String) {
    var line = line
    line.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = write(2, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0, errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
