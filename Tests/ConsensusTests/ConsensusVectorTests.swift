import Consensus
import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

/// The signed ledgers of `specs/vectors/ledgers/` and their expected consensus states.
@Suite struct ConsensusVectorTests {
    static let root = URL(fileURLWithPath: TestPaths.packageRoot)

    func file(_ name: String) throws -> String {
        try String(
            contentsOf: ConsensusVectorTests.root.appendingPathComponent("specs/vectors/" + name), encoding: .utf8)
    }

    @Test func committedLedgerVectorsAreExactlyWhatTheGeneratorProduces() throws {
        for (name, content) in ConsensusVectors.files() {
            #expect(try file(name) == content, "\(name) is stale: run ledger-bench dev-vectors")
        }
    }

    @Test func ledgerVectorsReplayToTheExpectedStates() throws {
        let names = ["consensus-adopted", "amend-supersede-silence", "threshold-lapse", "observer-refused"]
        var refusals = 0
        for name in names {
            let jsonl = try file("ledgers/\(name).jsonl")
            let expected = try JSONParser.parse(
                Array(try file("ledgers/\(name).expected.json").utf8), limits: JSONLimits(maxInputBytes: 1 << 20))
            let r = ConsensusVectors.replay(jsonl)
            let lines = jsonl.split(separator: "\n").count
            #expect(lines == Int(expected["entries"]!.integerValue!), "\(name)")
            if let refused = expected["refused"] {
                let got = try #require(r.refused, "\(name): an entry should be refused")
                #expect(got.index == Int(refused["index"]!.integerValue!), "\(name)")
                #expect(got.error.code.description == refused["code"]!.stringValue!, "\(name)")
                #expect(got.error.message == refused["error"]!.stringValue!, "\(name)")
                #expect(got.index == lines - 1, "\(name): only the last entry may be refused")
                refusals += 1
            } else {
                #expect(r.refused == nil, "\(name): \(String(describing: r.refused?.error))")
                #expect(r.states.count == lines, "\(name)")
            }
            for q in expected["queries"]!.arrayValue! {
                let i = Int(q["afterEntry"]!.integerValue!)
                let at = Timestamp(rfc3339: q["asOf"]!.stringValue!)!
                let got = JSONValue.array(r.states[i].statuses(at: at).map(\.json))
                #expect(got.canonicalString == q["statuses"]!.canonicalString, "\(name) after entry \(i) at \(at)")
            }
        }
        #expect(refusals == 2)
    }

    @Test func ledgerVectorKeysSignTheLedgers() throws {
        let keys = try JSONParser.parse(Array(try file("ledgers/keys.json").utf8))
        var vkeys = Set([keys["operator"]!["vkey"]!.stringValue!, keys["secretariat"]!["vkey"]!.stringValue!])
        for (_, d) in keys["delegations"]!.objectValue! { vkeys.insert(d["vkey"]!.stringValue!) }
        let r = ConsensusVectors.replay(try file("ledgers/consensus-adopted.jsonl"))
        for e in r.entries { #expect(vkeys.contains(e.statement.signer.description)) }
    }

    /// Appending the same signed statements at the same log times to a real ledger gives the
    /// same `entries.jsonl`, and the refused entry is refused by append with the same error.
    @Test func ledgerVectorsAreWhatAppendWrites() throws {
        for (name, jsonl, _) in ConsensusVectors.ledgers() {
            let r = ConsensusVectors.replay(jsonl)
            let dir = tempPath("vectors")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try FileStore.create(at: dir)
            let clock = TestClock("2026-11-02T09:00:00Z")
            let ledger = try Ledger<NegotiationRules>(directory: dir, clock: clock.closure)
            for e in r.entries {
                clock.set(e.time)
                _ = try ledger.append([e.signed])
            }
            if let (i, error) = r.refused {
                let line = jsonl.split(separator: "\n")[i]
                let e = try Entry(leaf: Array(line.utf8))
                clock.set(e.time)
                #expect(throws: error, "\(name)") { try ledger.append([e.signed]) }
                do { _ = try ledger.append([e.signed]) } catch {
                    #expect(error.message == r.refused!.error.message, "\(name)")
                }
            }
            let written = try String(contentsOfFile: dir + "/entries.jsonl", encoding: .utf8)
            let valid = r.entries.count
            #expect(written == jsonl.split(separator: "\n").prefix(valid).map { $0 + "\n" }.joined(), "\(name)")
        }
    }
}
