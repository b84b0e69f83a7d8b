import LedgerCrypto

/// Reads leaves of one kind without building an ``Entry``: for replays, where nearly every
/// entry is of one kind and only a few of its fields are needed.
///
/// A scanner keeps its buffers from one leaf to the next, so reading a leaf allocates only
/// what the caller builds from it. It accepts exactly the leaves that the fast path of
/// ``Entry/init(leaf:signers:)`` accepts. For any other leaf it returns nil, and the caller
/// uses `Entry(leaf:)`, which gives the error if there is one.
package struct LeafScanner {
    /// What a replay needs of an entry besides its body.
    package struct Header: Sendable {
        package let index: UInt64
        /// The log's integration time.
        package let time: Timestamp
        package let signer: NoteVerifierKey
    }

    private var signers = SignerCache()
    private var members: [CanonicalObject.Member]? = []
    private var bytes: [UInt8] = []

    package init() {}

    /// Reads `raw` when it is a leaf of kind `kind` on the fast path, and returns what `read`
    /// makes of its header and a reader of its body; nil for any other leaf.
    ///
    /// The reader's storage is reused for the next leaf once `read` has returned: a copy kept
    /// past that point stays valid, but costs an allocation at the next leaf.
    package mutating func read<R>(
        _ raw: UnsafeRawBufferPointer, kind: String, _ read: (Header, BodyReader) -> R
    ) -> R? {
        guard raw.count <= Entry.maxBytes else { return nil }
        members!.removeAll(keepingCapacity: true)
        guard let p = Entry.scanParts(raw, signers: &signers, members: &members) else { return nil }
        var kind = kind
        let sameKind = kind.withUTF8 { k in
            k.count == p.kind.count
                && (k.count == 0 || memcmp(k.baseAddress!, raw.baseAddress! + p.kind.lowerBound, k.count) == 0)
        }
        guard sameKind else { return nil }
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[p.body]))
        let body = BodyReader(CanonicalObject(bytes: bytes, members: members!), kind: kind)
        return read(Header(index: p.index, time: p.time, signer: p.signer), body)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
