import LedgerCore
import LedgerCrypto

/// Generates the files in `specs/vectors/` deterministically (fixed seeds, nonces and times),
/// so that `ledger-bench dev-vectors` reproduces them byte for byte and tests can check both the
/// files and their regeneration. The keys here are TEST KEYS, published on purpose.
package enum TestVectors {
    /// Fixed, published test seeds. Never use them for anything real.
    package static let logSeed = [UInt8](repeating: 0x11, count: 32)
    package static let witnessSeeds = [[UInt8](repeating: 0x22, count: 32), [UInt8](repeating: 0x33, count: 32)]
    package static let authorSeed = [UInt8](repeating: 0x44, count: 32)
    package static let origin = "vectors.minilateral.example/log"
    package static let cosignTime: UInt64 = 1_795_000_000

    /// Leaf data of leaf i in the root and proof vectors: the UTF-8 text "leaf <i>".
    package static func leafData(_ i: Int) -> [UInt8] { Array("leaf \(i)".utf8) }

    package static func logKey() -> NoteSignerKey {
        try! NoteSignerKey(name: origin, signingKey: SigningKey(seed: logSeed)!)
    }
    package static func witnessKeys() -> [NoteSignerKey] {
        witnessSeeds.enumerated().map {
            try! NoteSignerKey(name: "witness-\($0.offset + 1).example", signingKey: SigningKey(seed: $0.element)!)
        }
    }
    package static func authorKey() -> NoteSignerKey {
        try! NoteSignerKey(name: "delegation-jp.example", signingKey: SigningKey(seed: authorSeed)!)
    }

    static func hex(_ d: Digest) -> JSONValue { .string(d.hex) }

    /// All vector files: name → content.
    package static func files() -> [(String, String)] {
        var out = [(String, String)]()
        out.append(("canonical-json.json", canonicalJSON()))
        out.append(("roots.json", roots()))
        out.append(("inclusion.json", inclusion()))
        out.append(("consistency.json", consistency()))
        let (entries, checkpoint, cosigned, keys) = ledgerVectors()
        out.append(("entries.json", entries))
        out.append(("checkpoint.note", checkpoint))
        out.append(("checkpoint-cosigned.note", cosigned))
        out.append(("keys.json", keys))
        out.append(("limits.json", limits()))
        out.append(("ed25519-strict.json", ed25519Strict()))
        out.append(("checkpoints.json", checkpoints()))
        out.append(("tlog-proof.json", tlogProofs()))
        out.append(("store-layout.json", storeLayout()))
        out.append(("receipt.note", receiptNote()))
        return out
    }

    static func pretty(_ v: JSONValue) -> String {
        // One array element per line keeps the files diffable while staying canonical per line.
        if case .array(let a) = v { return "[\n" + a.map { $0.canonicalString }.joined(separator: ",\n") + "\n]\n" }
        return v.canonicalString + "\n"
    }

    static func canonicalJSON() -> String {
        let cases: [(String, String?)] = [
            ("{\"b\":1, \"a\":[true,false,null]}", "{\"a\":[true,false,null],\"b\":1}"),
            ("{\"\\u00e9\":1,\"z\":2,\"a\":3}", "{\"a\":3,\"z\":2,\"é\":1}"),
            ("{\"\\ud83d\\ude00\":1,\"\\ufb01\":2}", "{\"😀\":1,\"ﬁ\":2}"),
            ("\"\\u0001\\b\\f\\n\\r\\t\\\"\\\\\\/\\u007f\"", "\"\\u0001\\b\\f\\n\\r\\t\\\"\\\\/\u{7f}\""),
            ("[ 0, -1, 9007199254740991, -9007199254740991 ]", "[0,-1,9007199254740991,-9007199254740991]"),
            ("{\"a\":1,\"a\":2}", nil), ("[1.5]", nil), ("[1e3]", nil), ("[-0]", nil), ("[01]", nil),
            ("[9007199254740992]", nil), ("\"\\ud800\"", nil), ("[1] x", nil), ("{\"a\":1,}", nil),
            ("[\"\u{1}\"]", nil),
        ]
        var arr = [JSONValue]()
        for (input, expected) in cases {
            var o: [String: JSONValue] = ["input": .string(input)]
            if let expected { o["canonical"] = .string(expected) } else { o["valid"] = .bool(false) }
            arr.append(.object(o))
        }
        arr.append(["inputBase64": .string(Base64.encode([0x22, 0xff, 0x22])), "valid": false, "why": "invalid UTF-8"])
        return pretty(.array(arr))
    }

    static func tree(_ n: Int) -> InMemoryHashes {
        InMemoryHashes(leafHashes: (0..<n).map { MerkleHash.leaf(leafData($0)) })
    }

    static func roots() -> String {
        let t = tree(64)
        var arr = [JSONValue]()
        for n in 0...64 {
            arr.append(["size": .integer(Int64(n)), "root": hex(try! t.tree.root(treeSize: Int64(n)))])
        }
        return pretty(.array(arr))
    }

    static func inclusion() -> String {
        let t = tree(64).tree
        var arr = [JSONValue]()
        for n in 1...64 {
            for i in 0..<n where n <= 16 || i % 7 == 0 || i == n - 1 {
                let p = try! t.inclusionProof(index: Int64(i), treeSize: Int64(n))
                arr.append([
                    "index": .integer(Int64(i)), "treeSize": .integer(Int64(n)),
                    "leafHash": hex(try! t.leafHash(Int64(i))),
                    "root": hex(try! t.root(treeSize: Int64(n))), "proof": .array(p.map { hex($0) }), "valid": true,
                ])
            }
        }
        // Invalid cases derived from (index 5, size 13).
        let p = try! t.inclusionProof(index: 5, treeSize: 13).map(\.hex)
        let root = try! t.root(treeSize: 13).hex
        let leaf = try! t.leafHash(5).hex
        func bad(_ why: String, index: Int64 = 5, size: Int64 = 13, proof: [String] = p, leafHash: String = leaf)
            -> JSONValue
        {
            [
                "index": .integer(index), "treeSize": .integer(size), "leafHash": .string(leafHash),
                "root": .string(root),
                "proof": .array(proof.map { .string($0) }), "valid": false, "why": .string(why),
            ]
        }
        var flipped = p
        flipped[1] = String(flipped[1].dropLast()) + (flipped[1].hasSuffix("0") ? "1" : "0")
        arr.append(bad("wrong index", index: 4))
        arr.append(bad("wrong tree size", size: 8))
        arr.append(bad("index equal to size", index: 13))
        arr.append(bad("missing hash", proof: Array(p.dropLast())))
        arr.append(bad("trailing hash", proof: p + [p[0]]))
        arr.append(bad("modified hash", proof: flipped))
        arr.append(bad("31-byte hash", proof: [String(p[0].dropLast(2))] + p.dropFirst()))
        arr.append(bad("33-byte hash", proof: [p[0] + "00"] + p.dropFirst()))
        arr.append(bad("wrong leaf", leafHash: try! t.leafHash(6).hex))
        return pretty(.array(arr))
    }

    static func consistency() -> String {
        let t = tree(64).tree
        var arr = [JSONValue]()
        for n in 1...64 {
            for m in 1...n where n <= 16 || m % 5 == 0 || m == n {
                let p = try! t.consistencyProof(oldSize: Int64(m), newSize: Int64(n))
                arr.append([
                    "size1": .integer(Int64(m)), "size2": .integer(Int64(n)),
                    "root1": hex(try! t.root(treeSize: Int64(m))),
                    "root2": hex(try! t.root(treeSize: Int64(n))), "proof": .array(p.map { hex($0) }), "valid": true,
                ])
            }
        }
        let p = try! t.consistencyProof(oldSize: 6, newSize: 13).map(\.hex)
        let r1 = try! t.root(treeSize: 6).hex
        let r2 = try! t.root(treeSize: 13).hex
        func bad(
            _ why: String, size1: Int64 = 6, size2: Int64 = 13, proof: [String] = p, root1: String = r1,
            root2: String = r2
        ) -> JSONValue {
            [
                "size1": .integer(size1), "size2": .integer(size2), "root1": .string(root1), "root2": .string(root2),
                "proof": .array(proof.map { .string($0) }), "valid": false, "why": .string(why),
            ]
        }
        arr.append(bad("size1 = 0", size1: 0, root1: MerkleHash.emptyRoot.hex))
        arr.append(bad("empty proof", proof: []))
        arr.append(bad("wrong size1", size1: 7))
        arr.append(bad("wrong size2", size2: 7))
        arr.append(bad("missing hash", proof: Array(p.dropLast())))
        arr.append(bad("trailing hash", proof: p + [p[0]]))
        arr.append(bad("swapped roots", root1: r2, root2: r1))
        arr.append(bad("31-byte hash", proof: [String(p[0].dropLast(2))] + p.dropFirst()))
        arr.append(bad("equal sizes with a proof", size1: 13, proof: [p[0]], root1: r2))
        return pretty(.array(arr))
    }

    static func ledgerVectors() -> (String, String, String, String) {
        let log = logKey()
        let author = authorKey()
        let t0 = vectorTime
        let statements = vectorStatements()
        var prev = Digest.zero
        var arr = [JSONValue]()
        var hashes = InMemoryHashes()
        for (i, s) in statements.enumerated() {
            let e = Entry(index: UInt64(i), prev: prev, time: t0, signed: s)
            let leaf = e.canonicalBytes
            let lh = MerkleHash.leaf(leaf)
            arr.append([
                "index": .integer(Int64(i)), "leaf": .string(String(decoding: leaf, as: UTF8.self)),
                "leafHash": .string(lh.base64),
                "statementSigningMessage": .string(String(decoding: s.statement.signingMessage, as: UTF8.self)),
                "statementHash": .string(s.statement.hash.base64),
            ])
            hashes.append(leafHash: lh)
            prev = lh
        }
        let cp = Checkpoint(origin: origin, size: 3, root: try! hashes.tree.root(treeSize: 3))
        var note = try! SignedNote(text: cp.text)
        note.sign(with: log)
        let signed = note.serialized
        for w in witnessKeys() { note.cosign(with: w, time: cosignTime) }
        let keys: JSONValue = [
            "warning": "TEST KEYS: published on purpose for test vectors; never use them for anything real",
            "log": ["privateKey": .string(log.privateKeyText), "vkey": .string(log.verifierKey.description)],
            "author": ["privateKey": .string(author.privateKeyText), "vkey": .string(author.verifierKey.description)],
            "witnesses": .array(
                witnessKeys().map {
                    [
                        "privateKey": .string($0.privateKeyText), "vkey": .string($0.verifierKey.description),
                        "cosignerVkey": .string($0.cosignerKey.description),
                    ]
                }),
            "cosignatureTime": .integer(Int64(cosignTime)),
        ]
        return (pretty(.array(arr)), signed, note.serialized, keys.canonicalString + "\n")
    }
}
