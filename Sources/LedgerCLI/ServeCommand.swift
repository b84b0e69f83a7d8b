import ArgumentParser
import LedgerCore
import LedgerServer
import LedgerWeb
import Logging

extension LedgerCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the ledger over HTTP: the C2SP tlog-tiles read API (specs/api.md).",
            discussion: """
                Prints the server's URL on stdout once it accepts connections, and logs to stderr. \
                Serves the latest signed checkpoint and the entries it covers, after checking the \
                checkpoint's signature and recomputing its root from the entries; a newer checkpoint \
                is published within --refresh-interval. Stops gracefully on SIGTERM or SIGINT. \
                With --key, --state and --log ORIGIN=VKEY, it is also a C2SP tlog-witness for those logs \
                (POST /witness/add-checkpoint); with --witness-only, it is only that, and takes no DIR. \
                With --witness URL=VKEY it submits each new checkpoint to those witnesses (C2SP tlog-witness) \
                and serves the checkpoint with their cosignatures. GET /metrics gives Prometheus metrics; \
                --tls-cert and --tls-key serve HTTPS. \
                With --operator-key, it also takes signed statements (POST /api/v1/entries), signs a \
                checkpoint every --checkpoint-interval while the log grows, and answers with receipts.
                """)

        @Argument(help: "Ledger directory (none with --witness-only).") var dir: String?
        @Option(help: "Address to listen on (loopback by default).") var host = "127.0.0.1"
        @Option(help: "TCP port; 0 takes any free port (the printed URL names it).") var port = 8080
        @Option(name: .customLong("refresh-interval"), help: "Seconds between checks for a new checkpoint.")
        var refreshInterval = 1.0
        @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
        var logLevel = "info"
        @Flag(name: .customLong("witness-only"), help: "Serve only the witness endpoint (no ledger).")
        var witnessOnly = false
        @Option(help: "Witness private key file: serve POST /witness/add-checkpoint.") var key: String?
        @Option(help: "Witness state directory (the last cosigned checkpoint per log; created if missing).")
        var state: String?
        @Option(name: .customLong("log"), help: "A log to witness: ORIGIN=VKEY (repeatable).")
        var logs: [String] = []
        @Option(
            name: .customLong("witness"),
            help:
                "A witness to submit checkpoints to: URL=VKEY, URL its prefix (http://host:port/witness) (repeatable)."
        )
        var witnessURLs: [String] = []
        @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS (needs --tls-key).")
        var tlsCert: String?
        @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.") var tlsKey: String?
        @OptionGroup var write: WriteOptions

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
            guard refreshInterval >= 0.01, refreshInterval <= 3600 else {
                throw ValidationError("--refresh-interval must be 0.01 to 3600 seconds")
            }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical")
            }
            if witnessOnly {
                guard dir == nil else { throw ValidationError("--witness-only serves no ledger: drop DIR") }
                guard key != nil else { throw ValidationError("--witness-only needs --key, --state and --log") }
            } else if dir == nil {
                throw ValidationError("give the ledger directory, or --witness-only")
            }
            try write.validate(witnessOnly: witnessOnly)
            if witnessOnly && !witnessURLs.isEmpty {
                throw ValidationError("--witness submits a ledger's checkpoints: it needs DIR, not --witness-only")
            }
            if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
            if key != nil {
                guard state != nil else { throw ValidationError("--key needs --state: a witness must keep state") }
                guard !logs.isEmpty else { throw ValidationError("--key needs at least one --log ORIGIN=VKEY") }
            } else if state != nil || !logs.isEmpty {
                throw ValidationError("--state and --log need --key (the witness key)")
            }
        }

        /// The witness routes from --key, --state and --log, or nil without --key.
        func witnessRoutes() throws -> WitnessEndpoint? {
            guard let key, let state else { return nil }
            var trusted = [String: [NoteVerifierKey]]()
            for spec in logs {
                guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
                    throw LedgerError.malformed("--log \(spec): expected ORIGIN=VKEY")
                }
                let origin = String(spec[..<eq])
                let vkey = try KeyArguments.verifierKey(String(spec[spec.index(after: eq)...]), flag: "--log")
                trusted[origin, default: []].append(vkey)
            }
            let configuration = try WitnessConfiguration(
                key: try loadPrivateKey(key), logs: trusted, state: FileWitnessState(directory: state))
            return WitnessRoutes(witness: CheckpointWitness(configuration: configuration))
        }

        func run() async throws {
            var opened: PublishedLog<FileStore>?
            var ledger: Ledger<RulesInUse>?
            var witness: WitnessEndpoint?
            var writer: LogWriter<RulesInUse, FileStore>?
            var targets = [WitnessTarget]()
            var configuration = ServerConfiguration(
                host: host, port: port, refreshInterval: .milliseconds(Int64(refreshInterval * 1000)))
            var ready = false
            let metrics = ServerMetrics()
            try LedgerCLI.run {
                if let tlsCert, let tlsKey {
                    configuration.tls = try ServerTLS.configuration(certificateFile: tlsCert, keyFile: tlsKey)
                }
                targets = try witnessURLs.map { spec throws(LedgerError) in try WitnessTarget(parsing: spec) }
                witness = try witnessRoutes()
                if let dir {
                    // The log clock (LEDGER_NOW when set): the dashboard's "now", as for `ledger board`.
                    let opening = try Ledger<RulesInUse>(directory: dir, clock: logClock())
                    let log = try PublishedLog(ledger: opening)
                    try log.refresh()
                    opened = log
                    ledger = opening
                    writer = try write.writer(ledger: opening, log: log, metrics: metrics)
                }
                ready = true
            }
            guard ready else { return }
            LoggingSystem.bootstrap(ServerLogHandler.standardError)
            let logger = {
                var logger = Logger(label: "ledger.serve")
                logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
                return logger
            }()
            guard let log = opened, let ledger else {
                try await runWitnessOnly(witness!, configuration: configuration, metrics: metrics, logger: logger)
                return
            }
            if log.view.checkpoint == nil {
                logger.warning("no checkpoint has been signed yet: nothing is served until one is")
            }
            var extras = ServerExtras(
                metrics: metrics,
                extensions: [
                    LedgerWeb.serverExtension(
                        view: DomainView(ledger: ledger, log: log, clock: logClock()), logger: logger)
                ])
            if !targets.isEmpty {
                extras.services.append(
                    WitnessClientService(
                        ledger: ledger, log: log, witnesses: targets, interval: configuration.refreshInterval,
                        metrics: metrics, logger: logger))
            }
            let size = log.view.size
            let served = configuration
            let witnessNames = targets.map(\.name).joined(separator: ",")
            let directory = dir ?? ""
            let witnessing = witness != nil
            let writing = writer != nil
            if let writer { extras.extensions.append(.write(writer, logger: logger)) }
            do {
                try await runServer(
                    log: log, configuration: configuration, logger: logger, witness: witness, extras: extras
                ) { bound in
                    out(served.url(port: bound))
                    logger.info(
                        "serving",
                        metadata: [
                            "directory": "\(directory)", "url": "\(served.url(port: bound))",
                            "checkpoint_size": "\(size)", "witness": "\(witnessing)",
                            "witnesses": "\(witnessNames)", "write": "\(writing)",
                        ])
                }
            } catch {
                printError("\(configuration.url(port: port)): \(error)")
                throw ExitCode(Exit.usage)
            }
            logger.info("stopped", metadata: ["directory": "\(directory)"])
        }

        func runWitnessOnly(
            _ witness: WitnessEndpoint, configuration: ServerConfiguration, metrics: ServerMetrics, logger: Logger
        ) async throws {
            let name = witness.witness.configuration.key.name
            do {
                try await runWitnessServer(
                    witness: witness, configuration: configuration, logger: logger,
                    extras: ServerExtras(metrics: metrics)
                ) { bound in
                    out(configuration.url(port: bound))
                    logger.info(
                        "witnessing",
                        metadata: [
                            "witness": "\(name)", "url": "\(configuration.url(port: bound))",
                            "logs": "\(witness.witness.configuration.logs.keys.sorted().joined(separator: ","))",
                        ])
                }
            } catch {
                printError("\(configuration.url(port: port)): \(error)")
                throw ExitCode(Exit.usage)
            }
            logger.info("stopped", metadata: ["witness": "\(name)"])
        }
    }
}
