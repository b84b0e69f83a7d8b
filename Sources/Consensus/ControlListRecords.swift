import LedgerCore
import LedgerCrypto

/// A `list.publish` entry: a control list version that the control-list module published.
///
/// Body: `{"jurisdiction": s, "instrument": s, "citation": s, "versionDate": "YYYY-MM-DD",
/// "sha256": base64 of 32 bytes, "datasetSHA256"?: base64 of 32 bytes, "entries": int ≥ 0}`;
/// any registered signer may write it. `sha256` is the published file's hash, `datasetSHA256`
/// the official dataset's it was derived from (absent in entries written before it existed).
public struct PublishedList: Sendable, Hashable {
    public let entryIndex: UInt64
    public let time: Timestamp
    public let jurisdiction: String
    public let instrument: String
    public let citation: String
    public let versionDate: String
    public let sha256: Digest
    /// The official dataset's hash, when the entry names it.
    public let datasetSHA256: Digest?
    public let entries: Int64
    /// The body as logged.
    public let body: JSONValue

    init(entry: Entry) throws(LedgerError) {
        let r = BodyReader(entry.statement.canonicalBody, kind: "list.publish")
        try r.only(["jurisdiction", "instrument", "citation", "versionDate", "sha256", "datasetSHA256", "entries"])
        jurisdiction = try r.string("jurisdiction")
        guard !jurisdiction.isEmpty else { throw r.fail("jurisdiction", "must not be empty") }
        instrument = try r.string("instrument")
        guard !instrument.isEmpty else { throw r.fail("instrument", "must not be empty") }
        citation = try r.string("citation")
        guard !citation.isEmpty else { throw r.fail("citation", "must not be empty") }
        versionDate = try r.string("versionDate")
        guard Codes.date(versionDate) != nil else {
            throw r.fail("versionDate", "\"\(versionDate)\" is not a date YYYY-MM-DD")
        }
        sha256 = try r.digest("sha256")
        datasetSHA256 = r.has("datasetSHA256") ? try r.digest("datasetSHA256") : nil
        entries = try r.integer("entries")
        guard entries >= 0 else { throw r.fail("entries", "must not be negative") }
        entryIndex = entry.index
        time = entry.time
        body = entry.statement.body
    }
}

/// A `finding.review` entry: a reviewer's verdict on a conflict finding.
///
/// Body: `{"finding": s, "status": "reviewed"|"accepted"|"dismissed", "note"?: s}`; any
/// registered signer may write it.
public struct FindingReview: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable { case reviewed, accepted, dismissed }

    public let entryIndex: UInt64
    public let time: Timestamp
    public let finding: String
    public let status: Status
    public let note: String?
    /// The reviewer's key name.
    public let reviewer: String

    init(entry: Entry) throws(LedgerError) {
        let r = BodyReader(entry.statement.canonicalBody, kind: "finding.review")
        try r.only(["finding", "status", "note"])
        finding = try r.string("finding")
        guard !finding.isEmpty else { throw r.fail("finding", "must not be empty") }
        let s = try r.string("status")
        guard let st = Status(rawValue: s) else {
            throw r.fail("status", "\"\(s)\" is not reviewed, accepted or dismissed")
        }
        status = st
        note = try r.optionalString("note")
        entryIndex = entry.index
        time = entry.time
        reviewer = entry.statement.signer.name
    }
}
