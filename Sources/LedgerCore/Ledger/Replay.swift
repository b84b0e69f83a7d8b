import LedgerCrypto

/// The replay loop: how the rules' state is rebuilt from the lines of `entries.jsonl`.
///
/// Every reader that replays entries goes through ``apply(_:at:decoded:willApply:didApply:)``:
/// the writer before an append (``Ledger``), ``Ledger/state(upTo:)``, the audit (``Auditor``),
/// and Consensus's parallel replay and one-proposal status. For entry `i` it
///
/// 1. decodes the line (`Entry(leaf:signers:)`, with one signer cache for the whole replay),
///    unless the caller decoded it already on another thread;
/// 2. checks the link: the index field always, and with ``Checks/chain`` the `prev` link and
///    the time order (``ChainLinker``);
/// 3. computes the leaf hash from the line (never from `tree.hashes`), with ``Checks/replays``
///    the statement hash, and with ``Checks/tree`` folds the leaf hash into the tree's right
///    edge, keeping the stored hashes it adds (``added``) for the caller to compare;
/// 4. calls `willApply` (the writer compares its caches here);
/// 5. with ``Checks/replays``, refuses a statement that an earlier entry holds;
/// 6. applies the rules;
/// 7. calls `didApply` (the audit checks what depends on the new state here);
///
/// and names the entry in any error of any step: `entry i: …`. After an error the replay is
/// not to be continued.
package struct Replay<Rules: LedgerRules>: Sendable {
    package typealias Checks = ReplayChecks

    /// One entry as the hooks see it.
    package struct Step {
        /// The entry's position in the log.
        package let index: Int64
        package let entry: Entry
        /// The leaf hash, computed from the entry's line.
        package let leafHash: Digest
        /// The statement hash (zero without ``Checks/replays``, unless decoded ahead).
        package let statementHash: Digest
    }

    /// An entry decoded, and its hashes computed, ahead of the replay (on another thread).
    package struct Decoded: Sendable {
        package var entry: Entry
        package var leafHash: Digest
        package var statementHash: Digest

        package init(entry: Entry, leafHash: Digest, statementHash: Digest) {
            self.entry = entry
            self.leafHash = leafHash
            self.statementHash = statementHash
        }
    }

    package let checks: Checks
    /// The rules' state after the entries replayed so far.
    package var rules: Rules
    /// The next index, the last log time, and (with ``Checks/chain``) the last leaf hash.
    @usableFromInline package internal(set) var chain: ChainLinker
    /// The statement hash of each entry replayed, with the entry's index (with
    /// ``Checks/replays``): a replay is found, and the entry that holds the statement named,
    /// in O(1).
    package private(set) var statementIndexes: [Digest: Int64]
    /// The tree's right edge over the entries replayed (with ``Checks/tree``).
    package private(set) var range: CompactRange
    /// The stored hashes the last entry added to the tree, in ``StoredHashIndex`` order, and
    /// the position of the first of them (with ``Checks/tree``).
    package private(set) var added: [Digest] = []
    package private(set) var addedFrom: Int64 = 0
    private var signers = SignerCache()

    /// A replay from the first entry, or (without ``Checks``) of chosen entries applied to
    /// `rules`.
    package init(checks: Checks, rules: Rules = Rules()) {
        precondition(checks.isEmpty || rules.authority.origin == nil, "a chained replay starts from the empty state")
        self.checks = checks
        self.rules = rules
        chain = ChainLinker()
        statementIndexes = [:]
        range = CompactRange()
    }

    /// The number of entries replayed (the index the next entry must carry).
    package var size: Int64 { chain.next }

    /// Replays entry `i` from its line.
    ///
    /// - Parameters:
    ///   - line: the entry's line, without its newline.
    ///   - i: the entry's position; with ``Checks/chain`` it must be ``size``.
    ///   - decoded: the entry and its hashes as decoded ahead of the replay, or the error that
    ///     decoding gave; nil to decode here.
    ///   - willApply: called after the link and hashes are checked, before the rules.
    ///   - didApply: called after the rules have applied the entry.
    package mutating func apply(
        _ line: ArraySlice<UInt8>, at i: Int64, decoded: Result<Decoded, LedgerError>? = nil,
        willApply: (Step, Replay) throws(LedgerError) -> Void = { _, _ in },
        didApply: (Step, Replay) throws(LedgerError) -> Void = { _, _ in }
    ) throws(LedgerError) {
        do throws(LedgerError) {
            let step = try link(line, at: i, decoded: decoded)
            try willApply(step, self)
            try commit(step)
            try didApply(step, self)
        } catch { throw error.prefixed("entry \(i): ") }
    }

    /// As ``apply(_:at:decoded:willApply:didApply:)`` without hooks.
    package mutating func apply(_ line: ArraySlice<UInt8>, at i: Int64) throws(LedgerError) {
        do throws(LedgerError) {
            try commit(try link(line, at: i, decoded: nil))
        } catch { throw error.prefixed("entry \(i): ") }
    }

    /// Steps 5 and 6 of ``apply(_:at:decoded:willApply:didApply:)``.
    private mutating func commit(_ step: Step) throws(LedgerError) {
        if checks.contains(.replays), statementIndexes[step.statementHash] != nil {
            throw LedgerError.replay("statement is a replay of an earlier entry")
        }
        try rules.apply(step.entry, leafHash: step.leafHash)
        if checks.contains(.replays) { statementIndexes[step.statementHash] = step.index }
    }

    /// Steps 1 to 3 of ``apply(_:at:decoded:willApply:didApply:)``.
    private mutating func link(
        _ line: ArraySlice<UInt8>, at i: Int64, decoded: Result<Decoded, LedgerError>?
    ) throws(LedgerError) -> Step {
        var d: Decoded
        if let decoded {
            d = try decoded.get()
        } else {
            let entry = try line.withUnsafeBytes { raw in
                Result { () throws(LedgerError) in try Entry(leaf: raw, signers: &signers) }
            }.get()
            d = Decoded(entry: entry, leafHash: line.withUnsafeBytes { MerkleHash.leaf($0) }, statementHash: .zero)
        }
        if checks.contains(.chain) {
            precondition(i == chain.next, "a chained replay takes the entries in order")
            try chain.link(d.entry, leafHash: d.leafHash)
        } else {
            try ChainLinker.checkIndex(d.entry.index, expected: i)
            chain = ChainLinker(next: i + 1, prev: d.leafHash, lastTime: d.entry.time)
        }
        if decoded == nil, checks.contains(.replays) {
            guard let sh = Entry.statementHash(inCanonicalLeaf: line) else {
                throw LedgerError.malformed("no statement found in the leaf")
            }
            d.statementHash = sh
        }
        if checks.contains(.tree) {
            added.removeAll(keepingCapacity: true)
            addedFrom = StoredHashIndex.count(size: range.size)
            range.append(d.leafHash) { added.append($0) }
        }
        return Step(index: i, entry: d.entry, leafHash: d.leafHash, statementHash: d.statementHash)
    }

    /// Replays the entries of `lines`, the first of which is entry `first`.
    package mutating func apply(_ lines: [ArraySlice<UInt8>], first: Int64) throws(LedgerError) {
        for (k, line) in lines.enumerated() { try apply(line, at: first + Int64(k)) }
    }

    /// Takes over the state after entries that an append checked and wrote itself (it checks
    /// more than a replay: signatures, claimed times), so that they need no replay.
    package mutating func takeAppended(
        rules: Rules, chain: ChainLinker, range: CompactRange, statementIndexes: [Digest: Int64]
    ) {
        precondition(checks == .all && range.size == chain.next)
        self.rules = rules
        self.chain = chain
        self.range = range
        self.statementIndexes.merge(statementIndexes) { old, _ in old }
        added = []
    }

    /// Whether the stored hashes the last entry added equal the ones a cache holds.
    ///
    /// - Parameters:
    ///   - stored: the hash the cache holds at a position, or nil when it holds none there.
    ///   - absentAgrees: whether a position the cache does not hold counts as agreeing.
    package func addedHashesAgree(with stored: (Int64) -> Digest?, absentAgrees: Bool) -> Bool {
        for (k, h) in added.enumerated() {
            guard let s = stored(addedFrom + Int64(k)) else {
                if absentAgrees { continue } else { return false }
            }
            if s != h { return false }
        }
        return true
    }

    /// Replays entry `i` from a record the rules decoded ahead of the replay, on another
    /// thread, without building its ``Entry`` (Consensus's positions): the index field is
    /// checked, the record applied, and the entry named in any error.
    ///
    /// A record carries no `prev` link, so this is for replays without ``Checks``.
    ///
    /// Inlinable, so that the replay of a rules type in another module is specialized for it.
    @inlinable
    package mutating func apply<Record: ReplayRecord>(
        record: consuming Record, line: @autoclosure () -> ArraySlice<UInt8>, at i: Int64
    ) throws(LedgerError) where Record.Rules == Rules {
        precondition(checks.isEmpty, "a record carries no prev link to check")
        do throws(LedgerError) {
            let header = try record.header()
            try ChainLinker.checkIndex(header.index, expected: i)
            try record.apply(to: &rules, line: line)
            advance(past: i, time: header.time)
        } catch { throw error.prefixed("entry \(i): ") }
    }

    /// Records that entry `i`, logged at `time`, was applied without the chain checks.
    @inlinable
    mutating func advance(past i: Int64, time: Timestamp) {
        chain = ChainLinker(next: i + 1, prev: .zero, lastTime: time)
    }
}

/// A type that holds what a rules type decoded from a leaf ahead of the replay, for
/// ``Replay/apply(record:line:at:)`` to apply in log order.
package protocol ReplayRecord {
    associatedtype Rules: LedgerRules
    /// The entry's index field and log time; throws the error that decoding gave.
    func header() throws(LedgerError) -> (index: UInt64, time: Timestamp)
    /// Applies the entry to `rules`, with the same result as `rules.apply(entry, leafHash:)`;
    /// `line` gives the entry's line, for the records that need it.
    consuming func apply(to rules: inout Rules, line: () -> ArraySlice<UInt8>) throws(LedgerError)
}

/// What a ``Replay`` checks besides the index field.
package struct ReplayChecks: OptionSet, Sendable {
    package let rawValue: Int
    package init(rawValue: Int) { self.rawValue = rawValue }

    /// The `prev` link, the time order and the claimed time (``ChainLinker``).
    package static let chain = ReplayChecks(rawValue: 1)
    /// No statement twice: keeps every statement hash.
    package static let replays = ReplayChecks(rawValue: 2)
    /// Recomputes the Merkle tree: folds every leaf hash into ``range``.
    package static let tree = ReplayChecks(rawValue: 4)
    /// Everything: the replays that compare the derived files or sign.
    package static let all: ReplayChecks = [.chain, .replays, .tree]
}
