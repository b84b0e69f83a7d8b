import ControlCodes
import LedgerCore

/// One table across N jurisdictions' lists: per item group, who controls it, at which
/// thresholds, and where they differ (`ledger list compare`, specs/control-list-format.md §6.3).
///
/// The first list is the reference: every other list is read against it through
/// ``JurisdictionDiff`` (shared numbering and the correlation tables), so a row is a stem of the
/// reference list, or a stem that only one other list controls.
public struct ListComparison: Sendable {
    /// What one list says of a row's item group.
    public struct Cell: Sendable, Hashable {
        /// The list's codes for the group (empty: the list does not control it).
        public var codes: [ItemCode]
        /// How the list was matched to the reference (`same number`, `equivalent`, …).
        public var relation: String
        /// Its status against the reference, from ``JurisdictionDiff`` (nil for the reference).
        public var status: JurisdictionDiff.Status?
        /// Thresholds that differ from the reference's, as "term: this vs reference (verdict)".
        public var disparities: [String]
        /// Why the overlap was not compared, when it was not.
        public var note: String

        public var controls: Bool { !codes.isEmpty }
    }

    public enum Verdict: String, Sendable, Hashable, CaseIterable {
        /// Every list controls the group and all compared thresholds agree.
        case alike
        /// At least one list states a different threshold for the same term.
        case thresholdsDiffer = "thresholds-differ"
        /// Lists overlap but could not be compared (no comparable thresholds, texts differ).
        case notCompared = "overlap-not-compared"
        /// Some lists do not control the group at all.
        case notAllControl = "not-all-control"
    }

    public struct Row: Sendable, Hashable {
        public var heading: String
        /// One cell per list, in the order the lists were given.
        public var cells: [Cell]
        /// Every verdict that applies, most concerning first.
        public var verdicts: [Verdict]
        /// The jurisdictions that control the group.
        public var controlledBy: [String]
    }

    public var lists: [ListDiff.ListRef]
    public var rows: [Row]

    /// Compares `lists` (at least two) with `lists[0]` as the reference.
    public init(_ lists: [ControlList], correlations: CorrelationTable, ledgerIndexes: [Int64?]? = nil) {
        precondition(lists.count >= 2, "a comparison needs two lists or more")
        self.lists = lists.enumerated().map { ListDiff.ListRef($1, ledgerIndex: ledgerIndexes?[$0] ?? nil) }
        let ref = lists[0]
        let n = lists.count
        let empty = Cell(codes: [], relation: "", status: nil, disparities: [], note: "")
        // Reference stems, in code order, each with one cell per list.
        var byStem: [ItemCode: [Cell]] = [:]
        for s in ref.stems {
            var cells = [Cell](repeating: empty, count: n)
            cells[0] = Cell(codes: [s.code], relation: "reference", status: nil, disparities: [], note: "")
            byStem[s.code] = cells
        }
        var headings: [ItemCode: String] = [:]
        for s in ref.stems { headings[s.code] = ref.stemHeading(s.code) }
        var othersOnly: [(Int, JurisdictionDiff.Row)] = []
        for k in 1..<n {
            let d = JurisdictionDiff(a: ref, b: lists[k], correlations: correlations)
            for r in d.rows {
                switch r.status {
                case .aOnly:
                    continue
                case .bOnly:
                    othersOnly.append((k, r))
                case .alike, .differentThresholds, .overlapNotCompared:
                    guard let a = r.aCode, let b = r.bCode, byStem[a] != nil else { continue }
                    var cell = byStem[a]![k]
                    if !cell.codes.contains(b) { cell.codes.append(b) }
                    cell.relation = cell.relation.isEmpty ? r.relation : cell.relation
                    // The most concerning status wins when several stems of B match one of A.
                    if cell.status.map({ ListComparison.rank($0) > ListComparison.rank(r.status) }) ?? true {
                        cell.status = r.status
                    }
                    cell.disparities += r.disparities.map {
                        "\($0.term): \($0.b.threshold) vs \($0.a.threshold) (\(ListComparison.flip($0.verdict)))"
                    }
                    if r.status == .overlapNotCompared, !r.note.isEmpty { cell.note = r.note }
                    byStem[a]![k] = cell
                    if headings[a, default: ""].isEmpty { headings[a] = r.heading }
                }
            }
        }
        let jurisdictions = lists.map(\.jurisdiction)
        func row(_ heading: String, _ cells: [Cell]) -> Row {
            var v: [Verdict] = []
            if cells.contains(where: { $0.status == .differentThresholds }) { v.append(.thresholdsDiffer) }
            if cells.contains(where: { $0.status == .overlapNotCompared }) { v.append(.notCompared) }
            if cells.contains(where: { !$0.controls }) { v.append(.notAllControl) }
            if v.isEmpty { v = [.alike] }
            let by = cells.enumerated().filter { $0.element.controls }.map { jurisdictions[$0.offset] }
            return Row(heading: heading, cells: cells, verdicts: v, controlledBy: by)
        }
        var rows = ref.stems.map { row(headings[$0.code] ?? "", byStem[$0.code]!) }
        for (k, r) in othersOnly {
            var cells = [Cell](repeating: empty, count: n)
            cells[k] = Cell(codes: [r.bCode!], relation: "", status: .bOnly, disparities: [], note: r.note)
            rows.append(row(r.heading, cells))
        }
        self.rows = rows
    }

    /// Rows that more than one list controls or that the reference does not: where an analyst
    /// looks first. Rows only the reference controls are summarized by ``referenceOnly``.
    public var rowsOfInterest: [Row] { rows.filter { $0.controlledBy.count > 1 || !$0.cells[0].controls } }

    /// Rows only the reference list controls.
    public var referenceOnly: [Row] { rows.filter { $0.controlledBy.count == 1 && $0.cells[0].controls } }

    static func rank(_ s: JurisdictionDiff.Status) -> Int {
        switch s {
        case .differentThresholds: return 0
        case .overlapNotCompared: return 1
        case .alike: return 2
        case .bOnly, .aOnly: return 3
        }
    }

    /// A verdict read from the other list's side ("A stricter" in a diff against the
    /// reference means the reference is stricter).
    static func flip(_ verdict: String) -> String {
        switch verdict {
        case "A stricter": return "reference stricter"
        case "B stricter": return "this list stricter"
        default: return verdict
        }
    }

    public var json: JSONValue {
        .object([
            "kind": "list-comparison",
            "lists": .array(lists.map(\.json)),
            "rows": .array(
                rows.map { r in
                    .object([
                        "heading": .string(r.heading),
                        "verdicts": .array(r.verdicts.map { .string($0.rawValue) }),
                        "controlledBy": .array(r.controlledBy.map { .string($0) }),
                        "cells": .array(
                            r.cells.map { c in
                                var o: [String: JSONValue] = [
                                    "codes": .array(c.codes.map { .string($0.text) }),
                                    "disparities": .array(c.disparities.map { .string($0) }),
                                ]
                                if !c.relation.isEmpty { o["relation"] = .string(c.relation) }
                                if let s = c.status { o["status"] = .string(s.rawValue) }
                                if !c.note.isEmpty { o["note"] = .string(c.note) }
                                return .object(o)
                            }),
                    ])
                }),
        ])
    }
}
