import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

/// `ledger receipt check RECEIPT DIR --witness VKEY` (specs/cli.md): a broken promise is portable
/// evidence only through a cosignature by a witness the checker names, dated after include-by.
@Suite struct ReceiptWitnessCLITests {
    @Test func onlyALateCosignatureByANamedWitnessMakesTheBreachPortable() throws {
        let fx = try CLIFixture()
        #expect(try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir).status == 0)
        let cp = try ledger(["checkpoint", "led"], cwd: fx.dir).stdout
        try cp.write(toFile: fx.dir + "/cp.txt", atomically: true, encoding: .utf8)
        let size = try #require(UInt64(cp.split(separator: "\n")[1]))
        // A receipt for the next entry, which the log never published; include-by long past.
        let op = try LedgerFiles.readPrivateKey(fx.dir + "/op.key")
        let logTime = try #require(Timestamp(rfc3339: "2026-01-01T00:00:00Z"))
        let includeBy = logTime.adding(seconds: 60)
        let receipt = Receipt(
            origin: op.name, index: size, statementHash: SHA256.hash(Array("promised".utf8)),
            leafHash: SHA256.hash(Array("leaf".utf8)), logTime: logTime, includeBy: includeBy)
        try SignedReceipt(signing: receipt, with: op).serialized
            .write(toFile: fx.dir + "/r.note", atomically: true, encoding: .utf8)
        // Three witnesses cosign the checkpoint: early before include-by, late and stranger after.
        var vkeys = [String: String]()
        for (name, time) in [("early", -30), ("late", 30), ("stranger", 40)] {
            let g = try ledger(["key", "generate", "--name", "\(name).example", "--out", "\(name).key"], cwd: fx.dir)
            vkeys[name] = try #require(g.lines.last)
            let at = ["LEDGER_NOW": includeBy.adding(seconds: Int64(time)).rfc3339]
            let c = try ledger(["cosign", "cp.txt", "--key", "\(name).key", "--vkey", fx.opVkey], cwd: fx.dir, env: at)
            #expect(c.status == 0, "\(c.stderr)")
            try c.stdout.write(toFile: fx.dir + "/\(name).txt", atomically: true, encoding: .utf8)
            let a = try ledger(
                ["checkpoint", "led", "--attach", "\(name).txt", "--witness", vkeys[name]!], cwd: fx.dir)
            #expect(a.status == 0, "\(a.stderr)")
        }
        func check(_ witnesses: [String], json: Bool = false) throws -> RunResult {
            try ledger(
                ["receipt", "check", "r.note", "led"] + witnesses.flatMap { ["--witness", vkeys[$0]!] }
                    + (json ? ["--json"] : []), cwd: fx.dir)
        }
        let weak = "not witnessed after include-by: evidence from this copy of the log only"
        for witnesses in [[], ["early"]] {
            let r = try check(witnesses)
            #expect(r.status == 3, "\(witnesses): \(r.stdout) \(r.stderr)")
            #expect(r.lines.last?.hasPrefix("PROMISE BROKEN: include-by has passed") == true, "\(r.stdout)")
            #expect(r.lines.last?.hasSuffix(weak) == true, "\(witnesses): \(r.stdout)")
        }
        let lateTime = includeBy.adding(seconds: 30).rfc3339
        let named = try check(["early", "late"])
        #expect(named.status == 3)
        #expect(
            named.lines.last?.hasSuffix("cosigned by late.example at \(lateTime), after include-by: portable evidence")
                == true, "\(named.stdout)")
        let o = try JSONParser.parse(Array(try check(["early", "late"], json: true).stdout.utf8))
        #expect(o["portable"] == .bool(true) && o["breach"] == .string("notCovered"), "\(o)")
        #expect(o["cosignature"]?["witness"] == .string("late.example"), "\(o)")
        let unnamed = try JSONParser.parse(Array(try check(["early"], json: true).stdout.utf8))
        #expect(unnamed["portable"] == .bool(false) && unnamed["cosignature"] == nil, "\(unnamed)")
    }
}
