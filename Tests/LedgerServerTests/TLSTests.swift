import AsyncHTTPClient
import Foundation
import LedgerCore
import LedgerServer
import LedgerTestSupport
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A self-signed certificate for 127.0.0.1 made with `openssl req -x509` at test time.
struct TestCertificate {
    let directory: String
    var certificate: String { directory + "/cert.pem" }
    var key: String { directory + "/key.pem" }

    init() throws {
        directory = tempPath("tls")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try TestCertificate.openssl(
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory + "/key.pem",
            "-out", directory + "/cert.pem")
    }

    /// Another key, not the certificate's.
    func otherKey() throws -> String {
        let path = directory + "/other.pem"
        try TestCertificate.openssl(
            "genpkey", "-algorithm", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", path)
        return path
    }

    static func openssl(_ args: String...) throws {
        let p = ChildProcess()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw HTTPTestClient.Failure(description: "openssl \(args.joined(separator: " ")) failed")
        }
    }

    /// A client configuration that trusts only this certificate.
    func clientTLS() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificate))
        return tls
    }

    func serverTLS() throws -> TLSConfiguration {
        try ServerTLS.configuration(certificateFile: certificate, keyFile: key)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// `--tls-cert` / `--tls-key`: HTTPS for the log and for witnesses.
@Suite struct TLSTests {
    @Test func serveOverTLSAnswersAClientThatTrustsTheCertificateAndNotPlainHTTP() async throws {
        let cert = try TestCertificate()
        defer { cert.remove() }
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: ledgerBinary)
        process.arguments = [
            "serve", sampleLedger, "--port", "0", "--tls-cert", cert.certificate, "--tls-key", cert.key,
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let url = try await readLine(out.fileHandleForReading)
        #expect(url.hasPrefix("https://127.0.0.1:"), "\(url)")
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: try cert.clientTLS()))
        do {
            let response = try await client.execute(HTTPClientRequest(url: url + "/checkpoint"), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 16)
            #expect(response.status.code == 200)
            #expect(String(buffer: body).hasPrefix("demo.minilateral-ledger.example\n100\n"))
            // A client that does not trust the certificate is refused by the handshake.
            let untrusting = HTTPClient(eventLoopGroupProvider: .singleton)
            await #expect(throws: (any Error).self) {
                _ = try await untrusting.execute(HTTPClientRequest(url: url + "/checkpoint"), timeout: .seconds(2))
            }
            try await untrusting.shutdown()
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        // Plain HTTP to the TLS port gets no HTTP response.
        let port = try #require(URL(string: url)?.port)
        let plain = try? await HTTPTestClient.get(port: port, "/checkpoint")
        #expect(plain?.status != 200)
        kill(process.processIdentifier, SIGTERM)
        #expect(try await waitForExit(process, seconds: 20))
        #expect(process.terminationStatus == 0)
    }

    @Test func theWitnessClientSubmitsToAWitnessServedOverTLS() async throws {
        let cert = try TestCertificate()
        defer { cert.remove() }
        let sample = try SampleCopy(tag: "tls-witness")
        defer { sample.remove() }
        let witnesses = try await WitnessClientTests.Witnesses.start(
            for: sample, names: ["witness.G7-GB.demo"], tls: try cert.serverTLS())
        let service = WitnessClientTests.service(
            sample, try witnesses.targets(scheme: "https"), tls: try cert.clientTLS())
        let server = try await RunningServer.start(sample.log, extras: ServerExtras(services: [service]))
        let cosigned = try await eventually {
            try await server.get("/checkpoint").text.contains("\n— witness.G7-GB.demo ")
        }
        #expect(cosigned)
        await server.stop()
        await witnesses.stop()
    }

    @Test func badTLSFilesAreRefusedInOneLineBeforeBinding() throws {
        let cert = try TestCertificate()
        defer { cert.remove() }
        let other = try cert.otherKey()
        let cases: [([String], String)] = [
            (["--tls-cert", cert.directory + "/missing.pem", "--tls-key", cert.key], "--tls-cert"),
            (
                ["--tls-cert", packageRoot.appendingPathComponent("README.md").path, "--tls-key", cert.key],
                "not a PEM certificate"
            ),
            (["--tls-cert", cert.certificate, "--tls-key", cert.certificate], "not a PEM private key"),
            (["--tls-cert", cert.certificate, "--tls-key", other], "not the private key of the certificate"),
            (["--tls-cert", cert.certificate], "--tls-cert and --tls-key go together"),
        ]
        for (args, message) in cases {
            let process = ChildProcess()
            process.executableURL = URL(fileURLWithPath: ledgerBinary)
            process.arguments = ["serve", sampleLedger, "--port", "0"] + args
            let err = Pipe()
            process.standardError = err
            process.standardOutput = Pipe()
            try process.run()
            // A server that started anyway is stopped (and fails the status check below).
            DispatchQueue.global().asyncAfter(deadline: .now() + 20) { if process.isRunning { process.terminate() } }
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 2, "\(args): \(text)")
            let lines = text.split(separator: "\n")
            #expect(lines.first?.contains(message) == true, "\(args): \(text)")
            #expect(!text.contains("BEGIN"), "a file's contents were printed: \(text)")
            if message == "--tls-cert" { #expect(text.contains("no such file") && lines.count == 1, "\(text)") }
        }
    }
}
