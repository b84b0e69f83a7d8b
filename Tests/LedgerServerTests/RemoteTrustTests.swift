import Consensus
import Foundation
import LedgerClient
import LedgerCore
import LedgerCrypto
import LedgerServer
import LedgerTestSupport
import Synchronization
import Testing

/// The remote clients trust what they check and nothing else: a pinned log key for writes, the
/// mirror's verified cosignatures, the checkpoint's signature before any entry, no allocation
/// in proportion to a size the server claims, and `receipt check RECEIPT URL`. Each test runs
/// the built `ledger` against a hostile server (``withProxy(upstream:tamper:accept:_:)``) or a
/// real `ledger serve`.
@Suite struct RemoteTrustTests {
    // MARK: Writes to a URL: --log-vkey

    @Test func writeWithLogVkeyRefusesAServerOfAnotherKeyAndSendsNothing() async throws {
        // The hostile server serves a log of its own key, with write rights for the author.
        let fx = try WritableLedger(tag: "other-key", authors: 1)
        defer { fx.remove() }
        _ = try fx.ledger.signCheckpoint(key: fx.op)
        let authorKey = fx.directory + "-author.key"
        try LedgerFiles.writePrivateKey(fx.authors[0], to: authorKey)
        defer { try? FileManager.default.removeItem(atPath: authorKey) }
        let sampleVkey = try LedgerFiles.readPrivateKey(RemoteClientTests.operatorKeyFile).verifierKey.description
        let log = try PublishedLog(ledger: fx.ledger)
        try log.refresh()
        try await withServer(log) { server in
            try await withProxy(upstream: server.port, tamper: .none) { proxy in
                let url = "http://127.0.0.1:\(proxy.port)"
                let args = ["append", url, "--key", authorKey, "--kind", "note", "--body", #"{"text":"hi"}"#]
                let pinned = try await runLedger(args + ["--log-vkey", sampleVkey])
                #expect(pinned.status == 1, "\(pinned.stdout) \(pinned.stderr)")
                #expect(pinned.stderr.hasPrefix("ledger: error: --log-vkey: "), "\(pinned.stderr)")
                #expect(pinned.stderr.split(separator: "\n").count == 1, "\(pinned.stderr)")
                #expect(pinned.stdout.isEmpty)
                #expect(proxy.posted.isEmpty, "a statement was posted to a server of another key")

                // The right key, given as a file: sent, and no trust-on-first-use note.
                let vkeyFile = fx.directory + "-log.vkey"
                try (fx.op.verifierKey.description + "\n").write(toFile: vkeyFile, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(atPath: vkeyFile) }
                let right = try await runLedger(args + ["--log-vkey", vkeyFile])
                #expect(right.status == 0, "\(right.stderr)")
                #expect(!right.stderr.contains("trust on first use"), "\(right.stderr)")
                #expect(proxy.posted.count == 1)

                // No key: trusted on first use, and the key is shown to compare (never a private key).
                let tofu = try await runLedger(args)
                #expect(tofu.status == 0, "\(tofu.stderr)")
                #expect(tofu.stderr.contains("trust on first use"), "\(tofu.stderr)")
                #expect(tofu.stderr.contains(fx.op.verifierKey.label), "\(tofu.stderr)")
                #expect(tofu.stderr.contains(fx.op.verifierKey.description), "\(tofu.stderr)")
                #expect(!tofu.stderr.contains("PRIVATE"), "\(tofu.stderr)")
                #expect(proxy.posted.count == 2)

                let bad = try await runLedger(args + ["--log-vkey", "not a key"])
                #expect(bad.status == 2, "\(bad.stderr)")
                #expect(bad.stderr.hasPrefix("ledger: error: --log-vkey"), "\(bad.stderr)")
                #expect(proxy.posted.count == 2)
            }
        }
    }

    // MARK: Sync keeps only verified cosignatures

    @Test func syncKeepsTheMirrorsVerifiedCosignaturesWhateverTheServerServesLater() async throws {
        let copy = try SampleCopy(tag: "cosigned")
        defer { copy.remove() }
        let w1 = try NoteSignerKey.generate(name: "w1.example/witness")
        let w2 = try NoteSignerKey.generate(name: "w2.example/witness")
        let logKey = copy.operatorKey.verifierKey
        let original = try #require(try copy.ledger.store.checkpointText(size: 100))
        let now = UInt64(Date().timeIntervalSince1970)
        func cosigned(by w: NoteSignerKey, time: UInt64) throws -> SignedNote {
            try Witness(key: w, stateDirectory: nil).cosign(original, logKey: logKey, proof: nil, time: time)
        }
        // Stored beside the sample's own cosignatures (G7-JP.demo, G7-US.demo), not configured below.
        let w1Note = try cosigned(by: w1, time: now - 60)
        let logLine = try #require(w1Note.signatures.first { $0.name == logKey.name })
        _ = try copy.ledger.attach(
            try SignedNote(text: w1Note.text, signatures: [logLine, w1Note.signatures.last!]).serialized,
            witnesses: [w1.verifierKey])
        let served = try #require(try copy.ledger.store.checkpointText(size: 100))
        let mirror = tempPath("cosigned-mirror")
        let bare = tempPath("bare-mirror")
        defer {
            try? FileManager.default.removeItem(atPath: mirror)
            try? FileManager.default.removeItem(atPath: bare)
        }
        let w1Arg = ["--witness", w1.verifierKey.description]
        try await withServer(try copy.published()) { server in
            let url = "http://127.0.0.1:\(server.port)"
            let first = try await runLedger(["sync", url, mirror, "--json"] + w1Arg)
            #expect(first.status == 0, "\(first.stderr)")
            let o = try JSONParser.parse(Array(first.stdout.utf8))
            // W1's line verified and kept; the sample's two unconfigured witnesses' lines dropped.
            #expect(o["cosignaturesAdded"] == .integer(1) && o["cosignaturesDropped"] == .integer(2), "\(o)")
            let kept = try #require(try FileStore(directory: mirror).checkpointText(size: 100))
            let w1Line = try #require(served.split(separator: "\n").first { $0.contains("w1.example") })
            #expect(kept.contains(w1Line) && !kept.contains("G7-JP.demo"), "\(kept)")
            let verified = try await runLedger(["verify", mirror, "--min-cosignatures", "1"] + w1Arg)
            #expect(verified.status == 0, "\(verified.stderr)")

            // Without a witness key, no served cosignature is stored: none can be verified.
            let none = try await runLedger(["sync", url, bare, "--json"])
            #expect(none.status == 0, "\(none.stderr)")
            #expect(try JSONParser.parse(Array(none.stdout.utf8))["cosignaturesDropped"] == .integer(3))
            #expect(
                try FileStore(directory: bare).checkpointText(size: 100)
                    == (try SignedNote(
                        text: try SignedNote(parsing: original).text,
                        signatures: try SignedNote(parsing: original).signatures.filter { $0.name == logKey.name }
                    ).serialized))
            let unverified = try await runLedger(["verify", bare, "--min-cosignatures", "1"] + w1Arg)
            #expect(unverified.status == 1, "\(unverified.stdout)")
            let later = try await runLedger(["sync", url, bare, "--json"] + w1Arg)
            #expect(try JSONParser.parse(Array(later.stdout.utf8))["cosignaturesAdded"] == .integer(1), "\(later)")
            let nowVerified = try await runLedger(["verify", bare, "--min-cosignatures", "1"] + w1Arg)
            #expect(nowVerified.status == 0, "\(nowVerified.stderr)")

            // The same checkpoint served with W1's line changed: garbage, W1 again at another time,
            // another witness's valid line in its place. The mirror keeps what it verified.
            let note = try SignedNote(parsing: served)
            let w1Index = try #require(note.signatures.firstIndex { $0.name == w1.name })
            var garbage = note.signatures
            var payload = garbage[w1Index].payload
            payload[payload.count - 1] ^= 0x01
            garbage[w1Index] = .init(name: w1.name, keyID: garbage[w1Index].keyID, payload: payload)
            var again = note.signatures
            again[w1Index] = try #require(try cosigned(by: w1, time: now - 5).signatures.last)
            var other = note.signatures
            other[w1Index] = try #require(try cosigned(by: w2, time: now - 5).signatures.last)
            for (what, lines) in [("garbage", garbage), ("re-cosigned", again), ("another witness", other)] {
                let hostile = try SignedNote(text: note.text, signatures: lines).serialized
                let before = try directoryContents(mirror)
                try await withProxy(upstream: server.port, tamper: .checkpoint(hostile)) { proxy in
                    let r = try await runLedger(["sync", "http://127.0.0.1:\(proxy.port)", mirror, "--json"] + w1Arg)
                    #expect(r.status == 0, "\(what): \(r.stderr)")
                    #expect(
                        try JSONParser.parse(Array(r.stdout.utf8))["cosignaturesAdded"] == .integer(0),
                        "\(what): \(r.stdout)")
                }
                #expect(try directoryContents(mirror) == before, "\(what): the mirror changed")
                let still = try await runLedger(["verify", mirror, "--min-cosignatures", "1"] + w1Arg)
                #expect(still.status == 0, "\(what): \(still.stderr)")
            }
            // Another configured witness's valid line is added; W1's verified line stays.
            let both = try SignedNote(text: note.text, signatures: other).serialized
            try await withProxy(upstream: server.port, tamper: .checkpoint(both)) { proxy in
                let w2Arg = ["--witness", w2.verifierKey.description]
                let hostileURL = "http://127.0.0.1:\(proxy.port)"
                let r = try await runLedger(["sync", hostileURL, mirror, "--json"] + w1Arg + w2Arg)
                #expect(try JSONParser.parse(Array(r.stdout.utf8))["cosignaturesAdded"] == .integer(1), "\(r.stdout)")
            }
            let merged = try #require(try FileStore(directory: mirror).checkpointText(size: 100))
            #expect(merged.contains(w1Line) && merged.contains("w2.example"), "\(merged)")
        }
    }

    // MARK: A checkpoint claiming 2^62 entries

    enum Signer: String, CaseIterable, Sendable {
        case logKey = "signed by the log key"
        case stranger = "signed by another key of the log's name"
    }

    @Test(.timeLimit(.minutes(3)), arguments: Signer.allCases)
    func aCheckpointClaiming2To62EntriesIsAClearErrorInBoundedMemory(signer: Signer) async throws {
        let copy = try SampleCopy(tag: "huge")
        defer { copy.remove() }
        let key = signer == .logKey ? copy.operatorKey : try NoteSignerKey.generate(name: copy.origin)
        let root = try copy.ledger.store.tree.root(treeSize: 100)
        var note = try SignedNote(text: Checkpoint(origin: copy.origin, size: 1 << 62, root: root).text)
        note.sign(with: key)
        let vkey = copy.operatorKey.verifierKey.description
        let held = tempPath("huge-held")
        let fresh = tempPath("huge-fresh")
        defer {
            try? FileManager.default.removeItem(atPath: held)
            try? FileManager.default.removeItem(atPath: fresh)
        }
        try await withServer(try copy.published()) { server in
            let synced = try await runLedger(["sync", "http://127.0.0.1:\(server.port)", held])
            #expect(synced.status == 0, "\(synced.stderr)")
            let before = try directoryContents(held)
            try await withProxy(upstream: server.port, tamper: .checkpoint(note.serialized)) { proxy in
                let url = "http://127.0.0.1:\(proxy.port)"
                let runs: [(String, [String])] = [
                    ("first sync", ["sync", url, fresh]),
                    ("first sync --vkey", ["sync", url, fresh, "--vkey", vkey]),
                    ("sync of a mirror", ["sync", url, held]),
                    ("verify", ["verify", url]),
                    ("verify --vkey", ["verify", url, "--vkey", vkey]),
                    ("watch", ["watch", url, "--once", "--from", "0"]),
                    ("watch --vkey", ["watch", url, "--once", "--from", "0", "--vkey", vkey]),
                ]
                for (what, args) in runs {
                    let r = try await onThread { try measuredLedger(args) }
                    #expect(r.status == 1 || r.status == 2, "\(what): \(r.status) \(r.stdout) \(r.stderr)")
                    let errorLines = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("ledger: note:") }
                    #expect(errorLines.count == 1, "\(what): one line: \(r.stderr)")
                    #expect(errorLines.first?.hasPrefix("ledger: error: ") == true, "\(what): \(r.stderr)")
                    #expect(r.maxRSSKiB < 200_000, "\(what): max RSS \(r.maxRSSKiB) KiB")
                    #expect(r.seconds < 60, "\(what): took \(r.seconds) s")
                    #expect(!FileManager.default.fileExists(atPath: fresh), "\(what): \(fresh) was left behind")
                    #expect(try directoryContents(held) == before, "\(what): the mirror changed")
                }
                // A few requests each: the checkpoint, the first bundles (8 at most at once), the tiles
                // of a consistency proof; none of them there.
                #expect(proxy.paths.count < 20 * runs.count, "\(proxy.paths.count) requests")
            }
        }
    }

    /// A hostile operator signs a checkpoint of 2^40 entries and answers every bundle with the
    /// real 100 entries and 156 more that are no chain: the clients stop at entry 100.
    @Test(.timeLimit(.minutes(3))) func endlessBundlesThatAreNoChainStopAtTheFirstBadEntry() async throws {
        let copy = try SampleCopy(tag: "endless")
        defer { copy.remove() }
        let root = try copy.ledger.store.tree.root(treeSize: 100)
        var note = try SignedNote(text: Checkpoint(origin: copy.origin, size: 1 << 40, root: root).text)
        note.sign(with: copy.operatorKey)
        let lines = try copy.file("entries.jsonl").split(separator: 0x0a).map { Array($0) }
        let bundle = EntryBundle.bytes(lines + Array(repeating: lines[99], count: 156))
        let vkey = copy.operatorKey.verifierKey.description
        let fresh = tempPath("endless-fresh")
        defer { try? FileManager.default.removeItem(atPath: fresh) }
        try await withServer(try copy.published()) { server in
            let tamper = Tamper.forged(checkpoint: note.serialized, bundle: bundle)
            try await withProxy(upstream: server.port, tamper: tamper) { proxy in
                let url = "http://127.0.0.1:\(proxy.port)"
                let runs: [(String, [String])] = [
                    ("first sync", ["sync", url, fresh, "--vkey", vkey]),
                    ("verify", ["verify", url, "--vkey", vkey]),
                    ("watch", ["watch", url, "--once", "--from", "0", "--vkey", vkey]),
                ]
                for (what, args) in runs {
                    proxy.clear()
                    let r = try await onThread { try measuredLedger(args) }
                    // (An error exit, not the 60 s kill: sync exits 1, watch 2 for a bad bundle.)
                    #expect(r.status != 0 && r.status != 137, "\(what): \(r.status) \(r.stdout) \(r.stderr)")
                    #expect(r.stderr.contains("entry 100"), "\(what): \(r.stderr)")
                    #expect(r.stderr.split(separator: "\n").count == 1, "\(what): one line: \(r.stderr)")
                    #expect(r.stdout.isEmpty || what == "verify", "\(what): \(r.stdout)")
                    #expect(r.maxRSSKiB < 200_000, "\(what): max RSS \(r.maxRSSKiB) KiB")
                    #expect(proxy.paths.count < 40, "\(what): \(proxy.paths.count) requests")
                    #expect(!FileManager.default.fileExists(atPath: fresh), "\(what): \(fresh) was left behind")
                }
            }
        }
    }

    // MARK: Linked entries beyond the real ones: checked as they arrive, never held

    enum Forgery: String, CaseIterable, Sendable {
        case badSignature = "a note of the operator's with a broken signature"
        case replay = "entry 99's statement, validly signed, again"
    }

    /// A hostile operator signs a checkpoint of 2^40 entries with the real log key and serves
    /// the real 100 entries, then correctly linked entries without end that the signature or
    /// the rules refuse: every client stops at entry 100, in bounded memory, the mirror unchanged.
    @Test(.timeLimit(.minutes(4)), arguments: Forgery.allCases)
    func linkedForgedEntriesStopAtTheFirstOneBeyondTheRealOnes(forgery: Forgery) async throws {
        let copy = try SampleCopy(tag: "forged")
        defer { copy.remove() }
        let lines = try copy.file("entries.jsonl").split(separator: 0x0a).map { Array($0) }
        let last = try Entry(leaf: lines[99])
        let statement: SignedStatement
        switch forgery {
        case .badSignature:
            let good = try Statement.make(
                kind: "note", body: ["text": "forged"], key: copy.operatorKey, time: last.time)
            var signature = good.signature
            signature[0] ^= 1
            statement = SignedStatement(statement: good.statement, signature: signature)
        case .replay:
            statement = last.signed
        }
        let forge = EntryForge(real: lines, time: last.time) { _ in statement }
        let (keyFile, vkey) = try operatorKeyFile(copy)
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        // A mirror of no entries yet (a mirror of the 100 would fetch the tiles of a consistency
        // proof first, which this server does not serve: the 2^62 test covers it).
        let held = tempPath("forged-held")
        let fresh = tempPath("forged-fresh")
        try FileStore.create(at: held)
        defer {
            try? FileManager.default.removeItem(atPath: held)
            try? FileManager.default.removeItem(atPath: fresh)
        }
        let before = try directoryContents(held)
        try await withServer(try copy.published()) { server in
            let tamper = Tamper.generated(checkpoint: try forge.checkpoint(copy)) { forge.bundle($0) }
            try await withProxy(upstream: server.port, tamper: tamper) { proxy in
                let url = "http://127.0.0.1:\(proxy.port)"
                let runs: [(String, [String])] = [
                    ("first sync", ["sync", url, fresh]),
                    ("first sync --vkey", ["sync", url, fresh, "--vkey", vkey]),
                    ("sync of an empty mirror", ["sync", url, held]),
                    ("watch", ["watch", url, "--once", "--from", "0"]),
                    ("append to the URL", ["append", url, "--key", keyFile, "--kind", "note", "--body", #"{"x":1}"#]),
                ]
                for (what, args) in runs {
                    forge.reset()
                    let r = try await onThread { try measuredLedger(args) }
                    // (An error exit, not the 60 s kill: sync exits 1, watch 2 for a bad bundle.)
                    #expect(r.status != 0 && r.status != 137, "\(what): \(r.status) \(r.stdout) \(r.stderr)")
                    let errorLines = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("ledger: note:") }
                    #expect(errorLines.count == 1, "\(what): one line: \(r.stderr)")
                    let expected = forgery == .badSignature ? "signature does not verify" : "replay"
                    #expect(
                        errorLines.first.map { $0.contains(": served entry 100: ") && $0.contains(expected) } == true,
                        "\(what): \(r.stderr)")
                    #expect(r.stdout.isEmpty, "\(what): \(r.stdout)")
                    #expect(r.maxRSSKiB < 200_000, "\(what): max RSS \(r.maxRSSKiB) KiB")
                    #expect(r.seconds < 60, "\(what): took \(r.seconds) s")
                    #expect(!FileManager.default.fileExists(atPath: fresh), "\(what): \(fresh) was left behind")
                    #expect(try directoryContents(held) == before, "\(what): the mirror changed")
                }
                #expect(proxy.posted.isEmpty, "a statement was posted")
            }
        }
    }

    /// A hostile operator signs a checkpoint of 2^40 entries with the real log key and serves,
    /// after the real 100, correctly linked notes of the operator's, each validly signed and
    /// accepted by the rules, without end: the clients check them as they come, hold none of
    /// them in memory and leave no file behind when they are killed, and the mirror is unchanged.
    @Test(.timeLimit(.minutes(6))) func endlessValidEntriesAreCheckedInBoundedMemory() async throws {
        // About 4.5 KiB a line, so that holding them would show well above the replayed state's
        // growth (about 0.5 KB an entry), whatever the machine's speed.
        let padding = String(repeating: "x", count: 4_000)
        // 120 tiles of valid entries (30,620 beyond the real ones, about 140 MB of lines), then
        // empty bundles: a count, not a time, so that the bound holds on a faster machine.
        let tiles: Int64 = 120
        try await withEndlessLog(tag: "endless-valid", tiles: tiles, text: "forged", suffix: " " + padding) { log in
            let (url, vkey, forge) = (log.url, log.vkey, log.forge)
            let runs: [(String, [String])] = [
                ("sync of an empty mirror", ["sync", url, log.held, "--vkey", vkey]),
                ("watch", ["watch", url, "--once", "--from", "0", "--vkey", vkey]),
            ]
            for (what, args) in runs {
                forge.reset()
                let made = forge.made
                // 150 s: about 25 s on a quiet machine, over 60 s while the whole suite runs on 2 cores.
                let r = try await onThread { try measuredLedger(args, env: ["TMPDIR": log.tmp], killAfter: 150) }
                // Every valid entry checked, then stopped by the first empty bundle.
                // (An error exit, not the kill: sync exits 1, watch 2 for a bad bundle.)
                #expect(r.status != 0 && r.status != 137, "\(what): \(r.status) \(r.stdout) \(r.stderr)")
                #expect(r.stdout.isEmpty, "\(what): \(r.stdout)")
                #expect(forge.made - made == tiles * 256 - 100, "\(what): \(forge.made - made) entries served")
                // Measured: about 75 MB (the replayed state grows about 0.5 KB an entry, and
                // up to 8 bundles are in flight); holding the lines would add about 140 MB.
                #expect(r.maxRSSKiB < 120_000, "\(what): max RSS \(r.maxRSSKiB) KiB")
                #expect(try FileManager.default.contentsOfDirectory(atPath: log.tmp).isEmpty, "\(what): files left")
                #expect(try directoryContents(log.held) == log.before, "\(what): the mirror changed")
                print("\(what): \(forge.made - made) entries served, max RSS \(r.maxRSSKiB) KiB, \(r.seconds) s")
            }
        }
    }

    /// The sample's operator key in a 0600 file, and its vkey.
    func operatorKeyFile(_ copy: SampleCopy) throws -> (String, String) {
        let file = copy.directory + "-op.key"
        try LedgerFiles.writePrivateKey(copy.operatorKey, to: file)
        return (file, copy.operatorKey.verifierKey.description)
    }

    // MARK: receipt check RECEIPT URL

    @Test func receiptCheckOfAURLIsIncludedPendingOrBrokenAgainstARealServer() async throws {
        let (fx, keyFile) = try ledgerWithKeyFile("receipt-url")
        defer {
            fx.remove()
            try? FileManager.default.removeItem(atPath: keyFile)
        }
        let receipt = fx.directory + "-receipt"
        let authorKey = fx.directory + "-author.key"
        try LedgerFiles.writePrivateKey(fx.authors[0], to: authorKey)
        defer {
            try? FileManager.default.removeItem(atPath: receipt)
            try? FileManager.default.removeItem(atPath: authorKey)
        }
        let vkey = fx.op.verifierKey.description
        // A quick checkpoint: the receipt's entry is included.
        let quick = try await ServeProcess.start([
            fx.directory, "--operator-key", keyFile, "--checkpoint-interval", "0.05",
        ])
        do {
            try await waitForCheckpoint(port: quick.port)
            let url = "http://127.0.0.1:\(quick.port)"
            let appended = try await runLedger([
                "append", url, "--key", authorKey, "--kind", "note", "--body", #"{"text":"in time"}"#,
                "--receipt", receipt, "--wait", "--log-vkey", vkey,
            ])
            #expect(appended.status == 0, "\(appended.stderr)")
            let included = try await runLedger(["receipt", "check", receipt, url, "--vkey", vkey])
            #expect(included.status == 0, "\(included.stdout)\(included.stderr)")
            #expect(included.stdout.contains("included: entry 2 holds the statement"), "\(included.stdout)")
            let tofu = try await runLedger(["receipt", "check", receipt, url, "--json"])
            #expect(tofu.status == 0 && tofu.stderr.contains("trust on first use"), "\(tofu.stderr)")
            #expect(try JSONParser.parse(Array(tofu.stdout.utf8))["verdict"] == .string("included"))
            let stranger = try NoteSignerKey.generate(name: fx.op.name).verifierKey.description
            let wrong = try await runLedger(["receipt", "check", receipt, url, "--vkey", stranger])
            #expect(wrong.status == 1 && wrong.stdout.isEmpty, "\(wrong.stdout)\(wrong.stderr)")
            try await quick.stop()
        } catch {
            try? await quick.stop()
            throw error
        }
        // The next checkpoint in an hour: pending, then broken once include-by has passed.
        let slow = try await ServeProcess.start([
            fx.directory, "--operator-key", keyFile, "--checkpoint-interval", "3600", "--max-delay", "3600",
        ])
        do {
            try await waitForCheckpoint(port: slow.port)
            let url = "http://127.0.0.1:\(slow.port)"
            let appended = try await runLedger([
                "append", url, "--key", authorKey, "--kind", "note", "--body", #"{"text":"later"}"#,
                "--receipt", receipt, "--log-vkey", vkey,
            ])
            #expect(appended.status == 0, "\(appended.stderr)")
            let promised = try SignedReceipt(
                parsing: try String(contentsOfFile: receipt, encoding: .utf8), logKey: fx.op.verifierKey
            ).receipt
            let pending = try await onThread { try runLedgerBlocking(["receipt", "check", receipt, url]) }
            #expect(pending.status == 4, "\(pending.out)\(pending.err)")
            #expect(pending.out.contains("pending: the latest checkpoint (size \(promised.index))"), "\(pending.out)")
            let after = ["LEDGER_NOW": promised.includeBy.adding(seconds: 1).rfc3339]
            let broken = try await onThread {
                try runLedgerBlocking(["receipt", "check", receipt, url, "--json"], environment: after)
            }
            #expect(broken.status == 3, "\(broken.out)\(broken.err)")
            let o = try JSONParser.parse(Array(broken.out.utf8))
            #expect(o["verdict"] == .string("broken") && o["breach"] == .string("notCovered"), "\(o)")
            try await slow.stop()
        } catch {
            try? await slow.stop()
            throw error
        }
    }

    /// The operator signed a receipt for one statement and published another at that index: the
    /// served tiles prove it, and `receipt check URL` says so (exit 3). A server that then
    /// alters the entry it serves at that index proves nothing (exit 1).
    @Test func receiptCheckOfAURLShowsAnotherEntryAtThePromisedIndex() async throws {
        let copy = try SampleCopy(tag: "receipt-other")
        defer { copy.remove() }
        let promised = try Statement.make(
            kind: "note", body: ["text": .string("promised")], key: copy.operatorKey, time: .now())
        let receipt = tempPath("receipt-other")
        defer { try? FileManager.default.removeItem(atPath: receipt) }
        try Proxy.receipt(for: promised, leafHash: MerkleHash.leaf(promised.json.canonicalBytes)).write(
            toFile: receipt, atomically: true, encoding: .utf8)
        try copy.appendNotes(1, text: "something else")
        let vkey = copy.operatorKey.verifierKey.description
        try await withServer(try copy.published()) { server in
            let url = "http://127.0.0.1:\(server.port)"
            let r = try await runLedger(["receipt", "check", receipt, url, "--vkey", vkey, "--json"])
            #expect(r.status == 3, "\(r.stdout)\(r.stderr)")
            let o = try JSONParser.parse(Array(r.stdout.utf8))
            #expect(o["breach"] == .string("otherEntry") && o["portable"] == .bool(true), "\(o)")
            let other = try Ledger<NegotiationRules>(directory: copy.directory).entry(100)
            #expect(o["found"]?["statementHash"] == .string(other.statement.hash.base64))
            let text = try await runLedger(["receipt", "check", receipt, url])
            #expect(text.status == 3 && text.stdout.contains("PROMISE BROKEN"), "\(text.stdout)")

            // The same log served by the built binary.
            let served = try await ServeProcess.start([copy.directory])
            do {
                let binary = try await runLedger([
                    "receipt", "check", receipt, "http://127.0.0.1:\(served.port)", "--vkey", vkey,
                ])
                #expect(binary.status == 3 && binary.stdout.contains("PROMISE BROKEN"), "\(binary.stdout)")
                try await served.stop()
            } catch {
                try? await served.stop()
                throw error
            }

            try await withProxy(upstream: server.port, tamper: .flipEntry(100)) { proxy in
                let lied = try await runLedger([
                    "receipt", "check", receipt, "http://127.0.0.1:\(proxy.port)", "--vkey", vkey,
                ])
                #expect(lied.status == 1, "\(lied.stdout)\(lied.stderr)")
                #expect(lied.stdout.isEmpty && lied.stderr.split(separator: "\n").count == 1, "\(lied.stderr)")
            }
        }
    }

    /// Waits (20 s at most) until the server publishes a checkpoint.
    func waitForCheckpoint(port: Int) async throws {
        let deadline = Date().addingTimeInterval(20)
        while try await HTTPTestClient.get(port: port, "/checkpoint").status != 200, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A ledger of a fresh operator key, its key in a 0600 file.
    func ledgerWithKeyFile(_ tag: String) throws -> (WritableLedger, String) {
        let fx = try WritableLedger(tag: tag, authors: 1)
        let keyFile = fx.directory + "-op.key"
        try LedgerFiles.writePrivateKey(fx.op, to: keyFile)
        return (fx, keyFile)
    }
}

/// A run of the built `ledger` with its peak memory and duration (`/usr/bin/time`).
struct MeasuredRun: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
    var maxRSSKiB: Int
    var seconds: Double
}

/// Runs the built `ledger` under `/usr/bin/time -f %M` (maximum resident set size in KiB),
/// killed after 60 s, blocking: call it on a thread of its own. With `stopAfter`, the `ledger`
/// alone is killed after that many seconds (status 137; `--foreground`, so that `timeout`
/// outlives it and reaps it) and its peak memory still measured.
func measuredLedger(
    _ args: [String], stopAfter: Int? = nil, env: [String: String] = [:], killAfter: Int = 60
) throws -> MeasuredRun {
    let timeFile = tempPath("rss")
    defer { try? FileManager.default.removeItem(atPath: timeFile) }
    let start = Date()
    // Killed after `killAfter` s: a client that does not stop must not outlive the test.
    let inner = stopAfter.map { ["/usr/bin/timeout", "--foreground", "-s", "KILL", "\($0)"] } ?? []
    let command =
        ["-s", "KILL", "\(killAfter)", "/usr/bin/time", "-f", "%M", "-o", timeFile] + inner + [ledgerBinary] + args
    let r = try runProcess("/usr/bin/timeout", command, cwd: packageRoot.path, env: env)
    let seconds = Date().timeIntervalSince(start)
    let text = (try? String(contentsOfFile: timeFile, encoding: .utf8)) ?? ""
    // GNU time writes "Command exited with non-zero status N" before the figure.
    let rss = text.split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? Int.max
    return MeasuredRun(status: r.status, stdout: r.stdout, stderr: r.stderr, maxRSSKiB: rss, seconds: seconds)
}

/// A hostile log's entry bundles: the sample's 100 real entries, then entries that each link
/// to the one before (index, `prev`, time), entry i wrapping `statement(i)`. Bundles are made
/// in order as they are asked for (those before the one asked for are kept until asked for),
/// each once until ``reset()``.
final class EntryForge: Sendable {
    private let state: Mutex<(next: Int64, prev: Digest, kept: [Int64: [UInt8]], made: Int64)>
    private let real: [[UInt8]]
    private let time: Timestamp
    private let statement: @Sendable (Int64) -> SignedStatement
    /// Tiles from this one on are served empty (the client then stops with an error).
    private let tiles: Int64

    init(
        real: [[UInt8]], time: Timestamp, tiles: Int64 = .max,
        statement: @escaping @Sendable (Int64) -> SignedStatement
    ) {
        self.real = real
        self.time = time
        self.tiles = tiles
        self.statement = statement
        state = Mutex((0, MerkleHash.leaf(real[real.count - 1]), [:], 0))
    }

    /// Starts over: the next bundles asked for are made afresh from tile 0 (a client run each).
    func reset() {
        let first = MerkleHash.leaf(real[real.count - 1])
        state.withLock { $0 = (0, first, [:], $0.made) }
    }

    /// The entries made beyond the real ones so far.
    var made: Int64 { state.withLock { $0.made } }

    /// A checkpoint of 2^40 entries signed by the sample's log key (its root is the real one's).
    func checkpoint(_ copy: SampleCopy) throws -> String {
        let root = try copy.ledger.store.tree.root(treeSize: Int64(real.count))
        var note = try SignedNote(text: Checkpoint(origin: copy.origin, size: 1 << 40, root: root).text)
        note.sign(with: copy.operatorKey)
        return note.serialized
    }

    /// The bundle of entry tile `tile` (empty when it was given out before).
    func bundle(_ tile: Int64) -> [UInt8] {
        guard tile < tiles else { return [] }
        return state.withLock { s in
            while s.next <= tile, tile - s.next < 64 {
                var lines = s.next == 0 ? real : []
                while lines.count < 256 {
                    let i = s.next * 256 + Int64(lines.count)
                    let bytes = Entry(index: UInt64(i), prev: s.prev, time: time, signed: statement(i)).canonicalBytes
                    s.prev = MerkleHash.leaf(bytes)
                    lines.append(bytes)
                    s.made += 1
                }
                s.kept[s.next] = EntryBundle.bytes(lines)
                s.next += 1
            }
            return s.kept.removeValue(forKey: tile) ?? []
        }
    }
}
