import ArgumentParser
import Consensus
import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport

#if canImport(Glibc)
    import Glibc
#endif

extension LedgerBenchCommand {
    /// `ledger-bench load`: durable appends through `POST /api/v1/entries` of a `ledger serve`
    /// child on 127.0.0.1, against the raw Ed25519 verify rate measured in the same run.
    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load `ledger serve --operator-key` on 127.0.0.1 through POST /api/v1/entries (bounded).",
            discussion: """
                Creates a ledger in a temporary directory, starts the built `ledger serve` on 127.0.0.1 (a free \
                port), and posts pre-signed statements over keep-alive connections: first as fast as the \
                server acknowledges them (durable appends/s, signatures checked, group commit), then at half \
                that rate (p50/p99 latency, measured from each request's scheduled time). Counts 5xx replies. \
                Bounded by --count statements and --seconds per phase; the server and the directory are \
                removed at the end.
                """)

        @Option(help: "Statements in the throughput phase (at most).") var count = 20_000
        @Option(help: "Seconds each phase may last (at most).") var seconds = 20.0
        @Option(help: "Client connections.") var connections = 16
        @Option(help: "Signer keys the statements are spread over.") var signers = 8
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            guard (1...1_000_000).contains(count) else { throw ValidationError("--count must be 1 to 1000000") }
            guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be up to 600") }
            guard (1...256).contains(connections) else { throw ValidationError("--connections must be 1 to 256") }
            guard (1...1000).contains(signers) else { throw ValidationError("--signers must be 1 to 1000") }
        }

        func run() throws {
            try LedgerBenchCommand.reportingErrors {
                let dir = NSTemporaryDirectory() + "mll-load-\(UUID().uuidString)"
                defer { try? FileManager.default.removeItem(atPath: dir) }
                let op = try NoteSignerKey.generate(name: "load.minilateral.example/log")
                let authors = try (0..<signers).map { try NoteSignerKey.generate(name: "load-\($0).example") }
                let ledger = try Ledger<NegotiationRules>.create(directory: dir, operatorKey: op)
                _ = try ledger.append(
                    try authors.map {
                        try Statement.make(
                            kind: "key.register", body: ["vkey": .string($0.verifierKey.description)], key: op,
                            time: .now())
                    })
                let keyFile = dir + "/../" + URL(fileURLWithPath: dir).lastPathComponent + ".key"
                try LedgerFiles.writePrivateKey(op, to: keyFile)
                defer { try? FileManager.default.removeItem(atPath: keyFile) }
                let half = min(count, Int(seconds) * 20_000)
                BenchOutput.stderr("signing \(count + half) statements\n")
                var bodies = Self.sign(count + half, authors: authors)
                let server = try LoadServer.start(dir: dir, keyFile: keyFile)
                defer { server.stop() }
                // Every request's bytes, built before the clock starts.
                let requests = LoadRequests(bodies: bodies, port: server.port)
                bodies = []
                BenchOutput.stderr("server at 127.0.0.1:\(server.port); throughput phase\n")
                let cpuBefore = (server: server.cpuSeconds(), client: LoadServer.ownCPUSeconds())
                let full = LoadClient.run(
                    port: server.port, requests: requests, range: 0..<count, connections: connections,
                    seconds: seconds, rate: nil)
                let rate = Double(full.accepted) / full.elapsed
                // CPU time per append (server and load generator), steadier than the rate on a
                // machine shared with other work.
                let perAppend = { (seconds: Double) in full.accepted > 0 ? seconds * 1e6 / Double(full.accepted) : 0 }
                let serverMicros = perAppend(server.cpuSeconds() - cpuBefore.server)
                let clientMicros = perAppend(LoadServer.ownCPUSeconds() - cpuBefore.client)
                var load = [0.0, 0, 0]
                _ = getloadavg(&load, 3)
                BenchOutput.stderr("latency phase at \(Int(rate / 2))/s\n")
                let paced = LoadClient.run(
                    port: server.port, requests: requests, range: count..<requests.count, connections: connections,
                    seconds: min(seconds, 10), rate: rate / 2)
                for (phase, run) in [("throughput", full), ("latency", paced)] {
                    for (why, n) in run.failures.sorted(by: { $0.key < $1.key }) {
                        BenchOutput.stderr("\(phase) phase: \(n) requests failed: \(why)\n")
                    }
                }
                let cores = Parallel.processorCount
                let verifyRate = CoreBenchmark(entries: 0, workdir: nil, progress: BenchProgress()).rawLimits().0
                let limit = Double(cores) * verifyRate
                let report: [String: JSONValue] = [
                    "appendsPerSecond": .integer(Int64(rate)), "accepted": .integer(Int64(full.accepted)),
                    "serverErrors": .integer(Int64(full.serverErrors + paced.serverErrors)),
                    "otherStatuses": .integer(Int64(full.other + paced.other)),
                    "halfRate": .integer(Int64(rate / 2)), "p50Milliseconds": .integer(Int64(paced.percentile(0.5))),
                    "p99Milliseconds": .integer(Int64(paced.percentile(0.99))),
                    "rawVerifyPerSecondPerCore": .integer(Int64(verifyRate)), "cores": .integer(Int64(cores)),
                    "ratioToVerifyLimit": .string(String(format: "%.3f", rate / limit)),
                    "connections": .integer(Int64(connections)),
                    "serverCPUMicrosecondsPerAppend": .integer(Int64(serverMicros)),
                    "clientCPUMicrosecondsPerAppend": .integer(Int64(clientMicros)),
                    "loadAverage": .string(String(format: "%.2f", load[0])),
                ]
                if json {
                    print(JSONValue.object(JSONObject(report)).canonicalString)
                } else {
                    print(
                        "durable appends through HTTP: \(Int(rate))/s (\(full.accepted) in "
                            + String(format: "%.1f", full.elapsed) + " s, \(connections) connections)")
                    print(
                        "limit: raw Ed25519 verify \(Int(verifyRate))/s per core x \(cores) cores = \(Int(limit))/s; "
                            + "ratio " + String(format: "%.3f", rate / limit))
                    print(
                        "latency at \(Int(rate / 2))/s: p50 \(Int(paced.percentile(0.5))) ms, "
                            + "p99 \(Int(paced.percentile(0.99))) ms (\(paced.accepted) requests)")
                    print(
                        "5xx replies: \(full.serverErrors + paced.serverErrors); other non-2xx: \(full.other + paced.other)"
                    )
                    print(
                        "CPU per append in the throughput phase: server \(Int(serverMicros)) us, load generator "
                            + "\(Int(clientMicros)) us; load average " + String(format: "%.2f", load[0]))
                }
            }
        }

        /// `n` notes spread over `authors`, each as the JSON body of a request.
        static func sign(_ n: Int, authors: [NoteSignerKey]) -> [[UInt8]] {
            let now = Timestamp.now()
            return Parallel.map(n) { k in
                try! Statement.make(
                    kind: "note", body: ["text": .string("load \(k)")], key: authors[k % authors.count], time: now
                ).json.canonicalBytes
            }
        }
    }
}

/// The `ledger serve` child.
struct LoadServer {
    let process: Process
    let port: Int

    static func start(dir: String, keyFile: String) throws -> LoadServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BenchSystem.ledgerExecutable())
        process.arguments = [
            "serve", dir, "--host", "127.0.0.1", "--port", "0", "--operator-key", keyFile, "--rate-limit", "1000000",
            "--max-pending", "100000", "--log-level", "error",
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = [UInt8]()
        while true {
            let d = out.fileHandleForReading.readData(ofLength: 1)
            if d.isEmpty || d.first == UInt8(ascii: "\n") { break }
            line += d
        }
        guard let port = URL(string: String(decoding: line, as: UTF8.self))?.port else {
            process.terminate()
            throw LedgerError.io("ledger serve did not start")
        }
        return LoadServer(process: process, port: port)
    }

    func stop() {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    /// The server's user and system CPU time so far, in seconds (Linux `/proc`; 0 elsewhere).
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name: state is field 3, utime 14 and stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// This process's user and system CPU time so far, in seconds.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let seconds = { (t: timeval) in Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
