import Foundation
import LedgerTestSupport
import Testing

/// The views (`board`, `status`, `history`, `conflicts`) say what they rest on, and a copy whose
/// entries do not hash to its signed checkpoint is an error, not a view (issue 11 §3).
@Suite struct HonestViewCLITests {
    typealias Negotiation = ConsensusCLITests.Negotiation

    /// G7-EUV-1 tabled by JP; DE's objection is the last entry; a checkpoint covers it.
    static func negotiation() throws -> Negotiation {
        let n = try Negotiation()
        try n.write("p.yaml", ConsensusCLITests.proposalYAML)
        #expect(try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p.yaml"]).status == 0)
        let o = try n.run([
            "position", "led", "G7-EUV-1", "--key", "G7-DE.key", "--stance", "object", "--reason", "scope",
        ])
        #expect(o.status == 0, "\(o.stderr)")
        let c = try n.run(["checkpoint", "led", "--sign", "--key", "op.key"])
        #expect(c.status == 0, "\(c.stderr)")
        return n
    }

    static let views = [
        ["board", "led"], ["status", "led", "G7-EUV-1"], ["history", "led", "G7-EUV-1"], ["conflicts", "led"],
    ]

    @Test func everyViewSaysWhatItRestsOn() throws {
        let n = try Self.negotiation()
        let size = try n.run(["log", "led", "--json"]).lines.count
        for v in Self.views {
            let r = try n.run(v)
            #expect(r.status == 0, "\(v): \(r.stderr)")
            let line = try #require(r.lines.first { $0.hasPrefix("rests on: ") }, "\(v): \(r.stdout)")
            #expect(line.contains("entries 0–\(size - 1) hash to signed checkpoint \(size)"), "\(line)")
            #expect(line.contains("log key cli.example/log+"))
            #expect(line.hasSuffix("; signatures not re-checked (ledger verify checks them)"))
            for format in ["markdown", "html"] {
                #expect(try n.run(v + ["--format", format]).stdout.contains("hash to signed checkpoint \(size)"))
            }
        }
        // A later entry is named as not yet covered.
        #expect(try n.run(["position", "led", "G7-EUV-1", "--key", "G7-US.key", "--stance", "support"]).status == 0)
        let b = try n.run(["board", "led"])
        #expect(b.stdout.contains("; entry \(size) is not yet covered by a checkpoint;"), "\(b.stdout)")
    }

    @Test func aForgedPositionInATamperedCopyIsAnErrorNotAView() throws {
        let n = try Self.negotiation()
        #expect(try n.run(["board", "led"]).stdout.contains("BLOCKED by DE"))
        // The forger turns DE's objection (the last entry) into support and rebuilds every
        // derived file so that the copy is consistent in itself; only the signed checkpoint
        // (and DE's signature, which views do not re-check) still disagree.
        let path = n.dir + "/led/entries.jsonl"
        var text = try read(path)
        let before = text
        text = text.replacingOccurrences(of: "\"stance\":\"object\"", with: "\"stance\":\"support\"")
        #expect(text != before)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: n.dir + "/led/checkpoints", toPath: n.dir + "/cps")
        for derived in ["commit", "entries.idx", "tree.hashes"] {
            try FileManager.default.removeItem(atPath: n.dir + "/led/" + derived)
        }
        let rep = try n.run(["repair", "led"])
        #expect(rep.status == 0, "\(rep.stderr)")
        try? FileManager.default.removeItem(atPath: n.dir + "/led/checkpoints")  // repair made an empty one
        try FileManager.default.moveItem(atPath: n.dir + "/cps", toPath: n.dir + "/led/checkpoints")
        for v in Self.views + [["board", "led", "--json"], ["status", "led", "--format", "html"]] {
            let r = try n.run(v)
            #expect(r.status == 1, "\(v): \(r.stdout)")
            #expect(r.stdout.isEmpty, "\(v)")
            #expect(r.stderr.contains("do not hash to signed checkpoint"), "\(v): \(r.stderr)")
            #expect(!r.stdout.contains("support"))
        }
        // The auditor agrees that the copy is bad.
        #expect(try n.run(["verify", "led", "--vkey", n.fx.opVkey]).status == 1)
    }
    /// An older checkpoint copied under a larger name would hide the latest one (which the
    /// forgery breaks) from the check: the views, as `verify`, refuse a file whose name is not
    /// its checkpoint's size.
    @Test func anOlderCheckpointUnderALargerNameIsAnErrorNotAView() throws {
        let n = try Negotiation()
        try n.write("p.yaml", ConsensusCLITests.proposalYAML)
        #expect(try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p.yaml"]).status == 0)
        #expect(try n.run(["checkpoint", "led", "--sign", "--key", "op.key"]).status == 0)
        let o = try n.run([
            "position", "led", "G7-EUV-1", "--key", "G7-DE.key", "--stance", "object", "--reason", "scope",
        ])
        #expect(o.status == 0, "\(o.stderr)")
        #expect(try n.run(["checkpoint", "led", "--sign", "--key", "op.key"]).status == 0)
        let cps = n.dir + "/led/checkpoints/"
        let names = try FileManager.default.contentsOfDirectory(atPath: cps).filter { $0.hasSuffix(".note") }.sorted()
        #expect(names.count == 2)
        // DE's objection becomes support, the caches are rebuilt, and the first checkpoint
        // (which does not cover the forged entry) is copied under a name larger than any.
        let path = n.dir + "/led/entries.jsonl"
        let text = try read(path).replacingOccurrences(of: "\"stance\":\"object\"", with: "\"stance\":\"support\"")
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: n.dir + "/led/checkpoints", toPath: n.dir + "/cps")
        for derived in ["commit", "entries.idx", "tree.hashes"] {
            try FileManager.default.removeItem(atPath: n.dir + "/led/" + derived)
        }
        #expect(try n.run(["repair", "led"]).status == 0)
        try? FileManager.default.removeItem(atPath: n.dir + "/led/checkpoints")
        try FileManager.default.moveItem(atPath: n.dir + "/cps", toPath: n.dir + "/led/checkpoints")
        try FileManager.default.copyItem(atPath: cps + names[0], toPath: cps + "00000000000000009999.note")
        for v in Self.views {
            let r = try n.run(v)
            #expect(r.status == 1, "\(v): \(r.stdout)")
            #expect(r.stdout.isEmpty, "\(v)")
            #expect(r.stderr.contains("the file for size 9999 holds a checkpoint of size"), "\(v): \(r.stderr)")
        }
    }
}
