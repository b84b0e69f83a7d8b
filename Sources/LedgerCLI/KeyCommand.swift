import ArgumentParser
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate and show note keys; register and revoke ledger signers.",
            subcommands: [Generate.self, Show.self, Register.self, Revoke.self]
        )
    }
}

extension LedgerCommand.Key {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new Ed25519 key (Go note signer-key format, mode 0600) and print its vkey last.")

        @Option(help: "Key name (the origin, for a log key). No '+' and no spaces.") var name: String
        @Option(help: "Where to write the private key. Refuses to overwrite.", completion: .file()) var out: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                guard name.utf8.count <= Authority.maxKeyNameBytes else {
                    throw LedgerError.malformed(
                        "--name: \(name.utf8.count) bytes, over the \(Authority.maxKeyNameBytes)-byte key name limit")
                }
                let key = try NoteSignerKey.generate(name: name)
                try LedgerFiles.writePrivateKey(key, to: out)
                if output.json {
                    printJSON([
                        "file": .string(self.out), "vkey": .string(key.verifierKey.description),
                        "cosignerVkey": .string(key.cosignerKey.description),
                    ])
                } else {
                    LedgerCLI.out("wrote \(self.out) (mode 0600)")
                    LedgerCLI.out(key.verifierKey.description)
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a key file's vkey (type 0x01), or its cosigner vkey (0x04).")

        @Argument(help: "Private key file.", completion: .file()) var keyFile: String
        @Flag(help: "Print the tlog-cosignature (type 0x04) vkey instead.") var cosigner = false
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let key = try loadPrivateKey(keyFile)
                if output.json {
                    // The same fields as `key generate --json`, without the file written.
                    printJSON([
                        "file": .string(keyFile), "vkey": .string(key.verifierKey.description),
                        "cosignerVkey": .string(key.cosignerKey.description),
                    ])
                } else {
                    out((cosigner ? key.cosignerKey : key.verifierKey).description)
                }
            }
        }
    }

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a signer key (operator only).")
        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Option(help: "The operator's private key file.", completion: .file()) var key: String
        @Option(help: "The vkey to register.") var vkey: String
        @Option(help: "A role to record with the key.") var role: String?
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func run() throws {
            try LedgerCLI.run {
                var body: [String: JSONValue] = ["vkey": .string(try KeyArguments.vkey(vkey))]
                if let role { body["role"] = .string(role) }
                try appendOne(
                    dir: dir, keyFile: key, kind: "key.register", body: .object(body), json: output.json, remote: remote
                )
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a signer key (operator only).")
        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Option(help: "The operator's private key file.", completion: .file()) var key: String
        @Option(help: "The vkey to revoke.") var vkey: String
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func run() throws {
            try LedgerCLI.run {
                try appendOne(
                    dir: dir, keyFile: key, kind: "key.revoke", body: ["vkey": .string(try KeyArguments.vkey(vkey))],
                    json: output.json, remote: remote)
            }
        }
    }
}

/// Signs one statement with `keyFile` and appends it; prints the index (or JSON).
@discardableResult
func appendOne(
    dir: String, keyFile: String, kind: String, body: JSONValue, json: Bool,
    remote: RemoteWriteOptions = RemoteWriteOptions()
) throws
    -> Ledger<RulesInUse>.Appended
{
    let result = try ConsensusCLI.append(dir, kind: kind, body: body, keyFile: keyFile, remote: remote)
    printAppended([result], json: json)
    return result
}

func printAppended(_ results: [Ledger<RulesInUse>.Appended], json: Bool) {
    if json {
        if results.count == 1 {
            printJSON(["index": .integer(Int64(results[0].index)), "leafHash": .string(results[0].leafHash.base64)])
        } else {
            printJSON(
                .array(results.map { ["index": .integer(Int64($0.index)), "leafHash": .string($0.leafHash.base64)] }))
        }
    } else {
        for r in results { out(String(r.index)) }
    }
}
