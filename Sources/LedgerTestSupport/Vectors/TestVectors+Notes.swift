import Foundation
import LedgerCore
import LedgerCrypto

/// Checkpoint, tlog-proof and store-layout vectors (`checkpoints.json`, `tlog-proof.json`,
/// `store-layout.json`), all over the three-entry ledger of `entries.json`.
extension TestVectors {
    /// The claimed and integration time of every entry of the vector ledger.
    package static let vectorTime = Timestamp(rfc3339: "2026-11-20T09:00:00Z")!

    /// The three signed statements of `entries.json` (genesis, key.register, note).
    package static func vectorStatements() -> [SignedStatement] {
        let log = logKey()
        let author = authorKey()
        func stmt(_ kind: String, _ body: JSONValue, _ key: NoteSignerKey, _ n: UInt8) -> SignedStatement {
            try! Statement(
                kind: kind, body: body, signer: key.verifierKey, time: vectorTime,
                nonce: [UInt8](repeating: n, count: 16)
            )
            .signed(by: key)
        }
        return [
            stmt("genesis", ["origin": .string(origin), "operator": .string(log.verifierKey.description)], log, 1),
            stmt("key.register", ["vkey": .string(author.verifierKey.description), "role": "delegation"], log, 2),
            stmt(
                "note",
                ["text": "Draft agenda: 3B001.f EUV lithography – \"coordinated\" licence review\n(second reading)"],
                author, 3),
        ]
    }

    /// The three entries of `entries.json`.
    package static func vectorEntries() -> [Entry] {
        var prev = Digest.zero
        var out = [Entry]()
        for (i, s) in vectorStatements().enumerated() {
            let e = Entry(index: UInt64(i), prev: prev, time: vectorTime, signed: s)
            out.append(e)
            prev = e.leafHash
        }
        return out
    }

    static func vectorTree() -> InMemoryHashes { InMemoryHashes(leafHashes: vectorEntries().map(\.leafHash)) }

    /// A signature line `— name base64(keyID || payload)\n`.
    static func sigLine(_ name: String, _ keyID: UInt32, _ payload: [UInt8]) -> String {
        let id = [UInt8(keyID >> 24 & 0xff), UInt8(keyID >> 16 & 0xff), UInt8(keyID >> 8 & 0xff), UInt8(keyID & 0xff)]
        return "\u{2014} \(name) \(Base64.encode(id + payload))\n"
    }

    /// The log's signature line over `text`.
    static func logLine(_ text: String) -> String {
        let log = logKey()
        return sigLine(log.verifierKey.name, log.verifierKey.keyID, log.signingKey.signature(for: Array(text.utf8)))
    }

    /// Checks a note as `SignedCheckpoint(parsing:logKey:)` does: nil when accepted.
    package static func runCheckpointCase(note: String, logKey: String) -> LedgerError? {
        do throws(LedgerError) {
            _ = try SignedCheckpoint(parsing: note, logKey: try NoteVerifierKey(parsing: logKey))
            return nil
        } catch { return error }
    }

    static func checkpoints() -> String {
        let log = logKey()
        let root = try! vectorTree().tree.root(treeSize: 3)
        let text = Checkpoint(origin: origin, size: 3, root: root).text
        let good = logLine(text)
        var badSig = Array(log.signingKey.signature(for: Array(text.utf8)))
        badSig[10] ^= 0x01
        let badLine = sigLine(log.verifierKey.name, log.verifierKey.keyID, badSig)
        let w1 = witnessKeys()[0]
        var cosigned = try! SignedNote(text: text)
        cosigned.cosign(with: w1, time: cosignTime)
        let w1Sig = cosigned.signatures[0]
        let w1Line = sigLine(w1Sig.name, w1Sig.keyID, w1Sig.payload)
        let stranger = sigLine("someone.example", 0x0102_0304, [UInt8](repeating: 0xab, count: 64))
        func signed(_ t: String) -> String { t + "\n" + logLine(t) }
        let b64Root = root.base64
        var nonCanonicalRoot = Array(b64Root)
        // The last character before '=' carries 2 unused bits for 32 bytes; set one.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let lastIdx = nonCanonicalRoot.count - 2
        let v = alphabet.firstIndex(of: nonCanonicalRoot[lastIdx])!
        nonCanonicalRoot[lastIdx] = alphabet[v ^ 1]
        let root31 = Base64.encode(Array(root.bytes.prefix(31)))
        let emptyText = Checkpoint(origin: origin, size: 0, root: MerkleHash.emptyRoot).text
        let strangers99 = (0..<99).map {
            sigLine("someone-\($0).example", UInt32($0), [UInt8](repeating: 1, count: 64))
        }.joined()
        let strangers100 = strangers99 + sigLine("someone-99.example", 99, [UInt8](repeating: 1, count: 64))

        let cases: [(String, String, Bool)] = [
            ("the checkpoint of the three entries, signed by the log", text + "\n" + good, true),
            ("two extension lines after the root", signed(text + "ext one\nx-extension: 2\n"), true),
            ("the empty tree: size 0 and the root SHA-256(\"\")", signed(emptyText), true),
            ("a line by an unknown key is ignored", text + "\n" + stranger + good, true),
            ("a witness cosignature is ignored when no witness key is given", text + "\n" + good + w1Line, true),
            ("100 signature lines (the log's and 99 of unknown keys)", text + "\n" + good + strangers99, true),
            ("101 signature lines", text + "\n" + good + strangers100, false),
            (
                "the origin is not the log key's name",
                signed(Checkpoint(origin: "other.example/log", size: 3, root: root).text), false
            ),
            ("the log signature does not verify", text + "\n" + badLine, false),
            (
                "a second line of the log key does not verify, though the first does", text + "\n" + good + badLine,
                false
            ),
            (
                "the log line's payload is 63 bytes",
                text + "\n" + sigLine(log.verifierKey.name, log.verifierKey.keyID, Array(badSig.prefix(63))), false
            ),
            ("no line of the log key (only a witness cosignature)", text + "\n" + w1Line, false),
            (
                "a line with the log's name but another key ID (the log's 0x04 key ID) is not the log's",
                text + "\n"
                    + sigLine(
                        log.verifierKey.name, log.cosignerKey.keyID, log.signingKey.signature(for: Array(text.utf8))),
                false
            ),
            ("size with a leading zero", signed("\(origin)\n03\n\(b64Root)\n"), false),
            ("size with a plus sign", signed("\(origin)\n+3\n\(b64Root)\n"), false),
            ("negative size", signed("\(origin)\n-3\n\(b64Root)\n"), false),
            ("empty size line", signed("\(origin)\n\n\(b64Root)\n"), false),
            ("size 2^64 does not fit in 64 bits", signed("\(origin)\n18446744073709551616\n\(b64Root)\n"), false),
            ("root of 31 bytes", signed("\(origin)\n3\n\(root31)\n"), false),
            (
                "root in non-canonical base64 (non-zero unused bits)",
                signed("\(origin)\n3\n\(String(nonCanonicalRoot))\n"), false
            ),
            ("root in unpadded base64", signed("\(origin)\n3\n\(b64Root.dropLast())\n"), false),
            ("only origin and size", signed("\(origin)\n3\n"), false),
            ("empty origin line", signed("\n3\n\(b64Root)\n"), false),
            ("an empty extension line (a blank line inside the note text)", signed(text + "\n"), false),
            ("a tab in an extension line", signed(text + "ext\tone\n"), false),
            ("the last signature line has no newline", text + "\n" + String(good.dropLast()), false),
            ("no blank line before the signatures", text + good, false),
            ("a blank line but no signature lines", text + "\n", false),
            ("CRLF line endings", text.replacingNewlines("\r\n") + "\r\n" + good, false),
            ("two spaces after the name", text + "\n" + good.replacingFirstSpaceAfterName(), false),
            ("a hyphen instead of the em dash", text + "\n" + "-" + good.dropFirst(), false),
            (
                "signature base64 of 4 bytes (a key ID and no signature)",
                text + "\n" + sigLine(log.verifierKey.name, log.verifierKey.keyID, []), false
            ),
        ]
        var arr = [JSONValue]()
        let logVkey = log.verifierKey.description
        for (why, note, valid) in cases {
            let error = runCheckpointCase(note: note, logKey: logVkey)
            precondition((error == nil) == valid, "checkpoint vector \(why): got \(String(describing: error))")
            var o: [String: JSONValue] = [
                "why": .string(why), "note": .string(note), "logKey": .string(logVkey), "valid": .bool(valid),
            ]
            if let error {
                o["code"] = .string(error.code.description)
                o["error"] = .string(error.message)
            }
            arr.append(.object(o))
        }
        return pretty(.array(arr))
    }

    /// Checks a tlog-proof bundle as `ledger proof verify --proof BUNDLE --leaf LEAF --vkey KEY`
    /// does: parse the bundle, check the checkpoint's log signature, then the inclusion proof of
    /// the leaf at `index` in the checkpoint's tree. Nil when accepted.
    package static func runTlogProofCase(bundle: String, leaf: [UInt8], logKey: String) -> LedgerError? {
        do throws(LedgerError) {
            let tp = try TlogProof(parsing: bundle)
            let cp = try SignedCheckpoint(
                parsing: tp.checkpoint.serialized, logKey: try NoteVerifierKey(parsing: logKey))
            try ProofVerifier.verifyInclusion(
                index: tp.index, treeSize: cp.checkpoint.size, leafHash: MerkleHash.leaf(leaf), proof: tp.hashes,
                root: cp.checkpoint.root)
            return nil
        } catch { return error }
    }

    static func tlogProofs() -> String {
        let entries = vectorEntries()
        let t = vectorTree().tree
        let root = try! t.root(treeSize: 3)
        var note = try! SignedNote(text: Checkpoint(origin: origin, size: 3, root: root).text)
        note.sign(with: logKey())
        for w in witnessKeys() { note.cosign(with: w, time: cosignTime) }
        func proof(_ i: Int) -> [[UInt8]] { try! t.inclusionProof(index: Int64(i), treeSize: 3).map(\.bytes) }
        func bundle(_ i: Int, extra: [UInt8]? = nil, hashes: [[UInt8]]? = nil) -> String {
            TlogProof(extra: extra, index: UInt64(i), hashes: hashes ?? proof(i), checkpoint: note).serialized
        }
        func leaf(_ i: Int) -> String { String(decoding: entries[i].canonicalBytes, as: UTF8.self) }
        let header = TlogProof.header + "\n"
        let h1 = proof(1).map { Base64.encode($0) + "\n" }.joined()
        let other = witnessKeys()[1]
        var forged = try! SignedNote(text: Checkpoint(origin: origin, size: 3, root: root).text)
        forged.sign(with: try! NoteSignerKey(name: origin, signingKey: other.signingKey))
        let cases: [(String, String, Int, Bool)] = [
            ("leaf 1 of 3, with a log-signed checkpoint carrying two cosignatures", bundle(1), 1, true),
            ("leaf 0 of 3, with an extra line", bundle(0, extra: Array("minilateral".utf8)), 0, true),
            ("leaf 2 of 3: a proof of one hash", bundle(2), 2, true),
            ("an empty extra line (zero bytes)", bundle(1, extra: []), 1, true),
            ("the index names another leaf", bundle(1).replacingFirst("index 1\n", with: "index 2\n"), 1, false),
            ("the leaf is not the one proved", bundle(1), 0, false),
            ("a hash missing", bundle(1, hashes: Array(proof(1).dropLast())), 1, false),
            ("a hash too many", bundle(1, hashes: proof(1) + [proof(1)[0]]), 1, false),
            ("a hash of 31 bytes", bundle(1, hashes: [Array(proof(1)[0].prefix(31))] + proof(1).dropFirst()), 1, false),
            ("a hash line that is not base64", bundle(1).replacingFirst(h1, with: "not base64!\n"), 1, false),
            ("index with a leading zero", bundle(1).replacingFirst("index 1\n", with: "index 01\n"), 1, false),
            ("no index line", bundle(1).replacingFirst("index 1\n", with: ""), 1, false),
            (
                "the extra line after the index line", header + "index 1\nextra AAAA\n" + h1 + "\n" + note.serialized,
                1, false
            ),
            ("extra that is not base64", header + "extra %%%\nindex 1\n" + h1 + "\n" + note.serialized, 1, false),
            ("another header", bundle(1).replacingFirst(TlogProof.header, with: "c2sp.org/tlog-proof@v2"), 1, false),
            ("no blank line before the checkpoint", header + "index 1\n" + h1 + note.serialized, 1, false),
            (
                "the checkpoint is signed by another key under the log's name",
                bundle(1).replacingFirst(note.serialized, with: forged.serialized), 1, false
            ),
        ]
        var arr = [JSONValue]()
        let logVkey = logKey().verifierKey.description
        for (why, b, i, valid) in cases {
            let error = runTlogProofCase(bundle: b, leaf: Array(leaf(i).utf8), logKey: logVkey)
            precondition((error == nil) == valid, "tlog-proof vector \(why): got \(String(describing: error))")
            var o: [String: JSONValue] = [
                "why": .string(why), "bundle": .string(b), "leaf": .string(leaf(i)), "logKey": .string(logVkey),
                "valid": .bool(valid),
            ]
            if let error {
                o["code"] = .string(error.code.description)
                o["error"] = .string(error.message)
            }
            arr.append(.object(o))
        }
        return pretty(.array(arr))
    }

    static func storeLayout() -> String {
        let entries = vectorEntries()
        var jsonl = [UInt8]()
        var idx = [UInt8]()
        var records = [JSONValue]()
        for e in entries {
            jsonl += e.canonicalBytes + [0x0a]
            let end = UInt64(jsonl.count)
            withUnsafeBytes(of: end.littleEndian) { idx.append(contentsOf: $0) }
            idx += e.statement.hash.bytes
            records.append([
                "entry": .integer(Int64(e.index)), "endOffset": .integer(Int64(end)),
                "recordHex": .string(Hex.encode(idx.suffix(40))), "statementHash": .string(e.statement.hash.base64),
            ])
        }
        let hashes = vectorTree().hashes
        var stored = [JSONValue]()
        for level in 0..<3 {
            var n: Int64 = 0
            while (n + 1) << level <= entries.count {
                let pos = StoredHashIndex.index(level: level, n: n)
                stored.append([
                    "position": .integer(pos), "byteOffset": .integer(pos * 32), "level": .integer(Int64(level)),
                    "n": .integer(n),
                    "leaves": .string("\(n << level)–\(((n + 1) << level) - 1)"),
                    "hash": .string(hashes[Int(pos)].hex),
                ])
                n += 1
            }
        }
        stored.sort { $0["position"]!.integerValue! < $1["position"]!.integerValue! }
        let v: JSONValue = [
            "ledger": "the three entries of entries.json",
            "entriesJsonl": .string(String(decoding: jsonl, as: UTF8.self)),
            "entriesIdxHex": .string(Hex.encode(idx)),
            "index": .array(records),
            "treeHashesHex": .string(Hex.encode(hashes.flatMap(\.bytes))),
            "storedHashes": .array(stored),
            "root": .string(try! vectorTree().tree.root(treeSize: 3).hex),
        ]
        return v.canonicalString + "\n"
    }
}

extension String {
    fileprivate func replacingNewlines(_ with: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: with)
    }

    fileprivate func replacingFirst(_ what: String, with: String) -> String {
        guard let r = range(of: what) else { preconditionFailure("\(what) not found") }
        return replacingCharacters(in: r, with: with)
    }

    /// "— name sig" → "— name  sig".
    fileprivate func replacingFirstSpaceAfterName() -> String {
        let parts = split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        return parts[0] + " " + parts[1] + "  " + parts[2]
    }
}
