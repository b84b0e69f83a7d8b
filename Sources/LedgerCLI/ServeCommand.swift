import ArgumentParser
import LedgerCore
import LedgerServer
import Logging

extension LedgerCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the ledger over HTTP: the C2SP tlog-tiles read API (specs/api.md).",
            discussion: """
                Prints the server's URL on stdout once it accepts connections, and logs to stderr. \
                Serves the latest signed checkpoint and the entries it covers, after checking the \
                checkpoint's signature and recomputing its root from the entries; a newer checkpoint \
                is published within --refresh-interval. Stops gracefully on SIGTERM or SIGINT.
                """)

        @Argument(help: "Ledger directory.") var dir: String
        @Option(help: "Address to listen on (loopback by default).") var host = "127.0.0.1"
        @Option(help: "TCP port; 0 takes any free port (the printed URL names it).") var port = 8080
        @Option(name: .customLong("refresh-interval"), help: "Seconds between checks for a new checkpoint.")
        var refreshInterval = 1.0
        @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
        var logLevel = "info"

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
            guard refreshInterval >= 0.01, refreshInterval <= 3600 else {
                throw ValidationError("--refresh-interval must be 0.01 to 3600 seconds")
            }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical")
            }
        }

        func run() async throws {
            var opened: PublishedLog<FileStore>?
            try LedgerCLI.run {
                let log = try PublishedLog(ledger: try Ledger<RulesInUse>(directory: dir))
                try log.refresh()
                opened = log
            }
            guard let log = opened else { return }
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            let logger = {
                var logger = Logger(label: "ledger.serve")
                logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
                return logger
            }()
            if log.view.checkpoint == nil {
                logger.warning("no checkpoint has been signed yet: nothing is served until one is")
            }
            let configuration = ServerConfiguration(
                host: host, port: port, refreshInterval: .milliseconds(Int64(refreshInterval * 1000)))
            let size = log.view.size
            let directory = dir
            do {
                try await runServer(log: log, configuration: configuration, logger: logger) { bound in
                    out(configuration.url(port: bound))
                    logger.info(
                        "serving",
                        metadata: [
                            "directory": "\(directory)", "url": "\(configuration.url(port: bound))",
                            "checkpoint_size": "\(size)",
                        ])
                }
            } catch {
                printError("\(configuration.url(port: port)): \(error)")
                throw ExitCode(Exit.usage)
            }
            logger.info("stopped", metadata: ["directory": "\(directory)"])
        }
    }
}
