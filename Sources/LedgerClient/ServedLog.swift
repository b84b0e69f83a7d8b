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

    /// The operator key that the served genesis entry names: trust on first use, for a client
    /// given no log key. The checkpoint must then be checked under it (``checked(by:)``), and
    /// the audit or the mirror checks that entry 0 is what the checkpoint commits to.
    package func genesisOperatorKey() async throws(LedgerError) -> NoteVerifierKey {
        guard size > 0 else { throw .notFound("\(client.baseURL): the served log has no entries yet") }
        return try genesisOperatorKey(entry0: try await entries(0..<1)[0])
    }

    /// As ``genesisOperatorKey()``, from entry 0 already fetched.
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
    package func entries(_ range: Range<Int64>) async throws(LedgerError) -> [[UInt8]] {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw .notFound("entries \(range) are not all covered by the checkpoint of size \(size)")
        }
        let tiles = TileName.tiles(covering: range, size: size)
        var bundles = [[[UInt8]]](repeating: [], count: tiles.count)
        do {
            try await withThrowingTaskGroup(of: (Int, [[UInt8]]).self) { group in
                var next = 0
                func start() {
                    let k = next
                    let tile = tiles[k]
                    group.addTask { (k, try await client.entryBundle(index: tile.index, width: tile.width)) }
                    next += 1
                }
                while next < min(tiles.count, ServedLog.bundlesInFlight) { start() }
                while let (k, bundle) = try await group.next() {
                    bundles[k] = bundle
                    if next < tiles.count { start() }
                }
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .io("\(client.baseURL): \(error)")
        }
        var out = [[UInt8]]()
        out.reserveCapacity(range.count)
        for (k, tile) in tiles.enumerated() {
            let first = tile.index * 256
            for (j, entry) in bundles[k].enumerated() where range.contains(first + Int64(j)) { out.append(entry) }
        }
        return out
    }
}
