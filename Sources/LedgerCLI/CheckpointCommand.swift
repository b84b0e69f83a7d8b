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

        func validate() throws {
            if sign, key == nil { throw ValidationError("--sign needs --key") }
            if sign && attach != nil { throw ValidationError("--sign and --attach are exclusive") }
            if !witness.isEmpty && attach == nil { throw ValidationError("--witness needs --attach") }
        }

        func run() throws {
            try LedgerCLI.run {
                let ledger = try Ledger<RulesInUse>(directory: dir, clock: logClock())
                if sign {
                    let cp = try ledger.signCheckpoint(key: try loadPrivateKey(key!))
                    out(cp.note.serialized, terminator: "")
                } else if let attach {
                    let witnesses = try CosignatureOutput.witnessKeys(witness)
                    let cp = try ledger.attach(try readText(attach), witnesses: witnesses)
                    out(cp.note.serialized, terminator: "")
                } else {
                    out(try ledger.checkpoint(size: size).note.serialized, terminator: "")
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

        func run() throws {
            try LedgerCLI.run {
                let witness = Witness(key: try loadPrivateKey(key), stateDirectory: state)
                let logKey = try NoteVerifierKey(parsing: vkey)
                var cp: ConsistencyProof?
                if let proof { cp = try ConsistencyProof(json: try parseUserJSON(try readText(proof), what: proof)) }
                let now = UInt64(logClock()().secondsSinceEpoch)
                let note = try witness.cosign(try readText(checkpointFile), logKey: logKey, proof: cp, time: now)
                out(note.serialized, terminator: "")
            }
        }
    }
}
