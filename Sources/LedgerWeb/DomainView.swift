import Consensus
import LedgerCore
import LedgerCrypto
import LedgerServer
import Synchronization

/// The negotiation state that the JSON API and the dashboard show: the consensus engine's
/// replay of exactly the entries that the published (signed, root-checked) checkpoint covers.
///
/// Nothing is shown that no signed checkpoint commits to, so what a browser sees is what an
/// auditor can prove. The state is brought up to date when the published checkpoint changes
/// and shared by every request until the next change.
///
/// **Incremental.** A new checkpoint that extends the one the state was computed for (the
/// published tree has the old root at the old size, as ``PublishedLog`` requires) costs a
/// replay of its new entries only, applied to the previous state through ``Replay``; anything
/// else is replayed from entry 0. Every line replayed must hash to the leaf hash the
/// published tree holds for it: bytes the published checkpoint does not cover are never
/// applied (a line changed since ``PublishedLog`` checked it stops the update, and the
/// previous state stays in use).
package final class DomainView<Store: LedgerStore>: Sendable {
    package let ledger: StoreLedger<NegotiationRules, Store>
    package let log: PublishedLog<Store>
    /// Now, for the states that depend on time (lapsed, days in state, deadlines): the log
    /// clock (`ledger serve` honours `LEDGER_NOW`, as the CLI does).
    package let clock: @Sendable () -> Timestamp
    private let cache = Mutex<Snapshot?>(nil)
    /// Held while a snapshot is computed, so that concurrent requests compute it once.
    private let computing = Mutex<Void>(())
    /// Entries replayed so far, over all updates (what an update cost: see the tests).
    private let replayed = Atomic<Int64>(0)

    /// The negotiation state at one published checkpoint.
    package struct Snapshot: Sendable {
        /// The published checkpoint and tree the state covers.
        package let published: PublishedLog<Store>.View
        /// The consensus engine's state after the first ``size`` entries.
        package let state: NegotiationRules

        /// The published checkpoint's size: the number of entries the state covers.
        package var size: Int64 { published.size }
        /// The published checkpoint note, with its cosignatures.
        package var checkpointText: String { published.checkpointText }
    }

    package init(
        ledger: StoreLedger<NegotiationRules, Store>, log: PublishedLog<Store>,
        clock: @escaping @Sendable () -> Timestamp = { .now() }
    ) {
        self.ledger = ledger
        self.log = log
        self.clock = clock
    }

    /// The number of entries replayed so far by all the updates of this view.
    package var entriesReplayed: Int64 { replayed.load(ordering: .relaxed) }

    /// The state at the checkpoint published now (computed once per checkpoint).
    package func snapshot() throws(LedgerError) -> Snapshot {
        let view = log.view
        if let s = cache.withLock({ $0 }), Self.isCurrent(s, view) { return s }
        return try computing.withLock { _ throws(LedgerError) -> Snapshot in
            let previous = cache.withLock { $0 }
            if let s = previous, Self.isCurrent(s, view) { return s }
            let s = Snapshot(published: view, state: try state(at: view, after: previous))
            cache.withLock { $0 = s }
            return s
        }
    }

    private static func isCurrent(_ s: Snapshot, _ view: PublishedLog<Store>.View) -> Bool {
        s.size == view.size && s.checkpointText == view.checkpointText
    }

    /// The state after the entries `view` covers: `previous`'s state with the new entries
    /// applied when `view` extends it, else a replay from entry 0.
    private func state(at view: PublishedLog<Store>.View, after previous: Snapshot?) throws(LedgerError)
        -> NegotiationRules
    {
        if let previous, try extends(view, previous.published) {
            if previous.size == view.size { return previous.state }
            return try replay(from: previous.size, to: view.size, onto: previous.state, tree: view)
        }
        return try replay(from: 0, to: view.size, onto: NegotiationRules(), tree: view)
    }

    /// Whether `view`'s tree holds `old`'s tree as its prefix (the same root at its size).
    private func extends(_ view: PublishedLog<Store>.View, _ old: PublishedLog<Store>.View) throws(LedgerError)
        -> Bool
    {
        guard old.size <= view.size else { return false }
        guard let root = old.checkpoint?.checkpoint.root else { return old.size == 0 }
        return try view.tree.root(treeSize: old.size) == root
    }

    /// Applies entries `from..<to` to `state` through the replay loop, each line checked
    /// against the leaf hash of `view`'s tree before the rules see it.
    private func replay(
        from: Int64, to: Int64, onto state: NegotiationRules, tree view: PublishedLog<Store>.View
    ) throws(LedgerError) -> NegotiationRules {
        let store = ledger.store
        var replay = Replay<NegotiationRules>(checks: [], rules: state)
        try store.forEachChunk(from: from, to: to) { first, lines throws(LedgerError) in
            for (k, line) in lines.enumerated() {
                try replay.apply(
                    line, at: first + Int64(k),
                    willApply: { step, _ throws(LedgerError) in
                        try Self.check(step.leafHash, of: step.index, in: view, store: store)
                    })
            }
        }
        replayed.add(to - from, ordering: .relaxed)
        return replay.rules
    }

    /// Throws unless `leafHash` (of a line just read) is the leaf hash of entry `index` in the
    /// published tree of `view`.
    static func check(
        _ leafHash: Digest, of index: Int64, in view: PublishedLog<Store>.View, store: Store
    ) throws(LedgerError) {
        guard index < view.size,
            view.tree.reader.storedHash(at: StoredHashIndex.index(level: 0, n: index)) == leafHash
        else {
            throw .chainBroken(
                "\(store.names.entries) changed after the server checked it against checkpoint \(view.size); "
                    + store.repairAdvice)
        }
    }

    /// Entry `index` of `snapshot`'s published prefix, read from the store and checked against
    /// the published tree's leaf hash.
    package func publishedEntry(_ index: Int64, in snapshot: Snapshot) throws(LedgerError) -> Entry {
        do throws(LedgerError) {
            let leaf = try ledger.store.leaf(index)
            try Self.check(MerkleHash.leaf(leaf), of: index, in: snapshot.published, store: ledger.store)
            return try Entry(leaf: leaf)
        } catch { throw error.prefixed("entry \(index): ") }
    }
}
