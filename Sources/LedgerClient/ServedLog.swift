import LedgerCore
import LedgerCrypto

/// A served log's checkpoint, checked, and the entries it covers, fetched and checked
/// against it: what `ledger verify|sync|watch URL` and the writes to a URL build on.
package struct ServedLog: Sendable {
    package let client: LogClient
    /// The served checkpoint note, byte for byte.
    package let checkpointText: String
    /// The parsed checkpoint; its log signature is checked when a log key was given.
    package let checkpoint: SignedCheckpoint

    /// The tree size the checkpoint commits to.
    package var size: Int64 { Int64(checkpoint.checkpoint.size) }

    /// Fetches `/checkpoint` and, when `logKey` is given, checks its signature (every line
    /// under the key must verify; the origin must be the key's name).
    package static func fetch(_ client: LogClient, logKey: NoteVerifierKey?) async throws(LedgerError) -> ServedLog {
        let text = try await client.checkpointText()
        let checkpoint: SignedCheckpoint
        do throws(LedgerError) { checkpoint = try SignedCheckpoint(parsing: text, logKey: logKey) } catch {
            throw error.prefixed("\(client.baseURL)/checkpoint: ")
        }
        guard checkpoint.checkpoint.size <= UInt64(Int64.max) else {
            throw .malformed("\(client.baseURL)/checkpoint: size \(checkpoint.checkpoint.size) is out of range")
        }
        return ServedLog(client: client, checkpointText: text, checkpoint: checkpoint)
    }

    /// A served log whose checkpoint is checked under the log key, and the entries fetched to
    /// learn that key.
    package struct Checked: Sendable {
        package let log: ServedLog
        package let logKey: NoteVerifierKey
        /// Without a given key: the first bundle's entries (entry 0 first), fetched for the
        /// genesis key; not yet checked against the root.
        package let firstEntries: [[UInt8]]
    }

    /// Fetches `/checkpoint` and checks its signature before anything else is fetched: under
    /// `logKey` when given; otherwise under the operator key of the served genesis entry (trust
    /// on first use), read from the first entry bundle alone, so that a checkpoint the log key
    /// did not sign never makes a client fetch the entries it claims.
    package static func fetchChecked(_ client: LogClient, logKey: NoteVerifierKey?) async throws(LedgerError)
        -> Checked
    {
        let served = try await fetch(client, logKey: logKey)
        if let logKey { return Checked(log: served, logKey: logKey, firstEntries: []) }
        return try await served.checkedOnFirstUse()
    }

    /// This checkpoint checked under the operator key of the served genesis entry (trust on
    /// first use), fetching the first entry bundle and nothing else.
    package func checkedOnFirstUse() async throws(LedgerError) -> Checked {
        guard size > 0 else { throw .notFound("\(client.baseURL): the served log has no entries yet") }
        let first = try await entries(0..<min(256, size))
        let key = try genesisOperatorKey(entry0: first[0])
        return Checked(log: try checked(by: key), logKey: key, firstEntries: first)
    }

    package init(client: LogClient, checkpointText: String, checkpoint: SignedCheckpoint) {
        self.client = client
        self.checkpointText = checkpointText
        self.checkpoint = checkpoint
    }

    /// The served log with its checkpoint's signature checked under `logKey`.
    package func checked(by logKey: NoteVerifierKey) throws(LedgerError) -> ServedLog {
        do throws(LedgerError) {
            return ServedLog(
                client: client, checkpointText: checkpointText,
                checkpoint: try SignedCheckpoint(parsing: checkpointText, logKey: logKey))
        } catch {
            throw error.prefixed("\(client.baseURL)/checkpoint: ")
        }
    }

    /// The operator key that the served genesis entry `line` (entry 0) names: trust on first
    /// use, for a client given no log key (``checkedOnFirstUse()``). The audit or the mirror
    /// then checks that entry 0 is what the checkpoint commits to.
    package func genesisOperatorKey(entry0 line: [UInt8]) throws(LedgerError) -> NoteVerifierKey {
        do throws(LedgerError) {
            let entry = try Entry(leaf: line)
            guard entry.statement.kind == "genesis", let key = entry.statement.body["operator"]?.stringValue else {
                throw .malformed("entry 0 is not a genesis entry naming the operator key")
            }
            return try NoteVerifierKey(parsing: key)
        } catch {
            throw error.prefixed("\(client.baseURL): entry 0: ")
        }
    }

    /// How many entry bundles are fetched at once.
    package static let bundlesInFlight = 8

    /// Entries `range` (within the checkpoint) as the served bundles hold them, fetching up
    /// to ``bundlesInFlight`` bundles at once. Unchecked: the caller hashes them.
    ///
    /// Nothing is allocated in proportion to the range or to the size the checkpoint claims:
    /// bundles are asked for one after another (``bundlesInFlight`` at a time) and what is kept
    /// grows only with what the server actually sent. A bundle the server does not have (a
    /// checkpoint claiming more entries than its tiles hold) stops it with `.notFound`.
    package func entries(_ range: Range<Int64>) async throws(LedgerError) -> [[UInt8]] {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw .notFound("entries \(range) are not all covered by the checkpoint of size \(size)")
        }
        guard !range.isEmpty else { return [] }
        let firstTile = range.lowerBound / 256
        let lastTile = (range.upperBound - 1) / 256
        let size = self.size
        let client = self.client
        var out = [[UInt8]]()
        do {
            try await withThrowingTaskGroup(of: (Int64, [[UInt8]]).self) { group in
                var next = firstTile
                func start() {
                    let t = next
                    let width = Int(min(256, size - t * 256))
                    group.addTask { (t, try await ServedLog.bundle(client, index: t, width: width, size: size)) }
                    next += 1
                }
                while next <= lastTile, next - firstTile < Int64(ServedLog.bundlesInFlight) { start() }
                // Bundles that came early, kept until their turn: at most `bundlesInFlight`.
                var early = [Int64: [[UInt8]]]()
                var emit = firstTile
                while let (t, bundle) = try await group.next() {
                    early[t] = bundle
                    while let ready = early.removeValue(forKey: emit) {
                        let first = emit * 256
                        for (j, entry) in ready.enumerated() where range.contains(first + Int64(j)) {
                            out.append(entry)
                        }
                        emit += 1
                    }
                    if next <= lastTile { start() }
                }
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .io("\(client.baseURL): \(error)")
        }
        return out
    }

    /// Entry bundle `index` of the tree of `size`; a `404` says that the checkpoint claims
    /// entries the server's tiles do not hold.
    static func bundle(_ client: LogClient, index: Int64, width: Int, size: Int64) async throws(LedgerError)
        -> [[UInt8]]
    {
        do throws(LedgerError) { return try await client.entryBundle(index: index, width: width) } catch {
            guard error.code == .notFound else { throw error }
            throw .notFound(
                "\(error.message): the checkpoint claims \(size) entries, but the server does not serve the "
                    + "bundle of entries \(index * 256)..<\(index * 256 + Int64(width))")
        }
    }
}
