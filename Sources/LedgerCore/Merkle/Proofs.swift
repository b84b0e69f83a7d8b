import LedgerCrypto

/// An inclusion proof in its JSON form: `{"index","treeSize","leafHash","hashes"}`.
public struct InclusionProof: Sendable, Hashable {
    public let index: UInt64
    public let treeSize: UInt64
    public let leafHash: Digest
    /// Raw hashes as given (a wrong length is caught by the verifier, not here).
    public let hashes: [[UInt8]]

    public init(index: UInt64, treeSize: UInt64, leafHash: Digest, hashes: [[UInt8]]) {
        self.index = index
        self.treeSize = treeSize
        self.leafHash = leafHash
        self.hashes = hashes
    }

    public var json: JSONValue {
        .object([
            "index": .integer(Int64(index)), "treeSize": .integer(Int64(treeSize)),
            "leafHash": .string(leafHash.base64),
            "hashes": .array(hashes.map { .string(Base64.encode($0)) }),
        ])
    }

    public init(json: JSONValue) throws(LedgerError) {
        guard let i = json["index"]?.integerValue, i >= 0, let n = json["treeSize"]?.integerValue, n >= 0 else {
            throw .malformed("inclusion proof needs integer index and treeSize")
        }
        guard let lh = json["leafHash"]?.stringValue, let leaf = Digest(base64: lh) else {
            throw .malformed("inclusion proof leafHash must be base64 of 32 bytes")
        }
        self.init(index: UInt64(i), treeSize: UInt64(n), leafHash: leaf, hashes: try ProofJSON.hashes(json))
    }

    /// Checks the proof against `root` (RFC 9162 §2.1.3.2).
    public func verify(root: Digest) throws(LedgerError) {
        try ProofVerifier.verifyInclusion(
            index: index, treeSize: treeSize, leafHash: leafHash, proof: hashes, root: root)
    }
}

/// A consistency proof in its JSON form: `{"size1","size2","hashes"}`.
public struct ConsistencyProof: Sendable, Hashable {
    public let size1: UInt64
    public let size2: UInt64
    public let hashes: [[UInt8]]

    public init(size1: UInt64, size2: UInt64, hashes: [[UInt8]]) {
        self.size1 = size1
        self.size2 = size2
        self.hashes = hashes
    }

    public var json: JSONValue {
        .object([
            "size1": .integer(Int64(size1)), "size2": .integer(Int64(size2)),
            "hashes": .array(hashes.map { .string(Base64.encode($0)) }),
        ])
    }

    public init(json: JSONValue) throws(LedgerError) {
        guard let m = json["size1"]?.integerValue, m >= 0, let n = json["size2"]?.integerValue, n >= 0 else {
            throw .malformed("consistency proof needs integer size1 and size2")
        }
        self.init(size1: UInt64(m), size2: UInt64(n), hashes: try ProofJSON.hashes(json))
    }

    /// Checks the proof between two roots (RFC 9162 §2.1.4.2).
    public func verify(root1: Digest, root2: Digest) throws(LedgerError) {
        try ProofVerifier.verifyConsistency(size1: size1, size2: size2, proof: hashes, root1: root1, root2: root2)
    }
}

enum ProofJSON {
    static func hashes(_ json: JSONValue) throws(LedgerError) -> [[UInt8]] {
        guard let arr = json["hashes"]?.arrayValue else { throw .malformed("proof needs a hashes array") }
        var out = [[UInt8]]()
        for (k, v) in arr.enumerated() {
            guard let s = v.stringValue, let b = Base64.decode(s) else {
                throw .malformed("proof hash \(k) is not base64")
            }
            out.append(b)
        }
        return out
    }
}

/// A C2SP tlog-proof bundle: `c2sp.org/tlog-proof@v1`, optional `extra`, `index N`, the
/// inclusion hashes one per line, a blank line, then the signed checkpoint.
public struct TlogProof: Sendable {
    public static let header = "c2sp.org/tlog-proof@v1"
    public let extra: [UInt8]?
    public let index: UInt64
    public let hashes: [[UInt8]]
    public let checkpoint: SignedNote

    public init(extra: [UInt8]? = nil, index: UInt64, hashes: [[UInt8]], checkpoint: SignedNote) {
        self.extra = extra
        self.index = index
        self.hashes = hashes
        self.checkpoint = checkpoint
    }

    public var serialized: String {
        var s = TlogProof.header + "\n"
        if let extra { s += "extra \(Base64.encode(extra))\n" }
        s += "index \(index)\n"
        for h in hashes { s += Base64.encode(h) + "\n" }
        return s + "\n" + checkpoint.serialized
    }

    public init(parsing text: String) throws(LedgerError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard lines.first == Substring(TlogProof.header) else {
            throw .malformed("tlog-proof must start with \(TlogProof.header)")
        }
        lines = lines.dropFirst()
        var extra: [UInt8]?
        if let l = lines.first, l.hasPrefix("extra ") {
            guard let b = Base64.decode(String(l.dropFirst(6))) else {
                throw .malformed("tlog-proof extra is not base64")
            }
            extra = b
            lines = lines.dropFirst()
        }
        guard let il = lines.first, il.hasPrefix("index "), let idx = UInt64(il.dropFirst(6)),
            String(idx) == il.dropFirst(6)
        else { throw .malformed("tlog-proof needs an 'index N' line") }
        lines = lines.dropFirst()
        var hashes = [[UInt8]]()
        while let l = lines.first, !l.isEmpty {
            guard let b = Base64.decode(String(l)) else { throw .malformed("tlog-proof hash line is not base64") }
            hashes.append(b)
            lines = lines.dropFirst()
        }
        guard lines.first == "" else { throw .malformed("tlog-proof needs a blank line before the checkpoint") }
        lines = lines.dropFirst()
        let note = try SignedNote(parsing: lines.joined(separator: "\n"))
        self.init(extra: extra, index: idx, hashes: hashes, checkpoint: note)
    }
}
