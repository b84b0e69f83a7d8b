/// The membership change carried by a `charter-amendment` measure.
public struct CharterAmendment: Sendable, Hashable {
    /// Parties that join (usually accession candidates).
    public var accede: [String]
    /// Parties that leave.
    public var withdraw: [String]

    public init(accede: [String] = [], withdraw: [String] = []) {
        self.accede = accede
        self.withdraw = withdraw
    }
}
