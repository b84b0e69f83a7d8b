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
        @Option(help: "Tree size (default: the latest checkpoint's size for tlog-proof, else the log size).")
        var size: Int64?
        @Option(help: "Output format: json or tlog-proof.") var format: String = "json"
        @Flag(help: "JSON output: the same as --format json (the default).") var json = false

        func validate() throws {
            guard ["json", "tlog-proof"].contains(format) else {
                throw ValidationError("--format must be json or tlog-proof")
            }
            if json && format != "json" {
                throw ValidationError("--json means --format json; it cannot go with --format \(format)")
            }
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
                    out(
                        TlogProof(index: UInt64(index), hashes: hashes.map(\.bytes), checkpoint: cp.note).serialized,
                        terminator: "")
                    return
                }
                let n = size ?? store.size
                let hashes = try store.tree.inclusionProof(index: index, treeSize: n)
                printJSON(
                    InclusionProof(
                        index: UInt64(index), treeSize: UInt64(n), leafHash: store.leafHash(index),
                        hashes: hashes.map(\.bytes)
                    ).json)
            }
        }
    }

    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the consistency proof between two tree sizes.")
        @Argument(help: "Ledger directory.") var dir: String
        @Option(help: "Old tree size.") var from: Int64
        @Option(help: "New tree size (default: the log size).") var to: Int64?
        @Option(help: "Output format: json (the only one).") var format: String = "json"
        @Flag(help: "JSON output: the same as --format json (the default).") var json = false

        /// `--json` is the same as `--format json`; JSON is the only format a consistency proof has.
        var outputFormat: String { json ? "json" : format }

        func validate() throws {
            guard outputFormat == "json" else { throw ValidationError("--format must be json") }
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
            discussion: "Takes the JSON proofs of `proof inclusion`/`proof consistency` or a tlog-proof bundle. "
                + "Roots come only from checkpoints signed by --vkey. With --leaf, decodes the entry and checks "
                + "its statement's signature; --signer-vkey and --registry check the signer's key. Without "
                + "--leaf, an inclusion proof shows only that some leaf hash is in the tree.")
        @Option(help: "The log's vkey.") var vkey: String
        @Option(help: "Signed checkpoint (the newer one, for consistency).") var checkpoint: String?
        @Option(name: .customLong("old-checkpoint"), help: "Signed older checkpoint (consistency proofs).")
        var oldCheckpoint: String?
        @Option(help: "Proof file.") var proof: String
        @Option(help: "Leaf bytes file (as printed by `ledger entry --raw`): the entry is decoded and checked.")
        var leaf: String?
        @Option(
            name: .customLong("signer-vkey"), parsing: .singleValue,
            help: "A signer key you trust (repeatable): the entry must be signed by one of them (needs --leaf).")
        var signerVkey: [String] = []
        @Option(
            help: ArgumentHelp(
                "A copy of the ledger directory: the signer must have been registered, and not revoked, at the "
                    + "entry (its entries must hash to the checkpoint's root; needs --leaf).",
                valueName: "dir"))
        var registry: String?
        @Option(
            parsing: .singleValue,
            help: "A witness vkey whose cosignatures count (repeatable; a 0x01 vkey stands for its 0x04 key).")
        var witness: [String] = []
        @Option(
            name: .customLong("min-cosignatures"),
            help: "Valid cosignatures by distinct --witness keys the (newer) checkpoint must carry.")
        var minCosignatures = 0
        @Flag(help: "JSON output.") var json = false

        func validate() throws {
            if leaf == nil && !signerVkey.isEmpty { throw ValidationError("--signer-vkey needs --leaf") }
            if leaf == nil && registry != nil { throw ValidationError("--registry needs --leaf") }
            try CosignatureOutput.validate(minCosignatures: minCosignatures, witnesses: witness)
        }

        func run() throws {
            try LedgerCLI.run {
                let verifier = CheckpointProofVerifier(
                    logKey: try NoteVerifierKey(parsing: vkey), witnesses: try CosignatureOutput.witnessKeys(witness),
                    minCosignatures: minCosignatures)
                let signers = try signerVkey.map { v throws(LedgerError) in
                    do throws(LedgerError) { return try NoteVerifierKey(parsing: v) } catch {
                        throw .malformed("--signer-vkey: \(error.message)")
                    }
                }
                // Each file must be of its kind; one of another kind is named with what it looks like.
                let proofText = try FileKind.readText(proof, expecting: [.jsonProof, .tlogProof], noun: "a proof")
                let document: ProofDocument
                do { document = try ProofDocument(parsing: proofText) } catch let e as LedgerError {
                    throw e.prefixed("\(proof): ")
                }
                let leafBytes = try leaf.map { path in
                    let bytes = try LedgerFiles.read(path)
                    try FileKind.require([.leaf], noun: "a leaf", path: path, bytes: bytes)
                    return bytes
                }
                let readCheckpoint = { (path: String) in
                    try FileKind.readText(path, expecting: [.checkpoint], noun: "a checkpoint")
                }
                let outcome = try verifier.check(
                    document, checkpoint: try checkpoint.map(readCheckpoint),
                    oldCheckpoint: try oldCheckpoint.map(readCheckpoint), leaf: leafBytes)
                var result: [String: JSONValue] = ["valid": true]
                var lines = ["proof OK"]
                // Sizes were checked against the JSON integer range (2^53 − 1) by the verifier.
                switch outcome.verified {
                case .inclusion(let index, let treeSize):
                    result["type"] = "inclusion"
                    result["index"] = .integer(Int64(index))
                    result["treeSize"] = .integer(Int64(treeSize))
                    result["contentChecked"] = .bool(leafBytes != nil)
                    if let leafBytes {
                        let authority = try registry.map { dir throws(LedgerError) in
                            do throws(LedgerError) {
                                return try Ledger<RulesInUse>(directory: dir).authority(
                                    asOf: outcome.checkpoint.checkpoint)
                            } catch { throw error.prefixed("--registry \(dir): ") }
                        }
                        let proven = try ProvenEntry(
                            leaf: leafBytes, index: index, signerKeys: signers, registry: authority)
                        ProvenEntryOutput(proven: proven, registry: registry).add(to: &result, lines: &lines)
                    } else if let leafHash = outcome.leafHash {
                        result["leafHash"] = .string(leafHash.base64)
                        lines.append(
                            "note: the entry's content was not checked: this shows only that a leaf with hash "
                                + "\(leafHash.base64) is leaf \(index) of the tree of size \(treeSize); pass --leaf "
                                + "with its bytes (`ledger entry DIR \(index) --raw`) to decode and check the entry")
                    }
                case .consistency(let size1, let size2):
                    guard signers.isEmpty && registry == nil else {
                        throw LedgerError.malformed("--signer-vkey and --registry apply to an inclusion proof")
                    }
                    result["type"] = "consistency"
                    result["size1"] = .integer(Int64(size1))
                    result["size2"] = .integer(Int64(size2))
                }
                if !witness.isEmpty {
                    result["cosignatures"] = CosignatureOutput.json(outcome.cosignatures)
                    let counted = outcome.cosignatures.counted.count
                    lines += CosignatureOutput.lines(outcome.cosignatures)
                    lines.append("cosignatures counted: \(counted) (\(minCosignatures) required)")
                }
                if json { printJSON(.object(result)) } else { out(lines.joined(separator: "\n")) }
            }
        }
    }
}
