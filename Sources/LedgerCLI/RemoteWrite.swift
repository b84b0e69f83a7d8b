import ArgumentParser
import Foundation
import LedgerClient
import LedgerCore
import LedgerCrypto
import Synchronization

/// The options every write command takes for a served log (its ledger argument a URL).
struct RemoteWriteOptions: ParsableArguments {
    @Option(help: "With a URL: save the log's receipt (a signed note) to this file.", completion: .file())
    var receipt: String?
    @Flag(help: "With a URL: wait for a checkpoint that covers the entry, and check its inclusion proof.")
    var wait = false
    @Option(
        name: .customLong("wait-timeout"),
        help: ArgumentHelp(
            "With --wait: the longest to wait for the proof after the server's reply, in seconds (1-3600; "
                + "default 600).",
            valueName: "seconds"))
    var waitTimeout: Int?
    @OptionGroup var logKey: LogKeyOptions

    /// The bounds of `--wait-timeout`, in seconds.
    static let waitTimeoutRange = 1...3600
    /// `--wait-timeout` when it is not given.
    static let defaultWaitTimeoutSeconds = 600

    /// How long `--wait` waits for the proof at most, in seconds.
    var waitTimeoutSeconds: Int { waitTimeout ?? Self.defaultWaitTimeoutSeconds }

    func validate() throws {
        guard let waitTimeout else { return }
        guard wait else {
            throw ValidationError("--wait-timeout bounds --wait: give --wait too, or drop --wait-timeout")
        }
        guard Self.waitTimeoutRange.contains(waitTimeout) else {
            throw ValidationError("--wait-timeout: \(waitTimeout) s is not between 1 and 3600 seconds")
        }
    }
}

/// `--log-vkey`, which every command that reads or writes a ledger given as a URL takes.
struct LogKeyOptions: ParsableArguments {
    @Option(
        name: .customLong("log-vkey"),
        help: ArgumentHelp(
            "With a URL: the log's verifier key (a vkey file or text) obtained independently; the served log must "
                + "be signed by it and its genesis must name it, or nothing is sent or shown. Without it the key is "
                + "trusted on first use: taken from the served genesis entry and printed on stderr to compare."))
    var logVkey: String?

    /// Records `--log-vkey` for ``RemoteLedger/directory(for:)``, which the commands call before
    /// they read these options (it is parsed there, so that a bad key is a one-line error).
    func validate() throws {
        if let logVkey {
            // A bad or private key is a usage error even where no ledger is read.
            // One line, as the same check gives where the key is used (not a usage error).
            if let problem = Self.problem(logVkey) {
                printError(problem)
                throw ExitCode(Exit.usage)
            }
        }
        RemoteLedger.pinnedLogKey.withLock { $0 = logVkey }
    }

    /// What is wrong with `key` as a `--log-vkey`, or nil.
    private static func problem(_ key: String) -> String? {
        do throws(LedgerError) {
            _ = try RemoteLedger.logKey(key)
            return nil
        } catch {
            return error.message
        }
    }

    /// Refuses `--log-vkey` when the command reads no ledger (`forum list` without DIR,
    /// `list diff` without `--ledger`): a key that checks nothing must not look like a check.
    func requireLedger(_ ledger: String?) throws {
        guard logVkey != nil, ledger == nil else { return }
        throw ValidationError("--log-vkey checks a ledger's key: give the ledger (DIR or URL), or drop --log-vkey")
    }
}

/// Writes to a served log: the state a command needs comes from a verified mirror of the log
/// in a private temporary directory (``MirrorSync``, removed when the process exits), the
/// statement is signed here (the key never leaves this machine), and it is submitted with
/// `POST <URL>/api/v1/entries` (specs/api.md).
enum RemoteLedger {
    /// The mirrors made by this process, by URL.
    private static let mirrors = Mutex<[String: String]>([:])
    /// `--log-vkey` as given (``RemoteWriteOptions``), or nil: trust on first use.
    static let pinnedLogKey = Mutex<String?>(nil)

    /// `dirOrURL` itself for a directory; for a URL, the directory of a verified mirror of the
    /// served log (synced once per process).
    static func directory(for dirOrURL: String) throws -> String {
        guard LogClient.isURL(dirOrURL) else {
            // With a directory the pin is checked too: a key given and silently ignored would
            // read as a check that passed.
            if let pinned = try pinnedLogKey.withLock({ $0 }).map(logKey(_:)) {
                let key = try Ledger<RulesInUse>(directory: dirOrURL).operatorKey()
                guard key == pinned else {
                    throw LedgerError.unauthorized(
                        "--log-vkey: \(dirOrURL) is the ledger of \(key.label), not of this key (nothing was done)")
                }
            }
            return dirOrURL
        }
        let client = try LogClient(url: dirOrURL)
        if let dir = mirrors.withLock({ $0[client.baseURL] }) { return dir }
        let dir = NSTemporaryDirectory() + "ledger-mirror-\(getpid())-\(UUID().uuidString)"
        let first = mirrors.withLock { all in
            defer { all[client.baseURL] = dir }
            return all.isEmpty
        }
        if first { atexit { RemoteLedger.removeMirrors() } }
        let pinned = try pinnedLogKey.withLock { $0 }.map(logKey(_:))
        let outcome: MirrorSync.Outcome
        do {
            outcome = try MirrorSync.run(client, directory: dir, logKey: pinned)
        } catch let fork as MirrorSync.Fork {
            throw fork.error
        } catch let error as LedgerError where pinned != nil && error.code != .io && error.code != .notFound {
            throw LedgerError.unauthorized(
                "--log-vkey: the served log is not the one of this key (nothing was sent or shown): \(error.message)")
        }
        if outcome.logKeyFromServer {
            let key = outcome.logKey
            printStderr(
                "ledger: note: \(client.baseURL): log key \(key.label) taken from the served genesis entry (trust on "
                    + "first use); compare it with the key the log's operator published: \(key.description); "
                    + "--log-vkey pins it\n")
        }
        return dir
    }

    /// `--log-vkey`: a vkey, or a file holding one (a private key, or its file, is refused).
    static func logKey(_ argument: String) throws(LedgerError) -> NoteVerifierKey {
        var text = try KeyArguments.vkey(argument, flag: "--log-vkey")
        if !text.contains("+") {
            guard FileManager.default.fileExists(atPath: text) else {
                throw .malformed("--log-vkey: \(argument) is neither a vkey (name+hex8+base64) nor a file")
            }
            do throws(LedgerError) { text = try StrictUTF8.decode(try LedgerFiles.read(text), what: text) } catch {
                throw error.prefixed("--log-vkey: ")
            }
        }
        do throws(LedgerError) {
            return try NoteVerifierKey(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            throw error.prefixed("--log-vkey: ")
        }
    }

    /// Removes the mirrors (at exit).
    static func removeMirrors() {
        for dir in mirrors.withLock({ $0.values }) { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// Submits `signed` to the served log at `url` (after ``directory(for:)`` read it, so its
    /// log key is known) and returns where the log put it. With `--wait`, the reply's inclusion
    /// proof is checked against a checkpoint signed by the log key, for the served entry that
    /// holds this statement.
    static func submit(_ url: String, _ signed: SignedStatement, options: RemoteWriteOptions) throws
        -> Ledger<RulesInUse>.Appended
    {
        let logKey = try Ledger<RulesInUse>(directory: try directory(for: url)).operatorKey()
        let client = try LogClient(url: url)
        let body = Array(signed.json.canonicalString.utf8)
        let path = "/api/v1/entries" + (options.wait ? "?wait=1" : "")
        let reply = try runBlocking { () async throws(LedgerError) in
            try await client.postJSON(path, body: body)
        }
        let endpoint = client.baseURL + path
        guard reply.status == 202 || reply.status == 201 else { throw refusal(reply, url: endpoint) }
        let accepted = try SubmissionReply(reply.body, url: endpoint)
        guard accepted.statementHash == signed.statement.hash else {
            throw LedgerError.malformed(
                "\(endpoint): the reply names statement \(accepted.statementHash.base64), not the one sent "
                    + "(\(signed.statement.hash.base64))")
        }
        if let file = options.receipt {
            guard let receipt = accepted.receipt else {
                throw LedgerError.malformed("\(endpoint): the reply has no receipt")
            }
            // Saved only when it is what it claims (``checkedReceipt``).
            _ = try checkedReceipt(receipt, accepted, of: signed, logKey, endpoint)
            try LedgerFiles.writeAtomically(Array(receipt.utf8), to: file)
        }
        if options.wait {
            // A 202 to `?wait=1`: the server stopped waiting (25 s, or it is shutting down)
            // before a checkpoint covered the entry. The statement is in the log: wait here.
            let proof =
                try accepted.proof
                ?? awaitProof(
                    accepted, of: signed, client, logKey, endpoint, timeoutSeconds: options.waitTimeoutSeconds)
            try checkInclusion(proof, of: signed, at: accepted.index, leafHash: accepted.leafHash, client, logKey)
        }
        // The log sets the entry's `prev` and time; until it is published only the index, the
        // leaf hash and the statement are known.
        let entry = Entry(index: UInt64(accepted.index), prev: .zero, time: signed.statement.time, signed: signed)
        return Ledger<RulesInUse>.Appended.submitted(
            index: UInt64(accepted.index), leafHash: accepted.leafHash, entry: entry)
    }

    /// The reply's receipt, when it is what it claims: signed by the log key, for this statement
    /// at the index and leaf hash of the reply.
    static func checkedReceipt(
        _ text: String, _ accepted: SubmissionReply, of signed: SignedStatement, _ logKey: NoteVerifierKey,
        _ endpoint: String
    ) throws(LedgerError) -> Receipt {
        let checked: Receipt
        do throws(LedgerError) {
            checked = try SignedReceipt(parsing: text, logKey: logKey).receipt
        } catch {
            throw error.prefixed("\(endpoint): the reply's receipt: ")
        }
        guard checked.statementHash == signed.statement.hash, checked.index == UInt64(accepted.index),
            checked.leafHash == accepted.leafHash
        else {
            throw .proofInvalid(
                "\(endpoint): the reply's receipt is for another statement, index or leaf than the reply's")
        }
        return checked
    }

    /// The proof of the submitted entry once a published checkpoint covers it: `GET /proof/<index>`
    /// once a second, until the receipt's include-by and 30 s more (60 s without a receipt that
    /// is the log's for this statement, index and leaf), and never more than `--wait-timeout`
    /// after the reply. Past include-by the log has broken its promise (exit 1, naming `ledger
    /// receipt check`); past the timeout it has not yet, and the command says so (exit 2).
    static func awaitProof(
        _ accepted: SubmissionReply, of signed: SignedStatement, _ client: LogClient, _ logKey: NoteVerifierKey,
        _ endpoint: String, timeoutSeconds: Int
    ) throws -> String {
        // Only a receipt that is the log's for this entry sets the deadline: any other could
        // end the wait at once with a false "broken promise", or hold it for its whole length.
        let includeBy = accepted.receipt.flatMap { try? checkedReceipt($0, accepted, of: signed, logKey, endpoint) }?
            .includeBy
        let promised = includeBy.map { $0.secondsSinceEpoch + 30 } ?? Timestamp.now().secondsSinceEpoch + 60
        // The timeout on the monotonic clock: a wall clock that steps does not stretch it.
        let timeout = ContinuousClock.now + .seconds(timeoutSeconds)
        printStderr(
            "ledger: note: \(endpoint): the reply came before a checkpoint covered entry \(accepted.index); waiting for "
                + "one" + (includeBy.map { " (the receipt promises inclusion by \($0.rfc3339))" } ?? "") + "\n")
        let path = "/proof/\(accepted.index)"
        while true {
            if let text = try proofIfCovered(client, path) { return text }
            let what = "\(client.baseURL + path): no published checkpoint covers entry \(accepted.index) "
            guard Timestamp.now().secondsSinceEpoch < promised else {
                throw LedgerError.proofInvalid(
                    what + (includeBy.map { "30 s after the receipt's include-by \($0.rfc3339)" } ?? "after 60 s")
                        + "; `ledger receipt check RECEIPT URL` gives the evidence")
            }
            let left = timeout - ContinuousClock.now
            guard left > .zero else {
                throw LedgerError.io(
                    what + "after \(timeoutSeconds) s of waiting (--wait-timeout); "
                        + (includeBy.map { "the receipt promises inclusion by \($0.rfc3339)" }
                            ?? "the reply has no receipt of the log's for this entry, so no promise")
                        + ": `ledger receipt check RECEIPT URL` tells later")
            }
            let secondsLeft = left / .seconds(1)
            Thread.sleep(forTimeInterval: min(1, secondsLeft))
        }
    }

    /// `GET path`'s body, or nil for a 404 (not covered yet).
    private static func proofIfCovered(_ client: LogClient, _ path: String) throws -> String? {
        let reply = try runBlocking { () async throws(LedgerError) -> LogClient.Reply? in
            do throws(LedgerError) { return try await client.get(path, maxBytes: 1 << 20) } catch {
                guard error.code == .notFound else { throw error }
                return nil
            }
        }
        return reply?.text
    }

    /// Checks a `c2sp.org/tlog-proof@v1` bundle for the served entry `index`: the entry (fetched
    /// from the log, under the proof's checkpoint) must hold `signed` and hash to `leafHash`, and
    /// the proof must lead from it to the checkpoint's root, signed by `logKey`.
    static func checkInclusion(
        _ text: String, of signed: SignedStatement, at index: Int64, leafHash: Digest, _ client: LogClient,
        _ logKey: NoteVerifierKey
    ) throws {
        let proof = try TlogProof(parsing: text)
        let checkpoint = try SignedCheckpoint(parsing: proof.checkpoint.serialized, logKey: logKey)
        // The reply's index and the proof's checkpoint come from the server: check them before
        // any arithmetic on them (an index of Int64.max, or a size beyond Int64, once trapped).
        guard proof.index == UInt64(index), UInt64(index) < checkpoint.checkpoint.size,
            checkpoint.checkpoint.size <= UInt64(Int64.max)
        else {
            throw LedgerError.proofInvalid(
                "the proof is for entry \(proof.index) of a tree of \(checkpoint.checkpoint.size), "
                    + "not for entry \(index) the reply names")
        }
        let log = ServedLog(client: client, checkpointText: proof.checkpoint.serialized, checkpoint: checkpoint)
        let leaf = try runBlocking { () async throws(LedgerError) in try await log.entries(index..<(index + 1)) }[0]
        let entry = try Entry(leaf: leaf)
        guard entry.signed.statement.hash == signed.statement.hash, MerkleHash.leaf(leaf) == leafHash,
            entry.index == UInt64(index), proof.index == UInt64(index)
        else {
            throw LedgerError.proofInvalid("served entry \(index) is not the statement submitted at that index")
        }
        _ = try CheckpointProofVerifier(logKey: logKey).check(.tlogProof(proof), leaf: leaf)
    }

    /// The error for a refusal: the problem's title, detail and rule (RFC 9457), one line.
    static func refusal(_ reply: LogClient.Reply, url: String) -> LedgerError {
        var text = "HTTP \(reply.status)"
        if let problem = try? JSONParser.parse(reply.body) {
            for key in ["title", "detail"] { if let s = problem[key]?.stringValue { text += ": " + s } }
            if let rule = problem["rule"]?.stringValue { text += " (rule \(rule))" }
        } else if let line = reply.text.split(separator: "\n").first {
            text += ": " + line.prefix(200)
        }
        if reply.status == 409, let at = reply.header("X-Log-Index") { text += "; it is entry \(at)" }
        let message = "\(url): \(text)"
        switch reply.status {
        case 400: return .malformed(message)
        case 401, 403: return .unauthorized(message)
        case 404: return .notFound(message + " (does this server take writes?)")
        case 409: return .replay(message)
        case 413: return .tooLarge(message)
        case 422: return .refused(message)
        default: return .io(message)
        }
    }
}

/// The JSON reply to `POST /api/v1/entries`: `index`, `leafHash`, `statementHash`, `receipt`,
/// and with `?wait=1` the `proof`.
struct SubmissionReply {
    let index: Int64
    let leafHash: Digest
    let statementHash: Digest
    let receipt: String?
    let proof: String?

    init(_ body: [UInt8], url: String) throws {
        guard let json = try? JSONParser.parse(body), let index = json["index"]?.integerValue, index >= 0,
            let leaf = json["leafHash"]?.stringValue.flatMap(Digest.init(base64:)),
            let statement = json["statementHash"]?.stringValue.flatMap(Digest.init(base64:))
        else {
            throw LedgerError.malformed("\(url): the reply is not the JSON the API promises (index, leafHash, …)")
        }
        self.index = index
        leafHash = leaf
        statementHash = statement
        receipt = json["receipt"]?.stringValue
        proof = json["proof"]?.stringValue
    }
}
