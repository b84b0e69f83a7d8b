import ControlCodes
import LedgerCore

/// Renders diffs for analysts: a terminal table, JSON, Markdown or CSV.
public enum DiffFormat: String, Sendable, CaseIterable {
    case table, json, markdown, csv
}

extension ListDiff.ListRef {
    public var label: String {
        "\(jurisdiction) \(instrument) (\(versionDate))" + (ledgerIndex.map { " [ledger entry \($0)]" } ?? "")
    }
    var json: JSONValue {
        var o: [String: JSONValue] = [
            "jurisdiction": .string(jurisdiction), "instrument": .string(instrument),
            "versionDate": .string(versionDate),
            "sha256": .string(sha256), "datasetSHA256": .string(datasetSHA256),
        ]
        if let i = ledgerIndex { o["ledgerIndex"] = .integer(i) }
        return .object(o)
    }
}

extension ListDiff {
    /// The diff in `format`.
    public func render(_ format: DiffFormat) -> String {
        switch format {
        case .json: return PrettyJSON.render(json) + "\n"
        case .table: return table
        case .markdown: return markdown
        case .csv: return csv
        }
    }

    public var json: JSONValue {
        .object([
            "kind": "list-version-diff", "old": old.json, "new": new.json,
            "counts": .object(
                Dictionary(
                    uniqueKeysWithValues: Kind.allCases.map { ($0.rawValue, JSONValue.integer(Int64(counts[$0] ?? 0))) }
                )),
            "changes": .array(changes.map(\.json)),
        ])
    }

    public var table: String {
        var s =
            "Old: \(old.label)  \(old.hashes(short: true))\nNew: \(new.label)  \(new.hashes(short: true))\n"
        s += Kind.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: " · ") + "\n\n"
        var rows: [[String]] = [["CHANGE", "CODE", "DETAIL"]]
        for c in changes { rows.append([c.kind.rawValue, c.codeLabel, c.detail(markdown: false)]) }
        return s + TextTable.render(rows, maxWidth: [18, 28, 110])
    }

    public var markdown: String {
        var s =
            "## Control list changes\n\n- **Old:** \(old.label), \(old.hashes(short: false))\n- **New:** \(new.label), "
            + "\(new.hashes(short: false))\n\n"
        s +=
            "| " + Kind.allCases.map(\.rawValue).joined(separator: " | ") + " |\n|"
            + String(repeating: "---|", count: Kind.allCases.count) + "\n"
        s += "| " + Kind.allCases.map { String(counts[$0] ?? 0) }.joined(separator: " | ") + " |\n\n"
        s += "| Change | Code | Detail |\n|---|---|---|\n"
        for c in changes { s += "| \(c.kind.rawValue) | `\(c.codeLabel)` | \(mdCell(c.detail(markdown: true))) |\n" }
        return s
    }

    public var csv: String {
        var s = "change,old_code,new_code,old_status,new_status,parameter_changes,word_diff,text\n"
        for c in changes {
            s +=
                [
                    c.kind.rawValue, c.oldCode?.text ?? "", c.newCode?.text ?? "", c.oldStatus?.rawValue ?? "",
                    c.newStatus?.rawValue ?? "",
                    c.parameterChanges.map { "\($0.term): \($0.summary)" }.joined(separator: "; "),
                    c.wordDiff?.inline(context: 1_000) ?? "", c.text,
                ].map(ControlListCSV.csvField).joined(separator: ",") + "\n"
        }
        return s
    }
}

extension ListDiff.Change {
    var codeLabel: String {
        switch kind {
        case .moved: return "\(oldCode!.text) → \(newCode!.text)"
        default: return code.text
        }
    }

    func detail(markdown md: Bool) -> String {
        var parts: [String] = []
        switch kind {
        case .added: parts.append(short(text))
        case .removed: parts.append(short(text))
        case .statusChanged: parts.append("\(oldStatus!.rawValue) → \(newStatus!.rawValue)")
        case .moved:
            parts.append(
                similarity == 1 ? "same text" : "similar text (\(Int((similarity ?? 0) * 100))% of words shared)")
        default: break
        }
        if !parameterChanges.isEmpty {
            parts.append(parameterChanges.map { "\($0.term): \($0.summary)" }.joined(separator: "; "))
        }
        if let w = wordDiff, w.hasChanges, kind != .added, kind != .removed {
            parts.append(md ? w.inline(removed: { "~~\($0)~~" }, added: { "**\($0)**" }) : w.inline())
        }
        return parts.joined(separator: " — ")
    }

    var json: JSONValue {
        var o: [String: JSONValue] = ["kind": .string(kind.rawValue), "text": .string(text)]
        if let c = oldCode { o["oldCode"] = .string(c.text) }
        if let c = newCode { o["newCode"] = .string(c.text) }
        if let s = oldStatus { o["oldStatus"] = .string(s.rawValue) }
        if let s = newStatus { o["newStatus"] = .string(s.rawValue) }
        if let sim = similarity { o["similarityPercent"] = .integer(Int64((sim * 100).rounded())) }
        if !parameterChanges.isEmpty {
            o["parameterChanges"] = .array(
                parameterChanges.map { pc in
                    var p: [String: JSONValue] = ["term": .string(pc.term), "summary": .string(pc.summary)]
                    if let x = pc.old { p["old"] = ControlListJSON.parameterJSON(x) }
                    if let x = pc.new { p["new"] = ControlListJSON.parameterJSON(x) }
                    return .object(p)
                })
        }
        if let w = wordDiff, w.hasChanges {
            o["wordDiff"] = .array(
                w.ops.map { op in
                    switch op {
                    case .same(let x): return ["op": "same", "words": .string(x.joined(separator: " "))]
                    case .removed(let x): return ["op": "removed", "words": .string(x.joined(separator: " "))]
                    case .added(let x): return ["op": "added", "words": .string(x.joined(separator: " "))]
                    }
                })
        }
        return .object(o)
    }
}

extension JurisdictionDiff {
    public func render(_ format: DiffFormat) -> String {
        switch format {
        case .json: return PrettyJSON.render(json) + "\n"
        case .table: return table
        case .markdown: return markdown
        case .csv: return csv
        }
    }

    var summaryLine: String {
        "A only \(rows(.aOnly).count) · B only \(rows(.bOnly).count) · both, different thresholds "
            + "\(rows(.differentThresholds).count) · overlap, not compared \(rows(.overlapNotCompared).count) · both "
            + "alike \(rows(.alike).count)"
    }

    public var json: JSONValue {
        .object([
            "kind": "jurisdiction-diff", "a": a.json, "b": b.json,
            "counts": .object(
                Dictionary(
                    uniqueKeysWithValues: Status.allCases.map {
                        ($0.rawValue, JSONValue.integer(Int64(rows($0).count)))
                    })),
            "rows": .array(rows.map(\.json)),
        ])
    }

    public var table: String {
        var s =
            "A: \(a.label)\nB: \(b.label)\n\(summaryLine)\n(\"A only\" = absent from B's file, which may be a "
            + "subset)\n\n"
        var t: [[String]] = [["STATUS", "A", "B", "LINK", "ITEM", "THRESHOLDS"]]
        for r in rows where r.status != .aOnly {
            t.append([
                r.status.rawValue, r.aCode?.text ?? "—", r.bCode?.text ?? "—", r.relation, r.heading,
                [r.thresholdSummary, r.note].filter { !$0.isEmpty }.joined(separator: "; "),
            ])
        }
        s += TextTable.render(t, maxWidth: [26, 8, 8, 14, 60, 60])
        s += "\n" + aOnlySummary(markdown: false)
        return s
    }

    public var markdown: String {
        var s = "## \(a.jurisdiction) vs \(b.jurisdiction): control list comparison\n\n"
        s +=
            "- **A:** \(a.label), \(a.hashes(short: false))\n- **B:** \(b.label), \(b.hashes(short: false))\n- "
            + "\(summaryLine)\n"
        s += "- Items match by shared Wassenaar/EU/US numbering (regime digits 0–4) or through the correlation tables; "
        s +=
            "thresholds are compared paragraph by paragraph. \"A only\" means absent from B's file, which may be a "
            + "subset.\n\n"
        let sections: [(Status, String)] = [
            (.differentThresholds, "Controlled by both, at different thresholds"),
            (.overlapNotCompared, "Controlled by both, not compared (overlap without comparable thresholds)"),
            (.bOnly, "Controlled by B only"), (.alike, "Controlled by both alike"),
        ]
        for (st, title) in sections {
            let rs = rows(st)
            s += "### \(title) (\(rs.count))\n\n"
            if rs.isEmpty {
                s += "None.\n\n"
                continue
            }
            s += "| A | B | Link | Item | Thresholds | Note |\n|---|---|---|---|---|---|\n"
            for r in rs {
                s +=
                    "| \(r.aCode.map { "`\($0.text)`" } ?? "—") | \(r.bCode.map { "`\($0.text)`" } ?? "—") | "
                    + "\(r.relation) | \(mdCell(r.heading)) | \(mdCell(r.thresholdSummary)) | \(mdCell(r.note)) |\n"
            }
            s += "\n"
        }
        s += "### Controlled by A only (\(rows(.aOnly).count))\n\n" + aOnlySummary(markdown: true)
        return s
    }

    public var csv: String {
        var s = "status,a_code,b_code,relation,heading,a_paragraphs,b_paragraphs,thresholds_compared,disparities,note\n"
        for r in rows {
            s +=
                [
                    r.status.rawValue, r.aCode?.text ?? "", r.bCode?.text ?? "", r.relation, r.heading,
                    String(r.aParagraphs), String(r.bParagraphs),
                    String(r.thresholdsCompared), r.disparities.map(\.summary).joined(separator: "; "), r.note,
                ].map(ControlListCSV.csvField).joined(separator: ",") + "\n"
        }
        return s
    }

    /// A-only stems grouped by category, which keeps a whole-list vs subset comparison readable.
    func aOnlySummary(markdown md: Bool) -> String {
        let rs = rows(.aOnly)
        if rs.isEmpty { return md ? "None.\n" : "A only: none\n" }
        var byCat: [String: [Row]] = [:]
        for r in rs { byCat[String(r.aCode!.text.prefix(2)), default: []].append(r) }
        var s = md ? "" : "A only, by category and product group (\(rs.count) entries):\n"
        for k in byCat.keys.sorted() {
            let codes = byCat[k]!.map {
                $0.note.isEmpty
                    ? $0.aCode!.text : "\($0.aCode!.text) (\($0.note.hasSuffix("not-used") ? "not used" : $0.note))"
            }
            s +=
                md
                ? "- **\(k)** (\(codes.count)): " + codes.joined(separator: ", ") + "\n"
                : "  \(k) (\(codes.count)): " + codes.joined(separator: ", ") + "\n"
        }
        return s
    }
}

extension JurisdictionDiff.Row {
    var thresholdSummary: String {
        if !disparities.isEmpty { return disparities.map(\.summary).joined(separator: "; ") }
        if thresholdsCompared > 0 { return "\(thresholdsCompared) threshold(s) equal" }
        return ""
    }

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "status": .string(status.rawValue), "relation": .string(relation), "heading": .string(heading),
            "aParagraphs": .integer(Int64(aParagraphs)), "bParagraphs": .integer(Int64(bParagraphs)),
            "pairsCompared": .integer(Int64(pairsCompared)), "thresholdsCompared": .integer(Int64(thresholdsCompared)),
            "disparities": .array(
                disparities.map {
                    [
                        "aCode": .string($0.aCode.text), "bCode": .string($0.bCode.text), "term": .string($0.term),
                        "a": ControlListJSON.parameterJSON($0.a), "b": ControlListJSON.parameterJSON($0.b),
                        "verdict": .string($0.verdict),
                    ]
                }),
        ]
        if let c = aCode { o["aCode"] = .string(c.text) }
        if let c = bCode { o["bCode"] = .string(c.text) }
        if !note.isEmpty { o["note"] = .string(note) }
        return .object(o)
    }
}

extension JurisdictionDiff.Disparity {
    /// `3B001.f.1.a light source wavelength: A < 193 nm, B < 248 nm (B stricter)`.
    public var summary: String {
        "\(aCode.text)/\(bCode.text) \(term): A \(a.threshold), B \(b.threshold) (\(verdict))"
    }
}

func mdCell(_ s: String) -> String {
    s.replacingNewlines().split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
}

/// A plain-text table with truncated columns.
enum TextTable {
    static func render(_ rows: [[String]], maxWidth: [Int]) -> String {
        guard let cols = rows.first?.count else { return "" }
        let cells = rows.map { r in
            r.enumerated().map { i, c -> String in
                let flat = c.replacingNewlines()
                let w = i < maxWidth.count ? maxWidth[i] : 40
                return flat.count > w ? String(flat.prefix(w - 1)) + "…" : flat
            }
        }
        var widths = [Int](repeating: 0, count: cols)
        for r in cells { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        var s = ""
        for (n, r) in cells.enumerated() {
            var line = ""
            for (i, c) in r.enumerated() {
                line += i == cols - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 2)
            }
            s += line + "\n"
            if n == 0 {
                s +=
                    widths.enumerated().map {
                        String(repeating: "-", count: $0.element) + ($0.offset == cols - 1 ? "" : "  ")
                    }.joined() + "\n"
            }
        }
        return s
    }
}

/// The first 160 characters of a text, on one line.
func short(_ s: String) -> String {
    let flat = s.replacingNewlines()
    return flat.count > 160 ? String(flat.prefix(159)) + "…" : flat
}

extension ListDiff.ListRef {
    /// Both hashes, labelled: the file compared and the official dataset it came from (one
    /// hash when they are the same file).
    public func hashes(short: Bool) -> String {
        let f = short ? String(sha256.prefix(16)) + "…" : "`\(sha256)`"
        guard datasetSHA256 != sha256, !datasetSHA256.isEmpty else { return "file and dataset SHA-256 \(f)" }
        let d = short ? String(datasetSHA256.prefix(16)) + "…" : "`\(datasetSHA256)`"
        return "file SHA-256 \(f), dataset SHA-256 \(d)"
    }
}
