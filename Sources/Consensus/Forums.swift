/// The four forums as they stand in November 2026, with the sources of their membership and
/// decision rules (see `../shared/REFERENCES.md`, "The forums (checked November 2026)").
///
/// These are the bodies that `ledger forum charter` logs as `forum.charter` entries.
public enum Forums {
    /// The WTO definition of consensus that every charter below follows.
    static let wtoConsensus =
        "WTO Agreement (Marrakesh, 1994), Art. IX:1, footnote 1: a decision is taken by consensus if no Member present "
        + "formally objects"

    /// Group of Seven.
    public static let g7 = ForumCharter(
        id: "G7", name: "Group of Seven",
        parties: ["CA", "FR", "DE", "IT", "JP", "GB", "US", "EU"], nonEnumerated: ["EU"],
        rule: .consensus, defaultDeadlineDays: 30,
        sources: [
            "Membership: Canada, France, Germany, Italy, Japan, the United Kingdom and the United States; the European "
                + "Union takes part as a non-enumerated member (G7 Apulia Leaders' Communiqué, 15 June 2024)",
            "Decision rule: no treaty; outcomes are political commitments agreed by consensus",
            wtoConsensus,
            "Checked November 2026 (project REFERENCES.md, The forums)",
        ])

    /// The Quadrilateral Security Dialogue.
    public static let quad = ForumCharter(
        id: "Quad", name: "Quadrilateral Security Dialogue",
        parties: ["AU", "IN", "JP", "US"],
        rule: .consensus, defaultDeadlineDays: 30,
        sources: [
            "Membership: Australia, India, Japan and the United States (Wilmington Declaration, Joint Statement of the "
                + "Quad Leaders, 21 September 2024)",
            "Decision rule: leaders' joint statements; treated as consensus of all four",
            wtoConsensus,
            "Checked November 2026 (project REFERENCES.md, The forums)",
        ])

    /// The Comprehensive and Progressive Agreement for Trans-Pacific Partnership.
    public static let cptpp = ForumCharter(
        id: "CPTPP", name: "Comprehensive and Progressive Agreement for Trans-Pacific Partnership",
        parties: ["AU", "BN", "CA", "CL", "JP", "MY", "MX", "NZ", "PE", "SG", "VN", "GB"],
        candidates: ["CR", "UY"],
        rule: .consensus, defaultDeadlineDays: 60,
        sources: [
            "Membership: the eleven original signatories (Santiago, 8 March 2018) and the United Kingdom (in force 15 "
                + "December 2024)",
            "Decision rule: CPTPP (incorporating TPP) Art. 27.3, the Commission decides by consensus",
            "Accession candidates (e.g. Costa Rica, Uruguay) may comment but cannot block",
            wtoConsensus,
            "Checked November 2026 (project REFERENCES.md, The forums)",
        ])

    /// The Regional Comprehensive Economic Partnership.
    public static let rcep = ForumCharter(
        id: "RCEP", name: "Regional Comprehensive Economic Partnership",
        parties: ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "AU", "CN", "JP", "KR", "NZ"],
        rule: .consensus, defaultDeadlineDays: 60,
        sources: [
            "Membership: the ten ASEAN Member States and Australia, China, Japan, Korea and New Zealand (RCEP "
                + "Agreement, signed 15 November 2020; in force for all fifteen since 2 June 2023)",
            "Decision rule: RCEP Agreement Art. 18.1.2, the RCEP Joint Committee of Ministers decides by consensus",
            wtoConsensus,
            "Checked November 2026 (project REFERENCES.md, The forums)",
        ])

    /// All four, in the order they are chartered.
    public static let all: [ForumCharter] = [g7, quad, cptpp, rcep]

    /// The built-in charter with `id` (case-insensitive).
    public static func named(_ id: String) -> ForumCharter? {
        all.first { $0.id.lowercased() == id.lowercased() }
    }
}
