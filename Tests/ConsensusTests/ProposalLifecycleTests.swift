import Consensus
import LedgerCore
import Testing

typealias S = ProposalLifecycle.State

/// Every (state, event) pair and where it leads (nil: refused).
let transitionTable: [(S, ProposalLifecycle.Event, S?)] = {
    var rows: [(S, ProposalLifecycle.Event, S?)] = []
    let events: [ProposalLifecycle.Event] = [
        .ballot(.pending), .ballot(.blocked), .ballot(.satisfied), .newRevision, .withdraw, .supersede,
        .deadlinePassed(.satisfied), .deadlinePassed(.pending), .deadlinePassed(.blocked),
    ]
    let live: [S: [S?]] = [
        .open: [.open, .blocked, .adopted, .open, .withdrawn, .superseded, .adopted, .lapsed, .lapsed],
        .blocked: [.open, .blocked, .adopted, .open, .withdrawn, .superseded, .adopted, .lapsed, .lapsed],
    ]
    for state in S.allCases {
        for (k, e) in events.enumerated() { rows.append((state, e, live[state]?[k] ?? nil)) }
    }
    return rows
}()

@Test(arguments: transitionTable.indices)
func lifecycleTransition(_ row: Int) throws {
    let (from, event, to) = transitionTable[row]
    var l = ProposalLifecycle(state: from)
    #expect(l.next(on: event) == to, "\(from) on \(event)")
    if let to {
        #expect(try l.handle(event) == to)
        #expect(l.state == to)
    } else {
        #expect(throws: LedgerError.refused("")) { try l.handle(event) }
        #expect(l.state == from, "a refused event leaves the state unchanged")
    }
}

@Test func finalStatesAreExactlyTheEndStates() {
    #expect(S.allCases.filter(\.isFinal) == [.adopted, .withdrawn, .superseded, .lapsed])
}
