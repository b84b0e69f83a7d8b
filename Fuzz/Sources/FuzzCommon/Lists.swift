import ControlCodes
import ControlLists

/// What an export keeps of an entry: everything but the source line it was read from and
/// why a parameter taken from the text lacks a term (the JSON and CSV forms give parameters
/// explicitly, so a re-import has no such reason).
func exported(_ list: ControlList) -> [ControlEntry] {
    list.entries.map {
        var e = $0
        e.line = nil
        for i in e.parameters.indices { e.parameters[i].unparsedReason = nil }
        return e
    }
}

/// What CSV keeps for certain, as the import tests check it: a note is one line of its cell,
/// so a note's line breaks do not survive.
/// An empty `parameters` cell means "extract them from the text", so CSV cannot say that an
/// entry has none: parameters are compared where the original list has some.
func csvView(_ list: ControlList, like original: ControlList) -> [String] {
    zip(list.entries, original.entries).map { e, o in
        "\(e.code)|\(e.status)|\(e.text)|\(e.notes.count)|"
            + "\(o.parameters.isEmpty ? [] : e.parameters.map(\.description))"
    } + (list.entries.count == original.entries.count ? [] : ["\(list.entries.count) entries"])
}

/// An imported list must survive our JSON format, and its entries our CSV format, as far as
/// the import tests check them on the curated lists.
public func checkRoundTrip(_ list: ControlList) {
    let json = Array(ControlListJSON.encode(list).utf8)
    let back = Result { () throws(ControlListError) in
        try ControlListImporter.importList(bytes: json, path: "rt.json", format: .json)
    }
    guard case .success(let b) = back else {
        preconditionFailure("an imported list's JSON encoding does not import: \(back)")
    }
    precondition(
        exported(b) == exported(list),
        "an imported list's JSON encoding imports different entries: "
            + "\(difference(exported(b), exported(list)))")
    // A parameters cell has no escapes: `;` separates items and `|` fields (a term may hold
    // `|`, the last three fields may not). Such parameters cannot be written to CSV.
    let unwritable = list.entries.contains { e in
        e.parameters.contains { p in
            (p.term + p.value + p.unit).utf8.contains(0x3B) || (p.value + p.unit).utf8.contains(0x7C)
        }
    }
    if unwritable { return }
    let csv = Array(ControlListCSV.encode(list).utf8)
    let back2 = Result { () throws(ControlListError) in
        try ControlListImporter.importList(bytes: csv, path: "rt.csv", format: .csv)
    }
    guard case .success(let b2) = back2 else {
        preconditionFailure(
            "an imported list's CSV encoding does not import: \(back2)\n\(String(decoding: csv, as: UTF8.self))")
    }
    precondition(
        csvView(b2, like: list) == csvView(list, like: list),
        "an imported list's CSV encoding imports different entries: \(difference(exported(b2), exported(list)))")
}

func difference(_ a: [ControlEntry], _ b: [ControlEntry]) -> String {
    guard a.count == b.count else { return "\(a.count) entries, not \(b.count)" }
    for (x, y) in zip(a, b) where x != y {
        return "\(x) instead of \(y); parameters \(x.parameters.map(fields)) instead of \(y.parameters.map(fields))"
    }
    return "none"
}

func fields(_ p: Parameter) -> String {
    "\(p.term)|\(p.comparator)|\(p.value)|\(p.unit)|\(p.baseValue)|\(p.baseUnit)|\(p.unparsedReason ?? "-")"
}
