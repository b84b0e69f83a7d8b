import ArgumentParser
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    /// `ledger checkpoint`: `ledger checkpoint DIR …` (``Stored``, the default) works on a
    /// ledger's stored checkpoints; `ledger checkpoint verify FILE …` checks one alone.
    struct CheckpointCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            abstract: "Sign, print, attach cosignatures to, or verify C2SP tlog-checkpoint notes.",
            discussion: "`ledger checkpoint DIR ...` is `ledger checkpoint stored DIR ...`; a ledger directory named "
                + "like a subcommand is given as ./NAME.",
            subcommands: [Stored.self, VerifyCheckpoint.self], defaultSubcommand: Stored.self)
    }
}

extension LedgerCommand.CheckpointCommand {
    struct Stored: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign, print or attach cosignatures to a ledger's stored checkpoints (the default).")

        @Argument(help: "Ledger directory.") var dir: String
        @Flag(help: "Sign, store and print a checkpoint of the current size.") var sign = false
        @Option(help: "Operator key file (with --sign).") var key: String?
        @Option(help: "Print the stored checkpoint of this size (default: the latest).") var size: UInt64?
        @Option(help: "A cosigned checkpoint note whose cosignatures to store.") var attach: String?
        @Option(
            parsing: .singleValue,
            help: ArgumentHelp(
                "A witness vkey whose cosignatures --attach accepts, besides the keys registered with role witness "
                    + "(repeatable; a 0x01 vkey stands for its 0x04 cosigner key)."))
        var witness: [String] = []
        @Flag(help: "Print the checkpoint as JSON: origin, size, root (base64) and the note itself.") var json = false

        func validate() throws {
            if sign, key == nil { throw ValidationError("--sign needs --key") }
            if sign && attach != nil { throw ValidationError("--sign and --attach are exclusive") }
            if !witness.isEmpty && attach == nil { throw ValidationError("--witness needs --attach") }
        }

        func run() throws {
            try LedgerCLI.run {
                let ledger = try Ledger<RulesInUse>(directory: dir, clock: logClock())
                let cp: SignedCheckpoint
                if sign {
                    cp = try ledger.signCheckpoint(key: try loadPrivateKey(key!))
                } else if let attach {
                    let witnesses = try CosignatureOutput.witnessKeys(witness)
                    let text = try FileKind.readText(attach, expecting: [.checkpoint], noun: "a checkpoint")
                    cp = try ledger.attach(text, witnesses: witnesses)
                } else {
                    cp = try ledger.checkpoint(size: size)
                }
                if json {
                    printJSON([
                        "origin": .string(cp.checkpoint.origin), "size": .integer(Int64(cp.checkpoint.size)),
                        "root": .string(cp.checkpoint.root.base64), "note": .string(cp.note.serialized),
                    ])
                } else {
                    out(cp.note.serialized, terminator: "")
                }
            }
        }
    }

}

extension LedgerCommand {
    struct Cosign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cosign a checkpoint as a witness (C2SP tlog-cosignature/v1), offline.",
            discussion:
                "Verifies the log's signature first. With --state, refuses a checkpoint smaller than or inconsistent "
                + "with the last one this witness cosigned; give a consistency proof with --proof."
        )

        @Argument(help: "Checkpoint note file.") var checkpointFile: String
        @Option(help: "Witness private key file.") var key: String
        @Option(help: "The log's vkey.") var vkey: String
        @Option(help: "Witness state directory (last cosigned checkpoint per log).") var state: String?
        @Option(help: "Consistency proof JSON from the last cosigned size.") var proof: String?
        @Flag(help: "Print JSON: the cosigned note, the witness key's name and the cosignature's time.")
        var json = false

        func run() throws {
            try LedgerCLI.run {
                let witness = Witness(key: try loadPrivateKey(key), stateDirectory: state)
                let logKey = try NoteVerifierKey(parsing: vkey)
                var cp: ConsistencyProof?
                if let proof {
                    let text = try FileKind.readText(proof, expecting: [.jsonProof], noun: "a consistency proof")
                    cp = try ConsistencyProof(json: try parseUserJSON(text, what: proof))
                }
                let now = UInt64(logClock()().secondsSinceEpoch)
                let text = try FileKind.readText(checkpointFile, expecting: [.checkpoint], noun: "a checkpoint")
                let note = try witness.cosign(text, logKey: logKey, proof: cp, time: now)
                if json {
                    printJSON([
                        "note": .string(note.serialized), "witness": .string(witness.key.verifierKey.name),
                        "time": .integer(Int64(now)),
                        "timeRFC3339": .string(CosignaturePolicy.timeText(now)),
                    ])
                } else {
                    out(note.serialized, terminator: "")
                }
            }
        }
    }
}
