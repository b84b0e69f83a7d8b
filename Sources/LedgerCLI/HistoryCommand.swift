import ArgumentParser
import Consensus
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every entry that touched a proposal, in log order.")

        @Argument(help: "Ledger directory.") var dir: String
        @Argument(help: "Proposal id.") var proposal: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let ledger = try ConsensusCLI.open(dir)
                let state = try ledger.currentState()
                guard let p = state.proposal(proposal) else {
                    throw LedgerError.notFound("proposal \"\(proposal)\" is not in the ledger")
                }
                var rows = [JSONValue]()
                for i in p.entryIndices {
                    let e = try ledger.entry(Int64(i))
                    let st = e.statement
                    let who = state.authority.record(for: st.signer)
                    let party = who?.attributes["party"] ?? who?.role ?? "?"
                    var summary: String
                    switch st.kind {
                    case "proposal" where st.body["id"]?.stringValue != proposal:
                        summary = "superseded by \(st.body["id"]?.stringValue ?? "?")"
                    case "proposal": summary = "tabled revision 1: \(st.body["title"]?.stringValue ?? "")"
                    case "proposal.amend":
                        let n = (p.revisions.first { $0.entryIndex == i }?.number).map(String.init) ?? "?"
                        summary = "tabled revision \(n): \(st.body["title"]?.stringValue ?? "")"
                    case "proposal.withdraw":
                        summary = "withdrew" + (st.body["reason"]?.stringValue.map { ": \($0)" } ?? "")
                    case "position":
                        summary =
                            "\(st.body["stance"]?.stringValue ?? "?") on revision entry \(st.body["revision"]?.integerValue ?? -1)"
                            + (st.body["reason"]?.stringValue.map { ": \($0)" } ?? "")
                    case "decision":
                        summary =
                            "decision: \(st.body["outcome"]?.stringValue ?? "?")"
                            + (st.body["note"]?.stringValue.map { " (\($0))" } ?? "")
                    default: summary = st.kind
                    }
                    if output.json {
                        rows.append([
                            "index": .integer(Int64(i)), "time": .string(e.time.rfc3339), "kind": .string(st.kind),
                            "by": .string(party),
                            "signer": .string(st.signer.name),
                            "leafHash": .string(e.leafHash.base64), "body": st.body,
                        ])
                    } else {
                        out(
                            ConsensusCLI.pad(String(i), 7) + " \(e.time)  " + ConsensusCLI.pad(party, 12) + " "
                                + summary)
                    }
                }
                if output.json { printJSON(.array(rows)) }
            }
        }
    }
}
