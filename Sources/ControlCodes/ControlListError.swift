/// The one error type of `ControlCodes` and `ControlLists`: an item code that does not parse
/// is the same failure whether a list import or a proposal meets it.
///
/// Equality compares the ``code`` only, so tests can match on the kind of failure. Import
/// errors name the input as `file:line` in their ``message``.
public struct ControlListError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case malformedInput, unknownScheme, invalidCode, ambiguousCode, duplicateCode, inconsistentUnit
            case missingField, unknownFormat, io, notFound
        }
        let base: Base

        /// The input is not in the documented format.
        public static let malformedInput = Code(base: .malformedInput)
        /// A numbering scheme this module does not know.
        public static let unknownScheme = Code(base: .unknownScheme)
        /// A code that does not follow its scheme's grammar.
        // swift-format-ignore: DontRepeatTypeInStaticProperties
        // ("Code" here is the item code, not this error-code type.)
        public static let invalidCode = Code(base: .invalidCode)
        /// A code that could be read more than one way.
        // swift-format-ignore: DontRepeatTypeInStaticProperties
        // ("Code" here is the item code, not this error-code type.)
        public static let ambiguousCode = Code(base: .ambiguousCode)
        /// The same paragraph code twice in one list.
        // swift-format-ignore: DontRepeatTypeInStaticProperties
        // ("Code" here is the item code, not this error-code type.)
        public static let duplicateCode = Code(base: .duplicateCode)
        /// A unit that is unknown or of the wrong dimension.
        public static let inconsistentUnit = Code(base: .inconsistentUnit)
        /// A required field is absent.
        public static let missingField = Code(base: .missingField)
        /// An import or output format this module does not know.
        public static let unknownFormat = Code(base: .unknownFormat)
        /// Reading or writing a file failed.
        public static let io = Code(base: .io)
        /// A code or file that was asked for does not exist.
        public static let notFound = Code(base: .notFound)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// One line: what is wrong, and where (`file:line: …` for import errors).
    public let message: String
    public let file: String
    public let line: Int

    public init(code: Code, message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { message }

    public static func == (lhs: ControlListError, rhs: ControlListError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public static func malformed(_ m: String, file: String = #fileID, line: Int = #line) -> ControlListError {
        ControlListError(code: .malformedInput, message: m, file: file, line: line)
    }
    public static func unknownScheme(_ m: String, file: String = #fileID, line: Int = #line) -> ControlListError {
        ControlListError(code: .unknownScheme, message: m, file: file, line: line)
    }
    public static func invalidCode(_ m: String, file: String = #fileID, line: Int = #line) -> ControlListError {
        ControlListError(code: .invalidCode, message: m, file: file, line: line)
    }
    public static func ambiguousCode(_ m: String, file: String = #fileID, line: Int = #line) -> ControlListError {
        ControlListError(code: .ambiguousCode, message: m, file: file, line: line)
    }
    public static func duplicateCode(_ m: String, file: String = #fileID, line: Int = #line) -> ControlListError {
        ControlListError(code: .duplicateCode, message: m, file: file, line: line)
    }
    public static func inconsistentUnit(_ m: String, file: String = #fileID, line: Int = #line) -> ControlListError {
        ControlListError(code: .inconsistentUnit, message: m, file: file, line: line)
    }
    public static func missingField(_ m: String, file: String = #fileID, line: Int = #line) -> ControlListError {
        ControlListError(code: .missingField, message: m, file: file, line: line)
    }
    public static func unknownFormat(_ m: String, file: String = #fileID, line: Int = #line) -> ControlListError {
        ControlListError(code: .unknownFormat, message: m, file: file, line: line)
    }
    public static func io(_ m: String, file: String = #fileID, line: Int = #line) -> ControlListError {
        ControlListError(code: .io, message: m, file: file, line: line)
    }
    public static func notFound(_ m: String, file: String = #fileID, line: Int = #line) -> ControlListError {
        ControlListError(code: .notFound, message: m, file: file, line: line)
    }

    /// The same error with `prefix` (for example `"list.json:12: "`) in front of its message.
    public func prefixed(_ prefix: String) -> ControlListError {
        ControlListError(code: code, message: prefix + message, file: file, line: line)
    }
}
