import Consensus
import LedgerCore
import LedgerCrypto

/// The rules every CLI command applies on append and replays on verify: the consensus
/// engine, which includes the core rules (specs/consensus.md).
typealias RulesInUse = NegotiationRules
