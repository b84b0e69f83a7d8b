import Foundation
import LedgerCore
import LedgerTestSupport
import Testing

/// Attacks on the trust claims of the store and the audit (issue 9 §1–§3, §5, §7, §9, §10),
/// each run through the built binary on a real ledger directory.
@Suite(.serialized) struct IntegrityAttackTests {
    /// A ledger with a registered key `jp` and `notes` notes after it.
    func ledgerWithNotes(_ notes: Int, env: [String: String] = [:]) throws -> CLIFixture {
        let fx = try CLIFixture()
        try fx.registeredKey("jp", file: "jp.key")
        for n in 0..<notes {
            let a = try ledger(
                ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"note-\(n)\"}"],
                cwd: fx.dir,
                env: env)
            #expect(a.status == 0, "\(a.stderr)")
        }
        return fx
    }

    func path(_ fx: CLIFixture, _ name: String) -> String { fx.dir + "/led/" + name }

    func write(_ data: Data, _ path: String) throws { try data.write(to: URL(fileURLWithPath: path)) }

    func allFiles(_ fx: CLIFixture) throws -> [String: Data] {
        var out = [String: Data]()
        let root = fx.dir + "/led"
        for name in try FileManager.default.subpathsOfDirectory(atPath: root).sorted() {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDir), !isDir.boolValue {
                out[name] = try bytes(root + "/" + name)
            }
        }
        return out
    }

    func sign(_ fx: CLIFixture, to file: String) throws {
        let cp = try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir)
        #expect(cp.status == 0, "\(cp.stderr)")
        try cp.stdout.write(toFile: fx.dir + "/" + file, atomically: true, encoding: .utf8)
    }

    // MARK: §1 The incremental audit

    @Test func incrementalAuditRefusesAChangedByteBeforeTheTrustedSize() throws {
        let fx = try ledgerWithNotes(4)
        try sign(fx, to: "cp")
        try ledgerWithNotesAppend(fx, 2)
        #expect(try ledger(["verify", "led", "--vkey", fx.opVkey, "--since", "cp"], cwd: fx.dir).status == 0)
        // note-1 → note-7 inside entry 3: still canonical, same length.
        var text = try read(path(fx, "entries.jsonl"))
        text = text.replacingOccurrences(of: "\"note-1\"", with: "\"note-7\"")
        try text.write(toFile: path(fx, "entries.jsonl"), atomically: false, encoding: .utf8)
        let v = try ledger(["verify", "led", "--vkey", fx.opVkey, "--since", "cp"], cwd: fx.dir)
        #expect(v.status == 1, "\(v.stdout)")
        #expect(v.stderr.contains("trusted checkpoint") || v.stderr.contains("entry 3"), "\(v.stderr)")
    }

    func ledgerWithNotesAppend(_ fx: CLIFixture, _ notes: Int, env: [String: String] = [:]) throws {
        for n in 0..<notes {
            let a = try ledger(
                ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"later-\(n)\"}"],
                cwd: fx.dir, env: env)
            #expect(a.status == 0, "\(a.stderr)")
        }
    }

    @Test func incrementalAuditRefusesAChangedStatementHashInTheIndex() throws {
        let fx = try ledgerWithNotes(3)
        try sign(fx, to: "cp")
        try ledgerWithNotesAppend(fx, 1)
        var idx = try bytes(path(fx, "entries.idx"))
        idx[40 * 2 + 8] ^= 0x01  // entry 2's statement hash, before the trusted size
        try write(idx, path(fx, "entries.idx"))
        let v = try ledger(["verify", "led", "--vkey", fx.opVkey, "--since", "cp"], cwd: fx.dir)
        #expect(v.status == 1)
        #expect(v.stderr.contains("entry 2") && v.stderr.contains("entries.idx"), "\(v.stderr)")
    }

    @Test func incrementalAuditRefusesAFullyConsistentFork() throws {
        // The operator builds a second history with the same log key, every cache consistent
        // with it: only the trusted checkpoint's root can tell.
        let fx = try ledgerWithNotes(3)
        try sign(fx, to: "cp")
        #expect(
            try ledger(["init", "fork", "--origin", "cli.example/log", "--operator-key", "op.key"], cwd: fx.dir).status
                == 0)
        let jp = try ledger(["key", "show", "jp.key"], cwd: fx.dir).lines[0]
        #expect(try ledger(["key", "register", "fork", "--key", "op.key", "--vkey", jp], cwd: fx.dir).status == 0)
        for n in 0..<4 {
            let a = try ledger(
                ["append", "fork", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"other-\(n)\"}"],
                cwd: fx.dir)
            #expect(a.status == 0, "\(a.stderr)")
        }
        #expect(try ledger(["verify", "fork", "--vkey", fx.opVkey], cwd: fx.dir).status == 0)
        let v = try ledger(["verify", "fork", "--vkey", fx.opVkey, "--since", "cp"], cwd: fx.dir)
        #expect(v.status == 1, "\(v.stdout)")
        #expect(v.stderr.contains("trusted checkpoint"), "\(v.stderr)")
    }

    @Test func incrementalAuditWithoutAVkeyIsAUsageError() throws {
        let fx = try ledgerWithNotes(1)
        try sign(fx, to: "cp")
        let v = try ledger(["verify", "led", "--since", "cp"], cwd: fx.dir)
        #expect(v.status == 2, "\(v.stderr)")
    }

    // MARK: §2 The log signs only a root it recomputed

    @Test func checkpointSignRefusesAfterAFlippedStoredHash() throws {
        let fx = try ledgerWithNotes(4)
        var h = try bytes(path(fx, "tree.hashes"))
        h[32 * 3] ^= 0x80  // an interior hash
        try write(h, path(fx, "tree.hashes"))
        let before = try allFiles(fx)
        let cp = try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir)
        #expect(cp.status == 1, "\(cp.stdout)")
        #expect(cp.stderr.contains("tree.hashes") && cp.stderr.contains("ledger repair"), "\(cp.stderr)")
        #expect(try allFiles(fx) == before)
        let r = try ledger(["repair", "led"], cwd: fx.dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir).status == 0)
        #expect(try ledger(["verify", "led", "--vkey", fx.opVkey], cwd: fx.dir).status == 0)
    }

    // MARK: §3 Nothing acknowledged is lost

    @Test func aTruncatedIndexMakesAppendRefuseAndChangeNothing() throws {
        for cut in ["-120", "0"] {
            let fx = try ledgerWithNotes(4)
            try sign(fx, to: "cp")
            let entries = try bytes(path(fx, "entries.jsonl"))
            #expect(try shell("truncate -s \(cut) led/entries.idx", cwd: fx.dir).status == 0)
            let before = try allFiles(fx)
            let a = try ledger(
                ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"x\"}"], cwd: fx.dir)
            #expect(a.status == 1, "\(a.stdout)")
            #expect(a.stderr.contains("entries.idx") && a.stderr.contains("ledger repair"), "\(a.stderr)")
            #expect(a.stderr.split(separator: "\n").count == 1)
            #expect(try allFiles(fx) == before)
            #expect(try bytes(path(fx, "entries.jsonl")) == entries)
            for view in [["board", "led"], ["log", "led"], ["entry", "led", "3"]] {
                let b = try ledger(view, cwd: fx.dir)
                #expect(b.status == 1, "\(view): \(b.stdout)")
                #expect(b.stderr.contains("entries.idx"), "\(view): \(b.stderr)")
            }
            #expect(try allFiles(fx) == before)
            let r = try ledger(["repair", "led", "--json"], cwd: fx.dir)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("\"kept\":6") && r.stdout.contains("\"cutEntries\":0"), "\(r.stdout)")
            #expect(try bytes(path(fx, "entries.jsonl")) == entries)
            #expect(try ledger(["verify", "led", "--vkey", fx.opVkey], cwd: fx.dir).status == 0)
            let again = try ledger(
                ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"x\"}"], cwd: fx.dir)
            #expect(again.lines == ["6"], "\(again.stderr)")
        }
    }

    @Test func aDirectoryWithOnlyEntriesVerifiesEveryEntryAndWritesNothing() throws {
        let fx = try ledgerWithNotes(3)
        try sign(fx, to: "cp")
        let copy = fx.dir + "/copy"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path(fx, "entries.jsonl"), toPath: copy + "/entries.jsonl")
        try FileManager.default.copyItem(atPath: path(fx, "checkpoints"), toPath: copy + "/checkpoints")
        let listing = try FileManager.default.subpathsOfDirectory(atPath: copy).sorted()
        let v = try ledger(["verify", "copy", "--vkey", fx.opVkey, "--json"], cwd: fx.dir)
        #expect(v.status == 0, "\(v.stdout) \(v.stderr)")
        #expect(v.stdout.contains("\"entries\":5") && v.stdout.contains("\"checkpointsChecked\":1"), "\(v.stdout)")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: copy).sorted() == listing)
        // Reading commands refuse rather than guess, and write nothing either.
        #expect(try ledger(["board", "copy"], cwd: fx.dir).status == 1)
        #expect(try FileManager.default.subpathsOfDirectory(atPath: copy).sorted() == listing)
    }

    @Test func aSymlinkedEntriesFileIsNeverWrittenThrough() throws {
        let fx = try ledgerWithNotes(2)
        let target = fx.dir + "/elsewhere.jsonl"
        try FileManager.default.moveItem(atPath: path(fx, "entries.jsonl"), toPath: target)
        try FileManager.default.createSymbolicLink(atPath: path(fx, "entries.jsonl"), withDestinationPath: target)
        // A torn tail that a write would cut.
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: target))
        h.seekToEndOfFile()
        h.write(Data("{\"index\":4,".utf8))
        try h.close()
        let before = try bytes(target)
        let a = try ledger(
            ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"x\"}"], cwd: fx.dir)
        #expect(a.status != 0)
        #expect(a.stderr.contains("symbolic link"), "\(a.stderr)")
        #expect(try bytes(target) == before)
        #expect(try ledger(["repair", "led"], cwd: fx.dir).status != 0)
        #expect(try bytes(target) == before)
    }

    @Test func aPlantedTemporaryFileLinkIsNotFollowed() throws {
        let fx = try ledgerWithNotes(2)
        let victim = fx.dir + "/victim.txt"
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        let cpPath = path(fx, "checkpoints/00000000000000000004.note")
        try FileManager.default.createSymbolicLink(atPath: cpPath + ".tmp", withDestinationPath: victim)
        let cp = try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir)
        #expect(cp.status == 0, "\(cp.stderr)")
        #expect(try read(victim) == "precious\n")
        #expect(try read(cpPath) == cp.stdout)
        let attrs = try FileManager.default.attributesOfItem(atPath: cpPath)
        #expect(attrs[.type] as? FileAttributeType == .typeRegular)
    }

    @Test func aBatchKilledMidWriteIsAllOrNothing() throws {
        let fx = try ledgerWithNotes(0)
        var lines = ""
        for n in 0..<20_000 { lines += "{\"kind\":\"note\",\"body\":{\"text\":\"bulk-\(n)\"}}\n" }
        try lines.write(toFile: fx.dir + "/big.jsonl", atomically: true, encoding: .utf8)
        var base = 2
        for delayMs in [150, 300, 450, 600, 900] {
            let p = ChildProcess()
            p.executableURL = URL(fileURLWithPath: ledgerBinary)
            p.arguments = ["append", "led", "--key", "jp.key", "--batch", "big.jsonl"]
            p.currentDirectoryURL = URL(fileURLWithPath: fx.dir)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(useconds_t(delayMs * 1000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            // Either the whole batch is there, or none of it.
            let v = try ledger(["verify", "led", "--vkey", fx.opVkey, "--json"], cwd: fx.dir)
            #expect(v.status == 0, "\(v.stdout) \(v.stderr)")
            let size = try #require(
                (try JSONSerialization.jsonObject(with: Data(v.stdout.utf8)) as? [String: Any])?["entries"] as? Int)
            #expect(size == base || size == base + 20_000, "after a kill at \(delayMs) ms: \(size) entries")
            // The log goes on: the next append cuts any unacknowledged tail.
            let a = try ledger(
                ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"after \(delayMs)\"}"],
                cwd: fx.dir)
            #expect(a.lines == [String(size)], "\(a.stderr)")
            base = size + 1
        }
        #expect(try ledger(["verify", "led", "--vkey", fx.opVkey], cwd: fx.dir).status == 0)
    }

    @Test func completeLinesAfterTheCommittedSizeAreReportedAndCut() throws {
        let fx = try ledgerWithNotes(2)
        let committed = try bytes(path(fx, "entries.jsonl"))
        let lastLine = try read(path(fx, "entries.jsonl")).split(separator: "\n").last!
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path(fx, "entries.jsonl")))
        h.seekToEndOfFile()
        h.write(Data((lastLine + "\n").utf8))
        try h.close()
        let v = try ledger(["verify", "led", "--json"], cwd: fx.dir)
        #expect(v.status == 0)
        #expect(v.stdout.contains("\"uncommittedEntries\":1") && v.stdout.contains("\"entries\":4"), "\(v.stdout)")
        let t = try ledger(["verify", "led"], cwd: fx.dir)
        #expect(t.stdout.contains("1 complete lines"), "\(t.stdout)")
        let a = try ledger(
            ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"x\"}"], cwd: fx.dir)
        #expect(a.lines == ["4"])
        #expect(try bytes(path(fx, "entries.jsonl")).prefix(committed.count) == committed)
        #expect(try ledger(["verify", "led", "--vkey", fx.opVkey], cwd: fx.dir).status == 0)
    }

    @Test func aMissingLastLineIsNamedAndNeverCut() throws {
        let fx = try ledgerWithNotes(2)
        var text = try read(path(fx, "entries.jsonl"))
        text = text.split(separator: "\n").dropLast().joined(separator: "\n") + "\n"
        try text.write(toFile: path(fx, "entries.jsonl"), atomically: false, encoding: .utf8)
        let v = try ledger(["verify", "led"], cwd: fx.dir)
        #expect(v.status == 1)
        #expect(v.stderr.contains("acknowledges 4") && v.stderr.contains("3 complete entries"), "\(v.stderr)")
        let before = try allFiles(fx)
        #expect(
            try ledger(
                ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"x\"}"], cwd: fx.dir
            ).status == 1)
        #expect(try ledger(["repair", "led"], cwd: fx.dir).status == 1)
        #expect(try allFiles(fx) == before)
    }

    @Test func aStaleCommitRecordNeverCutsWhatACheckpointCovers() throws {
        let fx = try ledgerWithNotes(2)
        let stale = try bytes(path(fx, "commit"))
        try ledgerWithNotesAppend(fx, 2)
        try sign(fx, to: "cp")
        try write(stale, path(fx, "commit"))  // an old copy of the record: 4 entries, not 6
        let before = try allFiles(fx)
        let a = try ledger(
            ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"x\"}"], cwd: fx.dir)
        #expect(a.status == 1)
        #expect(a.stderr.contains("checkpoint of size 6"), "\(a.stderr)")
        #expect(try allFiles(fx) == before)
        let r = try ledger(["repair", "led", "--json"], cwd: fx.dir)
        #expect(r.stdout.contains("\"kept\":6") && r.stdout.contains("checkpoint of size 6"), "\(r.stdout) \(r.stderr)")
        #expect(
            try ledger(
                ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"x\"}"], cwd: fx.dir
            ).lines == ["6"])
        #expect(try ledger(["verify", "led", "--vkey", fx.opVkey], cwd: fx.dir).status == 0)
    }

    @Test func aFifoUnderALedgerFileNameIsRefusedWithoutHanging() throws {
        let fx = try ledgerWithNotes(1)
        try FileManager.default.removeItem(atPath: path(fx, "entries.idx"))
        #expect(try shell("mkfifo led/entries.idx", cwd: fx.dir).status == 0)
        for args in [
            ["log", "led"], ["verify", "led"],
            ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"x\"}"],
        ] {
            let r = try ledger(args, cwd: fx.dir)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains("not a regular file"), "\(args): \(r.stderr)")
        }
    }

    @Test func aRepairAndAnAppendWaitingForTheLockLoseNothing() throws {
        // Both open the files, then wait for the lock another process holds; repair runs first.
        // It must rewrite the files the append has open, not replace them, or the append's
        // acknowledged entry lands in unlinked files and is cut later.
        for round in 0..<3 {
            let fx = try ledgerWithNotes(1)
            let script = """
                flock led/lock sleep 1 &
                sleep 0.3
                "$LEDGER" repair led > /dev/null 2>&1 &
                sleep 0.3
                "$LEDGER" append led --key jp.key --kind note --body '{"text":"acked"}'
                wait
                """
            let r = try runProcess("/bin/sh", ["-c", script], cwd: fx.dir, env: ["LEDGER": ledgerBinary])
            #expect(r.lines == ["3"], "round \(round): \(r.stdout) \(r.stderr)")
            let v = try ledger(["verify", "led", "--vkey", fx.opVkey, "--json"], cwd: fx.dir)
            #expect(
                v.status == 0 && v.stdout.contains("\"entries\":4") && v.stdout.contains("\"uncommittedEntries\":0"),
                "round \(round): \(v.stdout)")
            let next = try ledger(
                ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"next\"}"], cwd: fx.dir)
            #expect(next.lines == ["4"], "round \(round): \(next.stderr)")
            #expect(try read(path(fx, "entries.jsonl")).contains("\"acked\""))
        }
    }

    @Test func aFifoAmongTheCheckpointsIsRefusedWithoutHanging() throws {
        let fx = try ledgerWithNotes(1)
        #expect(try shell("mkfifo led/checkpoints/00000000000000000003.note", cwd: fx.dir).status == 0)
        for args in [["verify", "led"], ["checkpoint", "led"], ["repair", "led"]] {
            let r = try boundedLedger(args, cwd: fx.dir)
            #expect(r.status == 1 || r.status == 2, "\(args): \(r.status)")
            #expect(r.stderr.contains("not a regular file"), "\(args): \(r.stderr)")
        }
    }

    @Test func aHardLinkedOrRedirectedLedgerFileIsNeverWritten() throws {
        let fx = try ledgerWithNotes(1)
        let other = fx.dir + "/other.idx"
        try FileManager.default.linkItem(atPath: path(fx, "entries.idx"), toPath: other)
        let before = try bytes(other)
        let a = try ledger(
            ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"x\"}"], cwd: fx.dir)
        #expect(a.status != 0)
        #expect(a.stderr.contains("hard links"), "\(a.stderr)")
        #expect(try bytes(other) == before)
        try FileManager.default.removeItem(atPath: other)
        // A checkpoints folder that is a link elsewhere is not written into.
        let elsewhere = fx.dir + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.removeItem(atPath: path(fx, "checkpoints"))
        try FileManager.default.createSymbolicLink(atPath: path(fx, "checkpoints"), withDestinationPath: elsewhere)
        let cp = try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir)
        #expect(cp.status != 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
    }

    @Test func theLogSignsNoCheckpointOverAnEntryWithABadSignature() throws {
        // Someone with write access appends an entry whose signature does not verify, linked
        // into the chain, and rebuilds every cache to agree with it. The log's next append builds
        // on it (a writer's replay does not re-verify signatures), but signing refuses.
        let fx = try ledgerWithNotes(2)
        try sign(fx, to: "cp")
        let forge = """
            import base64, hashlib
            p = "led/entries.jsonl"
            last = open(p, "rb").read().split(b"\\n")[-2]
            prev = base64.b64encode(hashlib.sha256(b"\\x00" + last).digest())
            i = last.index(b'"prev":"') + 8
            new = last[:i] + prev + last[i + 44:]
            new = new.replace(b'{"index":3,', b'{"index":4,').replace(b'"note-1"', b'"forged"')
            open(p, "ab").write(new + b"\\n")
            """
        try forge.write(toFile: fx.dir + "/forge.py", atomically: true, encoding: .utf8)
        #expect(try shell("python3 forge.py", cwd: fx.dir).status == 0)
        try FileManager.default.removeItem(atPath: path(fx, "commit"))
        let r = try ledger(["repair", "led", "--json"], cwd: fx.dir)
        #expect(r.stdout.contains("\"kept\":5"), "\(r.stdout) \(r.stderr)")
        let v = try ledger(["verify", "led", "--vkey", fx.opVkey], cwd: fx.dir)
        #expect(v.status == 1 && v.stderr.contains("entry 4: signature does not verify"), "\(v.stderr)")
        let a = try ledger(
            ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"x\"}"], cwd: fx.dir)
        #expect(a.lines == ["5"], "\(a.stderr)")
        let before = try allFiles(fx)
        let cp = try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir)
        #expect(cp.status == 1, "\(cp.stdout)")
        #expect(cp.stderr.contains("entry 4: signature does not verify"), "\(cp.stderr)")
        #expect(try allFiles(fx) == before)
    }

    @Test func aRefusedBatchNamesTheFileLines() throws {
        let fx = try ledgerWithNotes(0)
        let good = "{\"kind\":\"note\",\"body\":{\"text\":\"ok\"}}"
        let bad = "{\"kind\":\"note\",\"body\":{\"text\":\"\"}}"
        try "\n\(good)\n\n\(bad)\n".write(toFile: fx.dir + "/b.jsonl", atomically: true, encoding: .utf8)
        let a = try ledger(["append", "led", "--key", "jp.key", "--batch", "b.jsonl"], cwd: fx.dir)
        #expect(a.status == 2, "\(a.stderr)")
        #expect(a.stderr.contains("line 4:") && !a.stderr.contains("line 2:"), "\(a.stderr)")
    }

    @Test func aLedgerOfAnUnknownFormatVersionIsRefused() throws {
        let fx = try ledgerWithNotes(0)
        let forge = """
            import hashlib, struct
            p = "led/commit"
            b = bytearray(open(p, "rb").read())
            for off in (0, 4096):
                if len(b) >= off + 136 and b[off:off + 8] == b"MLLEDGER":
                    b[off + 8:off + 12] = struct.pack("<I", 2)
                    b[off + 104:off + 136] = hashlib.sha256(bytes(b[off:off + 104])).digest()
            open(p, "wb").write(b)
            """
        try forge.write(toFile: fx.dir + "/v2.py", atomically: true, encoding: .utf8)
        #expect(try shell("python3 v2.py", cwd: fx.dir).status == 0)
        let before = try allFiles(fx)
        for args in [
            ["verify", "led"], ["log", "led"], ["repair", "led"],
            ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"x\"}"],
        ] {
            let r = try ledger(args, cwd: fx.dir)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("format version 2"), "\(args): \(r.stderr)")
        }
        #expect(try allFiles(fx) == before)
    }

    // MARK: §5 Time

    @Test func aClockJumpDoesNotWedgeTheLogAndWitnessesExposeIt() throws {
        let fx = try ledgerWithNotes(0)
        let now = try shell("date -u +%Y-%m-%dT%H:%M:%SZ", cwd: fx.dir).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let future = "2099-06-01T00:00:00Z"
        let jump = try ledger(
            ["append", "led", "--key", "op.key", "--kind", "note", "--body", "{\"text\":\"clock jumped\"}"],
            cwd: fx.dir,
            env: ["LEDGER_NOW": future])
        #expect(jump.status == 0, "\(jump.stderr)")
        // An honest author at the real time is still accepted; log time stays monotonic.
        let honest = try ledger(
            ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"honest\"}", "--json"],
            cwd: fx.dir,
            env: ["LEDGER_NOW": now])
        #expect(honest.status == 0, "\(honest.stderr)")
        let log = try ledger(["log", "led", "--json"], cwd: fx.dir).lines
        #expect(log.count == 4)
        #expect(log[3].contains("\"time\":\"\(future)\""), "\(log[3])")
        #expect(try ledger(["verify", "led", "--vkey", fx.opVkey], cwd: fx.dir).status == 0)
        // A witness cosigns at the real time: every entry dated after it is postdated.
        try sign(fx, to: "cp")
        try ledger(["key", "generate", "--name", "witness.example", "--out", "w.key"], cwd: fx.dir)
        let c = try ledger(
            ["cosign", "cp", "--key", "w.key", "--vkey", fx.opVkey], cwd: fx.dir, env: ["LEDGER_NOW": now])
        #expect(c.status == 0, "\(c.stderr)")
        try c.stdout.write(toFile: fx.dir + "/cp.w", atomically: true, encoding: .utf8)
        let wvkey = try ledger(["key", "show", "w.key", "--cosigner"], cwd: fx.dir).lines[0]
        let at = try ledger(["checkpoint", "led", "--attach", "cp.w", "--witness", wvkey], cwd: fx.dir)
        #expect(at.status == 0, "\(at.stderr)")
        let v = try ledger(["verify", "led", "--vkey", fx.opVkey, "--witness", wvkey, "--json"], cwd: fx.dir)
        #expect(v.status == 1, "\(v.stdout)")
        #expect(v.stdout.contains("\"failedEntry\":2") && v.stdout.contains("postdated"), "\(v.stdout)")
    }

    // MARK: §7 Hostile files

    @Test func anIndexOffsetBeyondTheFileIsRefusedWithoutACrash() throws {
        let fx = try ledgerWithNotes(2)
        var idx = try bytes(path(fx, "entries.idx"))
        let huge = UInt64(1_000_000_000_000).littleEndian
        withUnsafeBytes(of: huge) { for k in 0..<8 { idx[40 + k] = $0[k] } }  // entry 1's end offset
        try write(idx, path(fx, "entries.idx"))
        for args in [["log", "led"], ["entry", "led", "1"], ["verify", "led"]] {
            let r = try ledger(args, cwd: fx.dir)
            #expect(r.status == 1, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
    }

    @Test func anOverlongLineIsRefusedAsSoonAsItIsTooLong() throws {
        let fx = try ledgerWithNotes(1)
        try FileManager.default.removeItem(atPath: path(fx, "commit"))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path(fx, "entries.jsonl")))
        h.seekToEndOfFile()
        h.write(Data(repeating: 0x61, count: 3 << 20))
        h.write(Data("\n".utf8))
        try h.close()
        let v = try ledger(["verify", "led"], cwd: fx.dir)
        #expect(v.status == 1, "\(v.stderr)")
        #expect(v.stderr.contains("entry 3") && v.stderr.contains("longer than 65535"), "\(v.stderr)")
    }

    // MARK: §9, §10 Checkpoints on disk, the log key

    @Test func aStrayNoteFileIsNotAStoredCheckpoint() throws {
        let fx = try ledgerWithNotes(1)
        try sign(fx, to: "cp")
        try FileManager.default.copyItem(
            atPath: path(fx, "checkpoints/00000000000000000003.note"), toPath: path(fx, "checkpoints/3.note"))
        let v = try ledger(["verify", "led", "--json"], cwd: fx.dir)
        #expect(v.status == 0)
        #expect(v.stdout.contains("\"checkpointsChecked\":1"), "\(v.stdout)")
    }

    @Test func aValidSizeZeroCheckpointIsCheckedNotBeyondTheLog() throws {
        let fx = try ledgerWithNotes(1)
        let op = try NoteSignerKey(parsing: try read(fx.dir + "/op.key"))
        var zero = try SignedNote(text: Checkpoint(origin: op.name, size: 0, root: MerkleHash.emptyRoot).text)
        zero.sign(with: op)
        try zero.serialized.write(
            toFile: path(fx, "checkpoints/00000000000000000000.note"), atomically: true, encoding: .utf8)
        let v = try ledger(["verify", "led", "--vkey", fx.opVkey, "--json"], cwd: fx.dir)
        #expect(v.status == 0, "\(v.stdout)")
        #expect(v.stdout.contains("\"checkpointsChecked\":1"), "\(v.stdout)")
        // Without --vkey the key comes from entry 0, after which the size-0 checkpoint is checked.
        #expect(try ledger(["verify", "led", "--json"], cwd: fx.dir).stdout.contains("\"checkpointsChecked\":1"))
    }

    @Test func aCheckpointFiledUnderAnotherSizeIsRefused() throws {
        let fx = try ledgerWithNotes(1)
        try sign(fx, to: "cp")
        try ledgerWithNotesAppend(fx, 1)
        try FileManager.default.moveItem(
            atPath: path(fx, "checkpoints/00000000000000000003.note"),
            toPath: path(fx, "checkpoints/00000000000000000004.note"))
        let v = try ledger(["verify", "led"], cwd: fx.dir)
        #expect(v.status == 1)
        #expect(v.stderr.contains("holds a checkpoint of size 3"), "\(v.stderr)")
    }

    @Test func aNonZeroPrevOnEntryZeroNamesEntryZero() throws {
        let fx = try ledgerWithNotes(0)
        var text = try read(path(fx, "entries.jsonl"))
        let zero = "\"prev\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\""
        #expect(text.hasPrefix("{\"index\":0,\(zero)"))
        text = text.replacingOccurrences(of: zero, with: "\"prev\":\"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"")
        try text.write(toFile: path(fx, "entries.jsonl"), atomically: false, encoding: .utf8)
        let v = try ledger(["verify", "led", "--json"], cwd: fx.dir)
        #expect(v.status == 1)
        #expect(
            v.stdout.contains("\"failedEntry\":0") && v.stdout.contains("entry 0: prev must be 32 zero bytes"),
            "\(v.stdout)")
    }

    @Test func theVkeyMustBeTheGenesisOperator() throws {
        let fx = try ledgerWithNotes(1)
        let other = try ledger(["key", "generate", "--name", "cli.example/log", "--out", "other.key"], cwd: fx.dir)
            .lines.last!
        let v = try ledger(["verify", "led", "--vkey", other], cwd: fx.dir)
        #expect(v.status == 1)
        #expect(v.stderr.contains("entry 0") && v.stderr.contains("genesis"), "\(v.stderr)")
    }
}
