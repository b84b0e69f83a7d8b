import ArgumentParser
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Proof: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build and verify RFC 9162 inclusion and consistency proofs.",
            subcommands: [Inclusion.self, Consistency.self, VerifyProof.self])
    }
}

extension LedgerCommand.Proof {
    struct Inclusion: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the inclusion proof of an entry.")
        @Argument(help: "Ledger directory.") var dir: String
        @Option(help: "Entry index.") var index: Int64
        @Option(help: "Tree size (default: the latest checkpoint's size for tlog-proof, else the log size).") var size: Int64?
        @Option(help: "Output format: json or tlog-proof.") var format: String = "json"
        @Flag(help: "JSON output: the same as --format json (the default).") var json = false

        func validate() throws {
            guard ["json", "tlog-proof"].contains(format) else { throw ValidationError("--format must be json or tlog-proof") }
            if json && format != "json" { throw ValidationError("--json means --format json; it cannot go with --format \(format)") }
            guard index >= 0 else { throw ValidationError("--index must be ≥ 0") }
            guard (size ?? 1) >= 1 else { throw ValidationError("--size must be ≥ 1") }
        }

        func run() throws {
            try LedgerCLI.run {
                let ledger = try Ledger<RulesInUse>(directory: dir)
                let store = ledger.store
                if format == "tlog-proof" {
                    let cp = try ledger.checkpoint(size: size.map { UInt64($0) })
                    guard let n = Int64(exactly: cp.checkpoint.size) else {
                        throw LedgerError.malformed("checkpoint size \(cp.checkpoint.size) is out of range")
                    }
                    let hashes = try store.tree.inclusionProof(index: index, treeSize: n)
                    out(TlogProof(index: UInt64(index), hashes: hashes.map(\.bytes), checkpoint: cp.note).serialized, terminator: "")
                    return
                }
                let n = size ?? store.size
                let hashes = try store.tree.inclusionProof(index: index, treeSize: n)
                printJSON(InclusionProof(index: UInt64(index), treeSize: UInt64(n), leafHash: store.leafHash(index), hashes: hashes.map(\.bytes)).json)
            }
        }
    }

    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the consistency proof between two tree sizes.")
        @Argument(help: "Ledger directory.") var dir: String
        @Option(help: "Old tree size.") var from: Int64
        @Option(help: "New tree size (default: the log size).") var to: Int64?
        @Flag(help: "JSON output (the only format).") var json = false

        func validate() throws {
            // RFC 9162 §2.1.4 defines no consistency proof from the empty tree: every tree
            // extends it, and `proof verify` refuses such a proof (ledger-format.md §6).
            guard from >= 1 else {
                throw ValidationError("--from must be ≥ 1 (RFC 9162 has no consistency proof from size 0)")
            }
            guard (to ?? from) >= from else { throw ValidationError("--to must be ≥ --from") }
        }

        func run() throws {
            try LedgerCLI.run {
                let store = try FileStore(directory: dir)
                let n = to ?? store.size
                let hashes = try store.tree.consistencyProof(oldSize: from, newSize: n)
                printJSON(ConsistencyProof(size1: UInt64(from), size2: UInt64(n), hashes: hashes.map(\.bytes)).json)
            }
        }
    }

    struct VerifyProof: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Verify a proof offline against signed checkpoints.",
            discussion: "Takes the JSON proofs of `proof inclusion`/`proof consistency` or a tlog-proof bundle. Roots come only from checkpoints signed by --vkey.")
        @Option(help: "The log's vkey.") var vkey: String
        @Option(help: "Signed checkpoint (the newer one, for consistency).") var checkpoint: String?
        @Option(name: .customLong("old-checkpoint"), help: "Signed older checkpoint (consistency proofs).") var oldCheckpoint: String?
        @Option(help: "Proof file.") var proof: String
        @Option(help: "Leaf bytes file (as printed by `ledger entry --raw`).") var leaf: String?
        @Flag(help: "JSON output.") var json = false

        func run() throws {
            try LedgerCLI.run {
                let logKey = try NoteVerifierKey(parsing: vkey)
                // Sizes and indices come from the input: they are checked against the JSON
                // integer range before any conversion, so that none can trap.
                func checked(_ v: UInt64, _ what: String) throws -> Int64 {
                    guard v <= UInt64(JSONValue.maxSafeInteger), let i = Int64(exactly: v) else {
                        throw LedgerError.malformed(
                            "\(what) \(v) is over 2^53 − 1, the largest size a proof may have")
                    }
                    return i
                }
                let text = try readText(proof)
                var result: [String: JSONValue] = ["valid": true]
                if text.hasPrefix(TlogProof.header) {
                    let tp = try TlogProof(parsing: text)
                    let cp = try SignedCheckpoint(parsing: tp.checkpoint.serialized, logKey: logKey)
                    let index = try checked(tp.index, "tlog-proof index")
                    let treeSize = try checked(cp.checkpoint.size, "checkpoint size")
                    guard let leaf else { throw LedgerError.malformed("a tlog-proof needs --leaf to know which leaf it proves") }
                    let lh = MerkleHash.leaf(try LedgerFiles.read(leaf))
                    try ProofVerifier.verifyInclusion(index: tp.index, treeSize: cp.checkpoint.size, leafHash: lh, proof: tp.hashes, root: cp.checkpoint.root)
                    result["type"] = "inclusion"
                    result["index"] = .integer(index)
                    result["treeSize"] = .integer(treeSize)
                } else {
                    let v = try parseUserJSON(text, what: proof)
                    guard let checkpoint else { throw LedgerError.malformed("--checkpoint is required") }
                    let cp = try SignedCheckpoint(parsing: try readText(checkpoint), logKey: logKey)
                    _ = try checked(cp.checkpoint.size, "checkpoint size")
                    if v["leafHash"] != nil {
                        let p = try InclusionProof(json: v)
                        guard p.treeSize == cp.checkpoint.size else {
                            throw LedgerError.proofInvalid("proof is for tree size \(p.treeSize) but the checkpoint has size \(cp.checkpoint.size)")
                        }
                        if let leaf {
                            let lh = MerkleHash.leaf(try LedgerFiles.read(leaf))
                            guard lh == p.leafHash else { throw LedgerError.proofInvalid("leaf file hashes to \(lh.base64), not the proof's leafHash \(p.leafHash.base64)") }
                        }
                        try p.verify(root: cp.checkpoint.root)
                        result["type"] = "inclusion"
                        result["index"] = .integer(try checked(p.index, "index"))
                        result["treeSize"] = .integer(try checked(p.treeSize, "treeSize"))
                    } else {
                        let p = try ConsistencyProof(json: v)
                        guard let oldCheckpoint else { throw LedgerError.malformed("a consistency proof needs --old-checkpoint") }
                        let old = try SignedCheckpoint(parsing: try readText(oldCheckpoint), logKey: logKey)
                        _ = try checked(old.checkpoint.size, "old checkpoint size")
                        guard p.size1 == old.checkpoint.size, p.size2 == cp.checkpoint.size else {
                            throw LedgerError.proofInvalid("proof is from \(p.size1) to \(p.size2) but the checkpoints have sizes \(old.checkpoint.size) and \(cp.checkpoint.size)")
                        }
                        try p.verify(root1: old.checkpoint.root, root2: cp.checkpoint.root)
                        result["type"] = "consistency"
                        result["size1"] = .integer(try checked(p.size1, "size1"))
                        result["size2"] = .integer(try checked(p.size2, "size2"))
                    }
                }
                if json { printJSON(.object(result)) } else { out("proof OK") }
            }
        }
    }
}
