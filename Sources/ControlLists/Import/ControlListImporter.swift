import ControlCodes
import Foundation
import LedgerCore

/// Reads control lists from files: our JSON, CSV and code-prefixed text formats
/// (specs/control-list-format.md) and the EU Annex I dataset.
///
/// Import is all or nothing: the first malformed line stops it with an error naming
/// `file:line`, and no list is returned.
public enum ControlListImporter {
    /// An input format.
    public enum Format: String, Sendable, CaseIterable {
        case json, csv, text
        /// The EU Annex I dataset (Regulation (EU) 2021/821, consolidated), as published in
        /// `eu-annex-i-*.json`.
        case euAnnex = "eu-annex"
    }

    /// The format of a file, from its name and its first bytes.
    public static func detectFormat(path: String, bytes: [UInt8]) -> Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return .csv }
        let head = String(decoding: bytes.prefix(4096), as: UTF8.self)
        if head.hasPrefix("{") || head.trimmingSpaces().hasPrefix("{") {
            return head.contains("\"celex\"") || head.contains("\"corpus_version\"") ? .euAnnex : .json
        }
        return .text
    }

    /// Imports `bytes` (the content of `path`) in `format`, or the detected format when nil.
    public static func importList(bytes: [UInt8], path: String, format: Format? = nil) throws(ControlListError)
        -> ControlList
    {
        // Every format is UTF-8 text: anything else is refused, never transcoded.
        if let (line, offset) = StrictUTF8.firstError(bytes) {
            throw .malformed("\(path):\(line): byte \(offset): invalid UTF-8")
        }
        let f = format ?? detectFormat(path: path, bytes: bytes)
        switch f {
        case .json: return try ControlListJSON.read(bytes: bytes, path: path)
        case .csv: return try ControlListCSV.read(bytes: bytes, path: path)
        case .text: return try ControlListText.read(bytes: bytes, path: path)
        case .euAnnex: return try EUAnnexImporter.read(bytes: bytes, path: path)
        }
    }

    /// Reads and imports the file at `path`.
    public static func importFile(_ path: String, format: Format? = nil) throws(ControlListError) -> ControlList {
        let bytes: [UInt8]
        do { bytes = try LedgerFiles.read(path) } catch { throw .io(error.message) }
        return try importList(bytes: bytes, path: path, format: format)
    }

    /// JSON limits for list files, which are larger than ledger entries.
    static let limits = JSONLimits(
        maxDepth: 32, maxStringBytes: 1 << 22, maxContainerCount: 1 << 20, maxInputBytes: 1 << 28)

    /// Parses JSON, turning a byte offset in the parser's message into `file:line`.
    static func parseJSON(_ bytes: [UInt8], path: String) throws(ControlListError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes, limits: limits)
        } catch {
            var line = 1
            if let r = error.message.range(of: "at byte "),
                let n = Int(error.message[r.upperBound...].prefix(while: { $0.isNumber }))
            {
                line = 1 + bytes.prefix(n).reduce(0) { $0 + ($1 == 0x0a ? 1 : 0) }
            }
            throw .malformed("\(path):\(line): \(error.message)")
        }
    }

    /// Line numbers (1-based) of each occurrence of `needle` in `bytes`, in order.
    static func lines(of needle: String, in bytes: [UInt8]) -> [Int] {
        let n = Array(needle.utf8)
        guard let first = n.first else { return [] }
        var out: [Int] = []
        var line = 1
        var i = 0
        let count = bytes.count
        bytes.withUnsafeBufferPointer { b in
            while i < count {
                let c = b[i]
                if c == 0x0a {
                    line += 1
                } else if c == first && i + n.count <= count {
                    var ok = true
                    for k in 1..<n.count where b[i + k] != n[k] {
                        ok = false
                        break
                    }
                    if ok {
                        out.append(line)
                        i += n.count
                        continue
                    }
                }
                i += 1
            }
        }
        return out
    }
}

/// Our code-prefixed text format: `# key: value` header lines, then paragraph lines.
public enum ControlListText {
    /// Imports the text format.
    public static func read(bytes: [UInt8], path: String) throws(ControlListError) -> ControlList {
        let text = String(decoding: bytes, as: UTF8.self)
        var meta: [String: String] = [:]
        var lines: [ParagraphTextParser.Line] = []
        var numbers: [Int] = []
        var inHeader = true
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var l = String(raw)
            if l.hasSuffix("\r") { l.removeLast() }
            if l.hasPrefix("#") {
                if inHeader, let colon = l.firstIndex(of: ":") {
                    let k = l[l.index(after: l.startIndex)..<colon].trimmingCharactersSpace()
                    meta[k] = String(l[l.index(after: colon)...]).trimmingSpaces()
                }
                continue
            }
            if l.trimmingSpaces().isEmpty { continue }
            inHeader = false
            lines.append(.init(text: l, location: "\(path):\(i + 1)"))
            numbers.append(i + 1)
        }
        let header = try ListHeader(meta: meta, path: path)
        let entries = try ParagraphTextParser.parse(
            lines, scheme: header.scheme, lineNumber: { numbers[$0] },
            source: { "\(header.citation), \($0.text)" })
        return try header.makeList(entries: entries, bytes: bytes, path: path)
    }
}

/// The metadata every list format carries.
struct ListHeader {
    var jurisdiction: String
    var scheme: CodeScheme
    var instrument: String
    var citation: String
    var versionDate: String
    var attribution: String?
    /// The official dataset's SHA-256 (hex), when the file says it was derived from one.
    var datasetSHA256: String?

    init(meta: [String: String], path: String) throws(ControlListError) {
        func need(_ k: String) throws(ControlListError) -> String {
            guard let v = meta[k], !v.isEmpty else {
                throw .missingField("\(path):1: header field \"\(k)\" is missing")
            }
            return v
        }
        jurisdiction = try need("jurisdiction")
        if let s = meta["scheme"] {
            do { scheme = try CodeScheme(parsing: s) } catch { throw error.prefixed("\(path):1: ") }
        } else {
            scheme = CodeScheme.defaultScheme(forJurisdiction: jurisdiction)
        }
        instrument = try need("instrument")
        citation = try need("citation")
        versionDate = try need("versionDate")
        attribution = meta["attribution"]
        if let d = meta["datasetSHA256"] {
            guard d.utf8.count == 64, d.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
            else {
                throw .malformed("\(path):1: header field \"datasetSHA256\" is not 64 lower-case hex digits")
            }
            datasetSHA256 = d
        }
    }

    func makeList(entries: [ControlEntry], bytes: [UInt8], path: String) throws(ControlListError) -> ControlList {
        do {
            return try ControlList(
                jurisdiction: jurisdiction, scheme: scheme, instrument: instrument, citation: citation,
                versionDate: versionDate,
                sourceSHA256: ControlList.sha256Hex(bytes), datasetSHA256: datasetSHA256, attribution: attribution,
                entries: entries)
        } catch {
            throw error.prefixed("\(path): ")
        }
    }
}

extension Substring {
    func trimmingCharactersSpace() -> String { String(self).trimmingSpaces() }
}
