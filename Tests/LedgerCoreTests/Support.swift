import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

/// The package root.
let packageRoot = URL(fileURLWithPath: TestPaths.packageRoot)

func vectorFile(_ name: String) throws -> String {
    try String(contentsOf: packageRoot.appendingPathComponent("specs/vectors/" + name), encoding: .utf8)
}

func digest(hex: String) -> Digest { Digest(bytes: Hex.decode(hex)!)! }

/// A fresh temporary directory path (not created).
func tempPath(_ tag: String = "ledger") -> String { TestPaths.temporaryPath(tag) }

/// The shared test clock, visible to every file of this target.
typealias TestClock = LedgerTestSupport.TestClock

/// A small ledger with an operator and one registered author.
struct Fixture {
    let dir: String
    let clock = TestClock()
    let op: NoteSignerKey
    let author: NoteSignerKey
    let ledger: Ledger<CoreRules>

    init() throws {
        dir = tempPath()
        op = try NoteSignerKey.generate(name: "test.example/log")
        author = try NoteSignerKey.generate(name: "author")
        ledger = try Ledger<CoreRules>.create(directory: dir, operatorKey: op, clock: clock.closure)
        _ = try ledger.append([try statement("key.register", ["vkey": .string(author.verifierKey.description)], op)])
    }

    func statement(_ kind: String, _ body: JSONValue, _ key: NoteSignerKey, skew: Int64 = 0) throws -> SignedStatement {
        try Statement.make(kind: kind, body: body, key: key, time: clock.now.adding(seconds: skew))
    }

    func note(_ text: String, by key: NoteSignerKey? = nil) throws -> SignedStatement {
        try statement("note", ["text": .string(text)], key ?? author)
    }

    /// All bytes of every file in the ledger directory, for "unchanged" checks.
    func snapshot() throws -> [String: Data] {
        var out = [String: Data]()
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name != "checkpoints" {
            out[name] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
        }
        return out
    }

    /// Runs `body` with a ledger over a copy of this one's directory (same clock), and the
    /// copy's path; the copy is removed afterwards.
    func withTwin<R>(_ body: (Ledger<CoreRules>, String) throws -> R) throws -> R {
        let copy = tempPath("twin")
        try FileManager.default.copyItem(atPath: dir, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        return try body(try Ledger<CoreRules>(directory: copy, clock: clock.closure), copy)
    }

    func audit(_ options: Auditor<CoreRules>.Options = .init()) throws -> Auditor<CoreRules>.Report {
        Auditor<CoreRules>(store: try FileStore(directory: dir, checkingCaches: false), options: options).run()
    }
}

/// Expects `body` to throw a ``LedgerError`` with `code`.
func expectThrows<T>(
    _ code: LedgerError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T
) {
    do {
        _ = try body()
        Issue.record("expected a \(code) error", sourceLocation: sourceLocation)
    } catch let e as LedgerError {
        #expect(e.code == code, "\(e.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
