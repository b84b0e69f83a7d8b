/// The one error type of `LedgerCore`.
///
/// Equality compares the ``code`` only, so tests can match on the kind of failure.
public struct LedgerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. Each code maps to a documented CLI exit status.
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

        /// True when the input itself is malformed (CLI exit 2) rather than well-formed but
        /// refused or failing verification (exit 1).
        public var isInputError: Bool {
            switch base {
            case .malformed, .nonCanonical, .tooLarge, .invalidBody, .notFound, .io: return true
            default: return false
            }
        }
    }

    public let code: Code
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
