import Foundation
import LedgerCore
import LedgerCrypto
import LedgerServer
import Testing

/// The read commands given a URL (`board`, `status`, `history`, `conflicts`, `forum list|show`,
/// `list compare|diff --ledger`) take `--log-vkey` as the write commands do (specs/cli.md,
/// "Reading a URL"): the built `ledger` against a real server on loopback, and against a
/// hostile server in front of it.
@Suite struct RemoteReadLogKeyTests {
    static let lists = packageRoot.appendingPathComponent("Sources/ControlLists/Data").path
    /// Every read command that takes a ledger URL, `URL` standing for it; deterministic output
    /// (`--as-of` an entry index where the view depends on the clock).
    static let readCommands: [[String]] = [
        ["board", "URL", "--as-of", "99"],
        ["status", "URL", "--as-of", "99"],
        ["status", "URL", "G7-SME-2026-01", "--as-of", "99", "--json"],
        ["history", "URL", "G7-SME-2026-01"],
        ["conflicts", "URL"],
        ["forum", "list", "URL"],
        ["forum", "show", "URL", "--forum", "G7", "--json"],
        ["list", "compare", lists + "/us-ccl-subset.json", lists + "/jp-etco-row7-subset.json", "--ledger", "URL"],
        ["list", "diff", lists + "/us-ccl-subset.json", lists + "/jp-etco-row7-subset.json", "--ledger", "URL"],
    ]

    static func command(_ template: [String], _ target: String) -> [String] {
        template.map { $0 == "URL" ? target : $0 }
    }

    /// Runs every read command against `proxy` with `--log-vkey logVkey`, and expects each to
    /// stop after the checkpoint: exit 1, one line starting `--log-vkey:`, nothing on stdout.
    static func expectEveryReadCommandRefused(_ proxy: Proxy, logVkey: String) async throws {
        for template in readCommands {
            proxy.clear()
            let r = try await runLedger(command(template, "http://127.0.0.1:\(proxy.port)") + ["--log-vkey", logVkey])
            #expect(r.status == 1, "\(template): \(r.stderr)")
            #expect(r.stderr.hasPrefix("ledger: error: --log-vkey: "), "\(template): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(template): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(template): \(r.stdout)")
            #expect(proxy.paths == ["/checkpoint"], "\(template): fetched \(proxy.paths)")
        }
    }

    @Test func readCommandsWithTheRightLogVkeyShowWhatTheDirectoryShowsWithoutTrustOnFirstUse() async throws {
        let copy = try SampleCopy(tag: "read-vkey")
        defer { copy.remove() }
        let vkey = copy.operatorKey.verifierKey.description
        let vkeyFile = copy.directory + "-log.vkey"
        try (vkey + "\n").write(toFile: vkeyFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: vkeyFile) }
        try await withServer(try copy.published()) { server in
            let url = "http://127.0.0.1:\(server.port)"
            for (n, template) in Self.readCommands.enumerated() {
                let local = try await runLedger(Self.command(template, copy.directory))
                #expect(local.status == 0, "\(template): \(local.stderr)")
                // The key as text and as a file, alternately.
                let pinned = try await runLedger(
                    Self.command(template, url) + ["--log-vkey", n.isMultiple(of: 2) ? vkey : vkeyFile])
                #expect(pinned.status == 0, "\(template): \(pinned.stderr)")
                #expect(pinned.stdout == local.stdout, "\(template)")
                #expect(!pinned.stderr.contains("trust on first use"), "\(template): \(pinned.stderr)")
                // Without it the key is trusted on first use, and said on stderr to compare.
                let tofu = try await runLedger(Self.command(template, url))
                #expect(tofu.status == 0 && tofu.stdout == local.stdout, "\(template): \(tofu.stderr)")
                #expect(tofu.stderr.contains("trust on first use") && tofu.stderr.contains(vkey), "\(tofu.stderr)")
            }
        }
    }

    @Test func aWrongLogVkeyIsOneLineNothingOnStdoutAndNoEntryFetched() async throws {
        let copy = try SampleCopy(tag: "read-wrong-vkey")
        defer { copy.remove() }
        // Another key of the same name: only the key ID and the signature tell them apart.
        let other = try NoteSignerKey.generate(name: copy.origin).verifierKey.description
        try await withServer(try copy.published()) { server in
            try await withProxy(upstream: server.port, tamper: .none) { proxy in
                let url = "http://127.0.0.1:\(proxy.port)"
                try await Self.expectEveryReadCommandRefused(proxy, logVkey: other)
                // Not a key at all: exit 2, before anything is fetched.
                proxy.clear()
                let bad = try await runLedger(["board", url, "--log-vkey", "not a key"])
                #expect(bad.status == 2, "\(bad.stderr)")
                #expect(bad.stderr.hasPrefix("ledger: error: --log-vkey"), "\(bad.stderr)")
                #expect(bad.stdout.isEmpty && proxy.paths.isEmpty, "\(proxy.paths)")
                // A private key (or its file) is refused, and never printed.
                let secret = try await runLedger(["board", url, "--log-vkey", RemoteClientTests.operatorKeyFile])
                #expect(secret.status == 2, "\(secret.stderr)")
                #expect(!secret.stderr.contains("PRIVATE") && secret.stdout.isEmpty, "\(secret.stderr)")
            }
        }
    }

    @Test func aHostileServersCheckpointSignedByAnotherKeyIsRefusedBeforeAnyEntry() async throws {
        let copy = try SampleCopy(tag: "read-hostile")
        defer { copy.remove() }
        // The real tree's size and root, signed by a key of the log's name that is not the log's.
        let attacker = try NoteSignerKey.generate(name: copy.origin)
        var note = try SignedNote(
            text: Checkpoint(origin: copy.origin, size: 100, root: try copy.ledger.store.tree.root(treeSize: 100))
                .text)
        note.sign(with: attacker)
        let vkey = copy.operatorKey.verifierKey.description
        try await withServer(try copy.published()) { server in
            try await withProxy(upstream: server.port, tamper: .checkpoint(note.serialized)) { proxy in
                try await Self.expectEveryReadCommandRefused(proxy, logVkey: vkey)
            }
        }
    }

    @Test func aWholeLogOfAnotherKeyIsRefusedWithTheRealKeyAndOnlyNamedWithout() async throws {
        // The hostile server serves a consistent log of its own key (genesis and checkpoint).
        let fx = try WritableLedger(tag: "read-other-log", authors: 1)
        defer { fx.remove() }
        _ = try fx.ledger.signCheckpoint(key: fx.op)
        let real = try LedgerFiles.readPrivateKey(RemoteClientTests.operatorKeyFile).verifierKey.description
        let log = try PublishedLog(ledger: fx.ledger)
        try log.refresh()
        try await withServer(log) { server in
            try await withProxy(upstream: server.port, tamper: .none) { proxy in
                let url = "http://127.0.0.1:\(proxy.port)"
                let pinned = try await runLedger(["forum", "list", url, "--log-vkey", real])
                #expect(pinned.status == 1, "\(pinned.stderr)")
                #expect(pinned.stderr.hasPrefix("ledger: error: --log-vkey: "), "\(pinned.stderr)")
                #expect(pinned.stdout.isEmpty)
                #expect(!proxy.paths.contains { $0.hasPrefix("/tile/") }, "fetched \(proxy.paths)")
                // Trusted on first use, it is shown: the key on stderr is the other log's.
                let tofu = try await runLedger(["forum", "list", url])
                #expect(tofu.status == 0, "\(tofu.stderr)")
                #expect(tofu.stderr.contains(fx.op.verifierKey.description), "\(tofu.stderr)")
                #expect(!tofu.stderr.contains(real), "\(tofu.stderr)")
            }
        }
    }
}
