/// The one error type of `LedgerCore`.
///
/// Equality compares the ``code`` only, so tests can match on the kind of failure.
public struct LedgerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. A front end maps it to its own outcome (the CLI to a
    /// documented exit status).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case malformed, nonCanonical, tooLarge, badSignature, unauthorized, replay, timeSkew
            case unknownKind, invalidBody, chainBroken, proofInvalid, checkpointInvalid, fork
            case notFound, io, locked, refused
        }
        let base: Base

        public static let malformed = Code(base: .malformed)
        public static let nonCanonical = Code(base: .nonCanonical)
        public static let tooLarge = Code(base: .tooLarge)
        public static let badSignature = Code(base: .badSignature)
        public static let unauthorized = Code(base: .unauthorized)
        public static let replay = Code(base: .replay)
        public static let timeSkew = Code(base: .timeSkew)
        public static let unknownKind = Code(base: .unknownKind)
        public static let invalidBody = Code(base: .invalidBody)
        public static let chainBroken = Code(base: .chainBroken)
        public static let proofInvalid = Code(base: .proofInvalid)
        public static let checkpointInvalid = Code(base: .checkpointInvalid)
        public static let fork = Code(base: .fork)
        public static let notFound = Code(base: .notFound)
        public static let io = Code(base: .io)
        public static let locked = Code(base: .locked)
        /// A rule of a higher layer (for example the consensus engine) refused the entry.
        public static let refused = Code(base: .refused)

        public var description: String { base.rawValue }
    }

    /// An input that a failure concerns, in the library's words: one that was not given, or
    /// one whose value is wrong. A front end maps it to its own name for that input (a CLI
    /// flag, a request field); the ``message`` never names one.
    public struct Input: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case logKey = "log key"
            case witnessKeys = "witness keys"
            case consistencyProof = "consistency proof"
            case checkpoint
            case oldCheckpoint = "old checkpoint"
            case leaf
            case revision
            case party
            case asOf = "as of"
        }
        let base: Base

        /// The log's verifier key, trusted because the caller obtained it independently.
        public static let logKey = Input(base: .logKey)
        /// Witness keys accepted besides those registered in the ledger.
        public static let witnessKeys = Input(base: .witnessKeys)
        /// A consistency proof from an older checkpoint.
        public static let consistencyProof = Input(base: .consistencyProof)
        /// A signed checkpoint (the newer one, where two are compared).
        public static let checkpoint = Input(base: .checkpoint)
        /// The older of two signed checkpoints.
        public static let oldCheckpoint = Input(base: .oldCheckpoint)
        /// The bytes of a leaf.
        public static let leaf = Input(base: .leaf)
        /// The entry index of a proposal's revision.
        public static let revision = Input(base: .revision)
        /// The party a delegation speaks for.
        public static let party = Input(base: .party)
        /// The point in the log's history a question is asked at (`AsOf` in Consensus).
        public static let asOf = Input(base: .asOf)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// The input the failure concerns, when a caller could supply or correct it. (Declared
    /// next to ``code`` so that both fit in one word and the error keeps its size.)
    public var input: Input?
    /// One line: what is wrong, and where.
    public let message: String
    public let file: String
    public let line: Int
    /// Further one-line messages, for example one per refused line of a batch.
    public var details: [String] = []

    public init(code: Code, message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { message }

    public static func == (lhs: LedgerError, rhs: LedgerError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// Returns the same error with `prefix` (for example "entry 12: ") put in front of its message.
    public func prefixed(_ prefix: String) -> LedgerError {
        var e = LedgerError(code: code, message: prefix + message, file: file, line: line)
        e.details = details
        e.input = input
        return e
    }

    /// Returns the same error, marked as concerning `input`.
    public func concerning(_ input: Input) -> LedgerError {
        var e = self
        e.input = input
        return e
    }

    public static func malformed(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .malformed, message: m, file: file, line: line)
    }
    public static func nonCanonical(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .nonCanonical, message: m, file: file, line: line)
    }
    public static func tooLarge(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .tooLarge, message: m, file: file, line: line)
    }
    public static func badSignature(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .badSignature, message: m, file: file, line: line)
    }
    public static func unauthorized(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .unauthorized, message: m, file: file, line: line)
    }
    public static func replay(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .replay, message: m, file: file, line: line)
    }
    public static func timeSkew(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .timeSkew, message: m, file: file, line: line)
    }
    public static func unknownKind(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .unknownKind, message: m, file: file, line: line)
    }
    public static func invalidBody(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .invalidBody, message: m, file: file, line: line)
    }
    public static func chainBroken(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .chainBroken, message: m, file: file, line: line)
    }
    public static func proofInvalid(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .proofInvalid, message: m, file: file, line: line)
    }
    public static func checkpointInvalid(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .checkpointInvalid, message: m, file: file, line: line)
    }
    public static func fork(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .fork, message: m, file: file, line: line)
    }
    public static func notFound(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .notFound, message: m, file: file, line: line)
    }
    public static func io(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .io, message: m, file: file, line: line)
    }
    public static func locked(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .locked, message: m, file: file, line: line)
    }
    public static func refused(_ m: String, file: String = #fileID, line: Int = #line) -> LedgerError {
        LedgerError(code: .refused, message: m, file: file, line: line)
    }
}
