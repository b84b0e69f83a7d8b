import ControlCodes
import LedgerCore

/// Imports the EU Annex I dataset: Annex I of Regulation (EU) 2021/821 (consolidated), as
/// published in `eu-annex-i-YYYY-MM-DD.json` (© European Union, reuse permitted with
/// acknowledgement, Commission Decision 2011/833/EU).
///
/// The dataset holds one record per ECCN-level entry; its `verbatim_text` is code-prefixed
/// paragraph text, which ``ParagraphTextParser`` places in the hierarchy. Errors name the
/// file line of the record's `verbatim_text`, the entry, and the line within its text.
public enum EUAnnexImporter {
    public static func read(bytes: [UInt8], path: String) throws(ControlListError) -> ControlList {
        let root = try ControlListImporter.parseJSON(bytes, path: path)
        guard case .object(let o) = root else { throw .malformed("\(path):1: the dataset is not a JSON object") }
        guard let records = o["entries"]?.arrayValue else { throw .missingField("\(path):1: no \"entries\" array") }
        let validFrom = o["valid_from"]?.stringValue ?? ""
        let corpus = o["corpus_version"]?.stringValue ?? o["celex"]?.stringValue ?? "Regulation (EU) 2021/821, Annex I"
        let textLines = ControlListImporter.lines(of: "\"verbatim_text\"", in: bytes)
        let codeLines = ControlListImporter.lines(of: "\"entry_code\"", in: bytes)
        var lines: [ParagraphTextParser.Line] = []
        lines.reserveCapacity(5000)
        var fileLine: [Int] = []
        fileLine.reserveCapacity(5000)
        let citation = "Regulation (EU) 2021/821, Annex I (consolidated \(validFrom), CELEX \(corpus))"
        for (i, r) in records.enumerated() {
            let at = i < codeLines.count ? codeLines[i] : 1
            guard let code = r["entry_code"]?.stringValue else {
                throw .missingField("\(path):\(at): entries[\(i)] has no \"entry_code\"")
            }
            guard let text = r["verbatim_text"]?.stringValue else {
                throw .missingField("\(path):\(at): entry \(code) has no \"verbatim_text\"")
            }
            let tl = i < textLines.count ? textLines[i] : at
            var k = 0
            for l in text.split(separator: "\n", omittingEmptySubsequences: true) {
                k += 1
                let line = String(l)
                // Every line of a record must belong to that record's entry.
                if !line.hasPrefix(code) {
                    throw .malformed(
                        "\(path):\(tl): entry \(code), text line \(k): line does not start with \(code): "
                            + "\"\(line.prefix(60))\""
                    )
                }
                lines.append(.init(text: line, location: "\(path):\(tl): entry \(code), text line \(k)"))
                fileLine.append(tl)
            }
        }
        let entries = try ParagraphTextParser.parse(
            lines, scheme: .eu, lineNumber: { fileLine[$0] },
            source: { "Regulation (EU) 2021/821, Annex I (consolidated \(validFrom)), \($0.text)" })
        do {
            return try ControlList(
                jurisdiction: "EU", scheme: .eu, instrument: "Regulation (EU) 2021/821, Annex I", citation: citation,
                versionDate: validFrom, sourceSHA256: ControlList.sha256Hex(bytes),
                attribution: o["attribution"]?.stringValue
                    ?? "© European Union, http://eur-lex.europa.eu/ — reuse permitted with acknowledgement (Commission "
                    + "Decision 2011/833/EU)",
                entries: entries)
        } catch {
            throw error.prefixed("\(path): ")
        }
    }
}
