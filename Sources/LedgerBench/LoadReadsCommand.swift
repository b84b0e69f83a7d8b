import ArgumentParser
import Foundation
import LedgerCore

extension LedgerBenchCommand {
    /// `ledger-bench load-reads`: GETs of listed paths from a server on 127.0.0.1, closed loop,
    /// with the epoll generator of `ledger-bench load` (scripts/load-wrk.sh's read runs).
    struct LoadReads: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load-reads",
            abstract: "GET listed paths from a server on 127.0.0.1 as fast as it answers (bounded in time).",
            discussion: """
                Sends GET requests for the paths in --paths (one a line), round robin, over --connections \
                keep-alive connections to 127.0.0.1:--port, each connection sending its next request when the \
                reply to the last is in (no pipelining), for --seconds. Prints one JSON line: requests, bytes \
                received (heads included), seconds, p50_ms and p99_ms, and statuses ("2xx", "5xx" with failed \
                connections, "other"). One thread drives every connection with epoll, so that the generator \
                costs the server little CPU on a shared machine.
                """)

        @Option(help: "The server's port on 127.0.0.1.") var port: Int
        @Option(help: "A file of request paths, one a line.") var paths: String
        @Option(help: "Seconds the run lasts (at most).") var seconds = 10.0
        @Option(help: "Client connections.") var connections = 64

        func validate() throws {
            guard (1...65535).contains(port) else { throw ValidationError("--port must be 1 to 65535") }
            guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be up to 600") }
            guard (1...1024).contains(connections) else { throw ValidationError("--connections must be 1 to 1024") }
        }

        func run() throws {
            try LedgerBenchCommand.reportingErrors {
                guard let text = try? String(contentsOfFile: paths, encoding: .utf8) else {
                    throw LedgerError.io("\(paths): cannot be read")
                }
                let list = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
                guard !list.isEmpty else { throw LedgerError.malformed("\(paths): no paths") }
                for (n, path) in list.enumerated() where !path.hasPrefix("/") || path.contains(" ") {
                    throw LedgerError.malformed("\(paths): line \(n + 1): a path starts with / and has no space")
                }
                let requests = LoadRequests(gets: list, port: port)
                // Enough requests for a million a second; the run ends on time.
                let run = LoadClient.run(
                    port: port, requests: requests, range: 0..<Int(seconds * 1_000_000) + 1, connections: connections,
                    seconds: seconds, rate: nil, bufferSize: 1 << 16)
                for (why, n) in run.failures.sorted(by: { $0.key < $1.key }) {
                    BenchOutput.stderr("load-reads: \(n) requests failed: \(why)\n")
                }
                let statuses = [("2xx", run.accepted), ("5xx", run.serverErrors), ("other", run.other)]
                    .filter { $0.1 > 0 }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
                let requestsDone = run.accepted + run.serverErrors + run.other
                print(
                    "{\"requests\":\(requestsDone),\"bytes\":\(run.bytes),"
                        + String(
                            format: "\"seconds\":%.3f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,", run.elapsed,
                            run.percentile(0.5), run.percentile(0.99))
                        + "\"statuses\":{\(statuses)}}")
            }
        }
    }
}
