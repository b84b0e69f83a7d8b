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
