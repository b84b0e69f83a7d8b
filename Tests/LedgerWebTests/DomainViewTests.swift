import Consensus
import Foundation
import LedgerCore
import LedgerServer
import LedgerWeb
import Testing

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A copy of the sample ledger (ledger/) in a fresh temporary directory.
func sampleCopy(_ tag: String) throws -> String {
    let dir = NSTemporaryDirectory() + "mll-web-\(tag)-\(UUID().uuidString)"
    try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("ledger").path, toPath: dir)
    return dir
}

@Suite struct DomainViewTests {
    /// The view holds the state of exactly the entries the published checkpoint covers: after
    /// the checkpoint is cut back to an older size, the state is that of the older prefix.
    @Test func stateIsThatOfThePublishedCheckpoint() throws {
        let dir = try sampleCopy("domain")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ledger = try Ledger<NegotiationRules>(directory: dir)
        let log = try PublishedLog(ledger: ledger)
        let view = DomainView(ledger: ledger, log: log)
        let before = try view.snapshot()
        #expect(before.size == 0)
        #expect(before.state.proposals.isEmpty)
        try log.refresh()
        let published = try view.snapshot()
        #expect(published.size == log.view.size)
        #expect(published.size > 0)
        #expect(try published.state.proposals.count == ledger.state(upTo: published.size).proposals.count)
        #expect(!published.state.proposals.isEmpty)
        #expect(published.checkpointText == log.view.checkpointText)
    }
}
