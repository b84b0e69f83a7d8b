import LedgerCore
import LedgerCrypto

/// The rules every CLI command applies on append and replays on verify.
/// (Replaced by the consensus engine's rules once they exist.)
typealias RulesInUse = CoreRules
