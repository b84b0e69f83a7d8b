import Foundation
import LedgerCore
import Testing

@testable import Consensus

@Suite struct StatusesTests {
    /// Statuses computed on every core are those computed on one, in the same order, and the
    /// one-pass stance counts agree with the ballot.
    @Test func statusesOnEveryCoreMatchOneCore() throws {
        let f = try DeterminismTests.scenario()
        defer { try? FileManager.default.removeItem(atPath: f.dir) }
        let state = try f.state
        let one = state.statuses(forum: nil, at: nil, perThread: Int.max)
        let all = state.statuses(forum: nil, at: nil, perThread: 1)
        #expect(one.count == 4)
        #expect(all.map(\.json.canonicalString) == one.map(\.json.canonicalString))
        for st in one {
            let c = st.counts
            for s in Stance.allCases { #expect(c[s] == st.parties(in: s).count, "\(st.proposal.id) \(s)") }
            #expect(c.notSpoken == st.notSpoken.count)
            #expect(Stance.allCases.map { c[$0] }.reduce(c.notSpoken, +) == st.ballot.count)
        }
    }
}

@Suite struct DamagedFileTests {
    /// A file with a bad entry and, further on, a line without its newline (far from it, or
    /// the very next line): both replays, reading the same chunks, report the same first
    /// error, whether the two are in one chunk (the chunk is refused before any of it is
    /// applied) or in two (the earlier chunk is applied first).
    @Test(arguments: [false, true])
    func bothReplaysReportTheSameFirstErrorOnADamagedFile(nextLine: Bool) throws {
        let f = try DeterminismTests.scenario()
        defer { try? FileManager.default.removeItem(atPath: f.dir) }
        let ledger = try Ledger<NegotiationRules>(directory: f.dir)
        let n = ledger.size
        #expect(n > 20)
        let bad: Int64 = 5
        let broken = nextLine ? bad + 1 : n - 3
        let path = f.dir + "/" + FileStore.entriesFile
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[Int(ledger.store.startOffset(bad))] = UInt8(ascii: "x")  // not JSON any more
        bytes[Int(ledger.store.endOffset(broken)) - 1] = UInt8(ascii: " ")  // the newline is gone
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let damaged = try Ledger<NegotiationRules>(directory: f.dir)
        var seen = Set<String>()
        for chunk in [100, 500, 1_500, 4_000, 16_000, FileStore.chunkBytes] {
            let sequential = errorText { _ = try damaged.state(upTo: n, chunkBytes: chunk) }
            let parallel = errorText { _ = try damaged.parallelState(upTo: nil, chunkBytes: chunk) }
            #expect(sequential != nil)
            #expect(parallel == sequential, "chunks of \(chunk) bytes")
            if let sequential { seen.insert(String(sequential.prefix(while: { $0 != ":" }))) }
        }
        // Small chunks reach the bad entry first; one chunk for the whole file is refused first.
        #expect(seen == ["entry \(bad)", "entry \(broken)"])
        #expect(errorText { _ = try damaged.parallelState() }?.hasPrefix("entry \(broken): line does not end") == true)
    }
}
