extension NoteVerifierKey {
    /// The key ID as 8 lowercase hex digits, as in the vkey.
    public var keyIDHex: String { NoteName.hex8(keyID) }

    /// `name+hex8(keyID)`: how messages and reports name a key, short of its whole vkey.
    public var label: String { "\(name)+\(keyIDHex)" }
}

extension SignedNote.Signature {
    /// `name+hex8(keyID)` of the key the line claims to be by.
    public var label: String { "\(name)+\(NoteName.hex8(keyID))" }
}
