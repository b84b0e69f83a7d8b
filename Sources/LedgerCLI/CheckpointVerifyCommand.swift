import ArgumentParser
import LedgerCore
import LedgerCrypto

extension LedgerCommand.CheckpointCommand {
    struct VerifyCheckpoint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check a checkpoint alone, offline: its form, the log's signature and witness cosignatures.",
            discussion: "Checks the note against C2SP tlog-checkpoint, that every signature line by the log key "
                + "verifies (the origin must be the key's name), and that every line by a --witness key is a valid "
                + "tlog-cosignature/v1; prints origin, size, root and each cosignature with its time in RFC 3339.")

        @Argument(help: "Checkpoint note file.") var file: String
        @Option(help: "The log's vkey.") var vkey: String
        @Option(
            parsing: .singleValue,
            help: ArgumentHelp(
                "A witness vkey whose cosignatures are checked and counted (repeatable; a 0x01 vkey stands for "
                    + "its 0x04 key)."))
        var witness: [String] = []
        @Option(
            name: .customLong("min-cosignatures"),
            help: "Valid cosignatures by distinct --witness keys the checkpoint must carry.")
        var minCosignatures = 0
        @OptionGroup var output: OutputOptions

        func validate() throws {
            try CosignatureOutput.validate(minCosignatures: minCosignatures, witnesses: witness)
        }

        func run() throws {
            try LedgerCLI.run {
                let logKey = try KeyArguments.verifierKey(vkey)
                let witnesses = try CosignatureOutput.witnessKeys(witness)
                let verifier = CheckpointProofVerifier(
                    logKey: logKey, witnesses: witnesses, minCosignatures: minCosignatures)
                let text = try FileKind.readText(file, expecting: [.checkpoint], noun: "a checkpoint")
                let (signed, set): (SignedCheckpoint, CosignatureSet)
                do { (signed, set) = try verifier.checkCheckpoint(text) } catch let e as LedgerError {
                    throw e.prefixed("\(file): ")
                }
                let cp = signed.checkpoint
                guard let size = Int64(exactly: cp.size), size <= JSONValue.maxSafeInteger else {
                    throw LedgerError.malformed("\(file): checkpoint size \(cp.size) is over 2^53 − 1")
                }
                // Lines by neither the log key nor a witness key given: not checked.
                let known = [logKey] + CosignaturePolicy.cosignerKeys(witnesses, logKey: nil)
                let unchecked = signed.note.signatures.enumerated().filter { _, s in
                    !known.contains { $0.name == s.name && $0.keyID == s.keyID }
                }
                if output.json {
                    var o: [String: JSONValue] = [
                        "valid": true, "origin": .string(cp.origin), "size": .integer(size),
                        "root": .string(cp.root.base64), "extensions": .array(cp.extensions.map { .string($0) }),
                        "logKey": .string(logKey.description), "cosignatures": CosignatureOutput.json(set),
                        "uncheckedSignatures": .array(
                            unchecked.map { i, s in ["line": .integer(Int64(i + 1)), "signer": .string(s.label)] }),
                    ]
                    if !witnesses.isEmpty {
                        o["counted"] = .integer(Int64(set.counted.count))
                        o["minCosignatures"] = .integer(Int64(minCosignatures))
                    }
                    printJSON(.object(o))
                    return
                }
                var lines = [
                    "checkpoint OK: signed by the log key \(logKey.label)",
                    "origin: \(escapedForMessage(cp.origin))",
                    "size:   \(cp.size)",
                    "root:   \(cp.root.base64)",
                ]
                lines += cp.extensions.map { "extension: \(escapedForMessage($0))" }
                lines += CosignatureOutput.lines(set)
                lines += unchecked.map { i, s in
                    "signature line \(i + 1): \(escapedForMessage(s.label)), not checked (no --witness key for it)"
                }
                if !witnesses.isEmpty {
                    lines.append("cosignatures counted: \(set.counted.count) (\(minCosignatures) required)")
                }
                out(lines.joined(separator: "\n"))
            }
        }
    }
}
