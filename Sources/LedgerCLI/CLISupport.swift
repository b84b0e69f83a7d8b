import ArgumentParser
import Foundation
import LedgerCore
import LedgerCrypto
import LedgerReports
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Exit statuses (specs/cli.md).
enum Exit {
    static let ok: Int32 = 0
    static let refused: Int32 = 1
    static let usage: Int32 = 2
}

/// Options shared by commands that print data.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false
}

/// Runs `body`, turning a ``LedgerError`` into a one-line message on stderr and the
/// documented exit status.
func run(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as LedgerError {
        printError(e.cliMessage)
        for d in e.details where d != e.message { printError("  " + d) }
        throw ExitCode(e.code.exitStatus)
    }
}

extension LedgerError.Code {
    /// The documented exit status (specs/cli.md): 2 when the input itself is malformed or
    /// missing, 1 when well-formed input is refused or fails verification.
    var exitStatus: Int32 { Self.inputErrors.contains(self) ? Exit.usage : Exit.refused }

    private static let inputErrors: Set<LedgerError.Code> = [
        .malformed, .nonCanonical, .tooLarge, .invalidBody, .notFound, .io,
    ]
}

extension LedgerError {
    /// The message as the CLI prints it: where the failure concerns an input that the CLI
    /// takes as a flag, the flag is named (the library's message names none).
    var cliMessage: String {
        guard let input, let flag = Self.flags[input] else { return message }
        switch flag {
        case .prefix(let p): return p + message
        case .hint(let h): return message + "; " + h
        }
    }

    private enum FlagText {
        /// The message is about the flag's value: "--as-of: entry 9 does not exist …".
        case prefix(String)
        /// The message says what is missing; the hint says which flag gives it.
        case hint(String)
    }

    private static let flags: [Input: FlagText] = [
        .logKey: .hint("pass --vkey"),
        .witnessKeys: .hint("or give its key with --witness"),
        .consistencyProof: .hint("pass --proof"),
        .checkpoint: .hint("pass --checkpoint"),
        .oldCheckpoint: .hint("pass --old-checkpoint"),
        .leaf: .hint("pass --leaf"),
        .asOf: .prefix("--as-of: "),
        .revision: .prefix("--revision: "),
        .party: .prefix("--party: "),
    ]
}

/// Prints `ledger: error: <s>` as one line: control characters in `s` (which may quote user
/// input) are escaped. On a terminal that takes colour the prefix is red (``Terminal``).
func printError(_ s: String) {
    let text = escapedForMessage(redactingPrivateKeys(s))
    var line = Terminal.paint("ledger: error:", .boldRed, on: .stderr) + " " + text + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// `s` with every private key in it (`PRIVATE+KEY+…`, any case, to the end of its word)
/// cut to `PRIVATE+KEY+…`: an error message may quote an argument, and an argument may be a
/// pasted key. The last line of defence; the commands refuse keys in place of vkeys or files
/// before that.
func redactingPrivateKeys(_ s: String) -> String {
    let marker = Array("PRIVATE+KEY+".utf8)
    let bytes = Array(s.utf8)
    guard bytes.count >= marker.count else { return s }
    let space: Set<UInt8> = [0x20, 0x09, 0x0a, 0x0d]
    // What may follow "…" in a message naming the form, and end a word that quotes a key.
    let closing: Set<UInt8> = Set(")],;:'\".".utf8)
    var out = [UInt8]()
    var i = 0
    while i < bytes.count {
        let next = i + marker.count
        guard next <= bytes.count,
            zip(bytes[i..<next], marker).allSatisfy({ ($0 & 0xdf) == $1 || $0 == $1 })
        else {
            out.append(bytes[i])
            i += 1
            continue
        }
        // A key has no space: it runs to the end of the word.
        var end = next
        while end < bytes.count, !space.contains(bytes[end]) { end += 1 }
        let word = bytes[next..<end]
        // "PRIVATE+KEY+…" then closing punctuation only: a message naming the form, kept.
        if word.starts(with: [0xe2, 0x80, 0xa6]), word.dropFirst(3).allSatisfy(closing.contains) {
            out += bytes[i..<end]
        } else {
            out += bytes[i..<next] + Array("…".utf8)
            // The quote or colon that ends a quoting message's word (never key material:
            // a key ends in base64).
            if end > next, closing.contains(bytes[end - 1]) { out.append(bytes[end - 1]) }
        }
        i = end
    }
    return String(decoding: out, as: UTF8.self)
}

func printStderr(_ s: String) {
    var line = s
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// Writes to stdout without buffering surprises.
func out(_ s: String, terminator: String = "\n") {
    var line = s + terminator
    line.withUTF8 { buf in
        var off = 0
        while off < buf.count {
            let n = write(1, buf.baseAddress! + off, buf.count - off)
            if n <= 0 { return }
            off += n
        }
    }
}

/// Prints a JSON value in canonical form.
func printJSON(_ v: JSONValue) { out(v.canonicalString) }

/// Parses a JSON argument or file content given by the user (whitespace allowed; re-encoded canonically).
func parseUserJSON(_ text: String, what: String) throws -> JSONValue {
    do { return try JSONParser.parse(Array(text.utf8)) } catch let e as LedgerError {
        throw LedgerError.malformed("\(what): \(e.message)")
    }
}

/// Reads a text file given by the user. Invalid UTF-8 is refused (exit 2) with the file, the
/// line and the byte offset of the first bad sequence; nothing is ever transcoded.
func readText(_ path: String) throws -> String {
    try StrictUTF8.decode(try LedgerFiles.read(path), what: path)
}

/// Key files already warned about in this process (a command may load a key twice).
private let warnedKeyFiles = Mutex<Set<String>>([])

/// Reads a private key file for signing. A key file that its group or others may read or
/// write is used, as by ssh, only with a warning on stderr; then the key is read by
/// `LedgerFiles.readPrivateKey`. Every command that loads a key goes through here.
func loadPrivateKey(_ path: String) throws -> NoteSignerKey {
    // The key itself where its file belongs: refused without quoting it.
    if KeyArguments.isPrivateKeyText(path) {
        throw LedgerError.malformed(
            "a key file is expected, not the private key itself; never pass a private key as an argument (shell "
                + "history and process lists keep it): if others may have seen it, generate a new one")
    }
    // A file of another kind (a vkey, a checkpoint) is named before anything else is said.
    if let bytes = try? LedgerFiles.read(path) {
        try FileKind.require([.privateKey], noun: "a private key file", path: path, bytes: bytes)
    }
    let first = warnedKeyFiles.withLock { $0.insert(path).inserted }
    if first, let perms = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int,
        perms & 0o077 != 0
    {
        let mode = String(perms & 0o777, radix: 8)
        printStderr(
            "ledger: warning: \(escapedForMessage(path)): key file has mode 0\(mode), readable by others; "
                + "use chmod 600\n")
    }
    // A key file is text: refuse invalid UTF-8 with its position rather than let it be
    // transcoded by the reader.
    if let bytes = try? LedgerFiles.read(path), let (line, offset) = StrictUTF8.firstError(bytes) {
        throw LedgerError.malformed("\(path):\(line): byte \(offset): invalid UTF-8")
    }
    return try LedgerFiles.readPrivateKey(path)
}

/// `s` with control characters escaped (`\n`, `\t`, `\u{1b}`, …), so that a message that quotes
/// user input stays on one line and cannot drive the terminal.
func escapedForMessage(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: needsEscape) else { return s }
    var out = ""
    for u in s.unicodeScalars {
        switch u {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where needsEscape(u): out += "\\u{" + String(u.value, radix: 16) + "}"
        default: out.unicodeScalars.append(u)
        }
    }
    return out
}

/// C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
private func needsEscape(_ u: Unicode.Scalar) -> Bool {
    u.value < 0x20 || (0x7f...0x9f).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
}

/// The log's clock. `LEDGER_NOW` (RFC 3339) overrides it for tests and demos; the log still
/// refuses to move its time backwards. (A value that does not parse stopped the command at
/// its start: ``checkLedgerNow()``.)
func logClock() -> @Sendable () -> Timestamp {
    if let t = try? ledgerNow() { return { t } }
    return { .now() }
}

/// `LEDGER_NOW` when it is set and not empty: any RFC 3339 date-time
/// (``Timestamp/init(rfc3339DateTime:)``), as a UTC instant; nil when unset or empty.
///
/// - Throws: `.malformed`, naming the variable and its value, for anything else.
func ledgerNow() throws(LedgerError) -> Timestamp? {
    guard let s = getenv("LEDGER_NOW").map({ String(cString: $0) }), !s.isEmpty else { return nil }
    guard let t = Timestamp(rfc3339DateTime: s) else {
        let shown = s.count > 80 ? String(s.prefix(80)) + "…" : s
        throw .malformed(
            "LEDGER_NOW: \"\(shown)\" is not an RFC 3339 date-time (2026-10-01T18:00:00+09:00, "
                + "2026-10-01T09:00:00Z or 2026-10-01T09:00:00.250Z); unset it to use the system clock")
    }
    return t
}

/// Stops the process (exit 2, one line) when `LEDGER_NOW` is set to something that is not an
/// RFC 3339 date-time: every command checks it before it does anything, so that a clock
/// override is never silently ignored and nothing is written under the wrong clock.
func checkLedgerNow() {
    do throws(LedgerError) { _ = try ledgerNow() } catch {
        printError(error.message)
        exit(Exit.usage)
    }
}

/// `s` as a terminal may show it: on every line, control characters and bidirectional
/// overrides from statements or list files become U+FFFD (specs/cli.md, Reports), line
/// breaks are kept.
func terminalText(_ s: String) -> String {
    s.split(separator: "\n", omittingEmptySubsequences: false).map { TextWidth.printable(String($0)) }
        .joined(separator: "\n")
}

/// ``out(_:terminator:)`` for human-readable text that quotes untrusted content.
func outText(_ s: String, terminator: String = "\n") {
    out(terminalText(s), terminator: terminator)
}
