import Consensus
import LedgerCore
import LedgerServer
import Synchronization

/// The negotiation state that the JSON API and the dashboard show: the consensus engine's
/// replay of exactly the entries that the published (signed, root-checked) checkpoint covers.
///
/// Nothing is shown that no signed checkpoint commits to, so what a browser sees is what an
/// auditor can prove. The state is recomputed when the published checkpoint changes and
/// shared by every request until the next change.
package final class DomainView<Store: LedgerStore>: Sendable {
    package let ledger: StoreLedger<NegotiationRules, Store>
    package let log: PublishedLog<Store>
    /// Now, for the states that depend on time (lapsed, days in state, deadlines): the log
    /// clock (`ledger serve` honours `LEDGER_NOW`, as the CLI does).
    package let clock: @Sendable () -> Timestamp
    private let cache = Mutex<Snapshot?>(nil)
    /// Held while a snapshot is computed, so that concurrent requests compute it once.
    private let computing = Mutex<Void>(())

    /// The negotiation state at one published checkpoint.
    package struct Snapshot: Sendable {
        /// The published checkpoint's size: the number of entries the state covers.
        package let size: Int64
        /// The published checkpoint note, with its cosignatures.
        package let checkpointText: String
        /// The consensus engine's state after the first `size` entries.
        package let state: NegotiationRules
    }

    package init(
        ledger: StoreLedger<NegotiationRules, Store>, log: PublishedLog<Store>,
        clock: @escaping @Sendable () -> Timestamp = { .now() }
    ) {
        self.ledger = ledger
        self.log = log
        self.clock = clock
    }

    /// The state at the checkpoint published now (computed once per checkpoint).
    package func snapshot() throws(LedgerError) -> Snapshot {
        let view = log.view
        if let s = cache.withLock({ $0 }), s.size == view.size, s.checkpointText == view.checkpointText { return s }
        return try computing.withLock { _ throws(LedgerError) -> Snapshot in
            if let s = cache.withLock({ $0 }), s.size == view.size, s.checkpointText == view.checkpointText {
                return s
            }
            let previous = cache.withLock { $0 }
            let state =
                previous?.size == view.size ? previous!.state : try ledger.state(upTo: view.size)
            let s = Snapshot(size: view.size, checkpointText: view.checkpointText, state: state)
            cache.withLock { $0 = s }
            return s
        }
    }
}
