import LedgerCore
import LedgerCrypto

/// What a file given on the command line looks like, from its first bytes and shape, so that a
/// file of the wrong kind is named with what it is (`leaf63.bin: looks like a leaf (an entry
/// line), not a proof`) instead of failing deep inside a parser (specs/cli.md, "Errors").
///
/// Sniffing only names the kind; the reader of the expected kind still checks everything.
enum FileKind: Equatable, Sendable {
    case empty
    case privateKey
    case vkey
    case checkpoint
    case leaf
    case signedStatement
    case jsonProof
    case tlogProof
    case proposal
    /// JSON, or text, or bytes of no kind named above.
    case otherJSON, otherText, binary

    /// How a message names the kind: "a leaf (an entry line)".
    var description: String {
        switch self {
        case .empty: return "an empty file"
        case .privateKey: return "a private key file"
        case .vkey: return "a vkey (a public key)"
        case .checkpoint: return "a checkpoint (a signed note)"
        case .leaf: return "a leaf (an entry line)"
        case .signedStatement: return "a signed statement"
        case .jsonProof: return "a JSON proof"
        case .tlogProof: return "a tlog-proof bundle"
        case .proposal: return "a proposal file"
        case .otherJSON: return "JSON"
        case .otherText: return "text"
        case .binary: return "binary data"
        }
    }

    /// Whether the kind is one that sniffing recognises (rather than "some JSON", "some text").
    var isRecognised: Bool {
        switch self {
        case .otherJSON, .otherText, .binary: return false
        default: return true
        }
    }

    /// The kind `bytes` look like, from their first MiB (JSON over 256 KiB is reported as
    /// ``otherJSON``).
    static func sniff(_ bytes: some Collection<UInt8>) -> FileKind {
        let bytes = Array(bytes.prefix(1 << 20))
        guard let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else { return .binary }
        let trimmed = text.drop(while: \.isWhitespace)
        if trimmed.isEmpty { return .empty }
        if KeyArguments.isPrivateKeyText(String(trimmed.prefix(12))) { return .privateKey }
        if trimmed.hasPrefix(TlogProof.header) { return .tlogProof }
        if trimmed.first == "{" { return sniffJSON(bytes) }
        let lines = trimmed.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count >= 3, !lines[1].isEmpty, lines[1].allSatisfy(\.isASCIIDigit), text.contains("\n\n\u{2014} ") {
            return .checkpoint
        }
        let nonEmpty = lines.filter { !$0.allSatisfy(\.isWhitespace) }
        if nonEmpty.count == 1, (try? NoteVerifierKey(parsing: String(nonEmpty[0]))) != nil { return .vkey }
        if lines.contains(where: { $0.hasPrefix("measureType:") || $0.hasPrefix("title:") }) { return .proposal }
        return .otherText
    }

    private static func sniffJSON(_ bytes: [UInt8]) -> FileKind {
        guard bytes.count <= 1 << 18, case .object(let o)? = try? JSONParser.parse(bytes) else { return .otherJSON }
        func has(_ keys: String...) -> Bool { keys.allSatisfy { o[$0] != nil } }
        if has("statement", "sig", "index", "prev") { return .leaf }
        if has("statement", "sig") { return .signedStatement }
        if has("hashes") && (has("leafHash") || has("index") || has("size1")) { return .jsonProof }
        if has("measureType") || has("title", "items") { return .proposal }
        return .otherJSON
    }

    /// Refuses `bytes` read from `path` when they look like a recognised kind other than those
    /// `expected`: `"leaf63.bin: looks like a leaf (an entry line), not a proof"`. Bytes of no
    /// recognised kind pass, for the reader to judge.
    ///
    /// - Parameters:
    ///   - noun: what was expected, as the message says it: "a proof".
    static func require(
        _ expected: Set<FileKind>, noun: String, path: String, bytes: some Collection<UInt8>
    ) throws(LedgerError) {
        let kind = sniff(bytes)
        guard kind.isRecognised, !expected.contains(kind) else { return }
        throw .malformed("\(path): looks like \(kind.description), not \(noun)")
    }

    /// Reads a text file of one kind: as ``readText(_:)``, after ``require(_:noun:path:bytes:)``.
    static func readText(_ path: String, expecting expected: Set<FileKind>, noun: String) throws -> String {
        let bytes = try LedgerFiles.read(path)
        try require(expected, noun: noun, path: path, bytes: bytes)
        return try StrictUTF8.decode(bytes, what: path)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
