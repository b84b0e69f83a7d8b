import Foundation
import LedgerCore
import Testing

/// `FileStore.refresh()` runs in a server both on readers (the published log's refresh) and
/// on the writer (under the lock, and after each append): a refresh that read an older commit
/// record and finishes last must not make the store go back to it.
@Suite struct ConcurrentRefreshTests {
    @Test func aRefreshThatReadAnOlderCommitNeverUndoesANewerOne() throws {
        let fx = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: fx.dir) }
        let store = fx.ledger.store
        // What a slow refresh read before the appends below.
        let stale = store.snapshot
        _ = try fx.ledger.append([try fx.note("one"), try fx.note("two")])
        let size = store.size
        let commit = store.snapshot.commit
        #expect(size == stale.size + 2)
        // The slow refresh now installs what it read: nothing changes.
        store.install(stale)
        #expect(store.size == size, "the store went back to an older commit")
        #expect(store.snapshot.commit == commit)
        #expect(store.committedEnd > stale.committedEnd)
        // A refresh that read the same or a newer commit is installed.
        try store.refresh()
        #expect(store.size == size)
        _ = try fx.ledger.append([try fx.note("three")])
        #expect(try Ledger<CoreRules>(directory: fx.dir).size == size + 1)
    }
}
