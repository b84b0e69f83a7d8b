import LedgerCore

/// The life cycle of a proposal, as a state machine of its own.
///
/// ```
/// open ──ballot satisfied / deadline passed, rule satisfied──▶ adopted
/// open ──ballot blocked──▶ blocked ──objection lifted / new revision──▶ open
/// open, blocked ──withdraw──▶ withdrawn
/// open, blocked ──superseded by a later proposal──▶ superseded
/// open, blocked ──deadline passed, rule not satisfied──▶ lapsed
/// ```
///
/// `adopted`, `withdrawn`, `superseded` and `lapsed` are final: every further event is refused.
public struct ProposalLifecycle: Sendable, Hashable {
    /// Where a proposal stands.
    public enum State: String, Sendable, Hashable, CaseIterable {
        case open, adopted, blocked, withdrawn, superseded, lapsed

        /// Whether no further event can change the state.
        public var isFinal: Bool {
            switch self {
            case .open, .blocked: return false
            case .adopted, .withdrawn, .superseded, .lapsed: return true
            }
        }
    }

    /// Something that happens to a proposal.
    public enum Event: Sendable, Hashable {
        /// A position changed the ballot; the decision rule now gives this outcome.
        case ballot(DecisionRule.Outcome)
        /// The proposer tabled a new revision: the ballot starts again.
        case newRevision
        /// The proposer withdrew the proposal.
        case withdraw
        /// A later proposal replaced this one.
        case supersede
        /// The revision's deadline passed; the rule gave this outcome at the deadline.
        case deadlinePassed(DecisionRule.Outcome)
    }

    public private(set) var state: State

    public init(state: State = .open) { self.state = state }

    /// The state `event` leads to, or nil when the transition is not allowed.
    public func next(on event: Event) -> State? {
        guard !state.isFinal else { return nil }
        switch event {
        case .ballot(.satisfied): return .adopted
        case .ballot(.blocked): return .blocked
        case .ballot(.pending): return .open
        case .newRevision: return .open
        case .withdraw: return .withdrawn
        case .supersede: return .superseded
        case .deadlinePassed(.satisfied): return .adopted
        case .deadlinePassed: return .lapsed
        }
    }

    /// Applies `event`, or throws `.refused` naming the current state.
    @discardableResult
    public mutating func handle(_ event: Event) throws(LedgerError) -> State {
        guard let s = next(on: event) else { throw .refused("the proposal is \(state.rawValue)") }
        state = s
        return s
    }
}
