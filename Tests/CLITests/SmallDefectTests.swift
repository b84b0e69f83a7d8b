import Foundation
import Testing

/// Small defects from review (issue 10 §5), through the built binary.
@Suite(.serialized) struct SmallDefectTests {
    @Test func aProposalThatIsNotAnObjectIsRefusedNotIgnored() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("d", file: "d.key")
        for (name, text) in [("list.json", "[1,2]\n"), ("scalar.yaml", "just a string\n")] {
            try text.write(toFile: fx.dir + "/" + name, atomically: true, encoding: .utf8)
            let r = try ledger(["propose", "led", "--key", "d.key", "--file", name], cwd: fx.dir)
            #expect(r.status == 2, "\(name): \(r.status) \(r.stdout)")
            #expect(r.stderr.contains(name) && r.stderr.contains("must be an object"), "\(r.stderr)")
        }
    }
}
