import Hummingbird
import LedgerCore
import LedgerCrypto
import Logging

/// What a witness is configured with: its key, the logs it witnesses (origin → the log keys it
/// trusts for that origin) and where it keeps the last checkpoint it cosigned per log.
package struct WitnessConfiguration: Sendable {
    package let key: NoteSignerKey
    package let logs: [String: [NoteVerifierKey]]
    package let state: any WitnessStateStore

    /// - Throws: `.malformed` for a log key that is not Ed25519 (0x01), or one whose public key
    ///   is the witness's own: a log cannot witness itself.
    package init(key: NoteSignerKey, logs: [String: [NoteVerifierKey]], state: any WitnessStateStore)
        throws(LedgerError)
    {
        for (origin, keys) in logs {
            for k in keys {
                guard k.type == .ed25519 else {
                    throw .malformed("the key of log \(origin) must be an Ed25519 (0x01) key: \(k)")
                }
                guard !k.hasSamePublicKey(as: key.cosignerKey) else {
                    throw .malformed("the witness key is the key of log \(origin); a log cannot witness itself")
                }
            }
        }
        self.key = key
        self.logs = logs
        self.state = state
    }
}

/// One parsed `add-checkpoint` request body (C2SP tlog-witness).
package struct AddCheckpointRequest: Sendable {
    package let oldSize: UInt64
    package let proof: [[UInt8]]
    package let note: SignedNote
    package let checkpoint: Checkpoint

    /// Most consistency proof lines a client may send.
    package static let maxProofLines = 63

    /// Parses `old <N>\n`, proof lines (base64 of 32 bytes), an empty line, then the checkpoint.
    /// - Throws: ``LedgerServerError/Code/badRequest`` saying what is malformed.
    package init(body: [UInt8]) throws(LedgerServerError) {
        guard String(validating: body, as: UTF8.self) != nil else {
            throw .badRequest("the request body is not UTF-8")
        }
        guard let end = body.indices.dropLast().first(where: { body[$0] == 0x0A && body[$0 + 1] == 0x0A }) else {
            throw .badRequest("the request has no empty line before the checkpoint")
        }
        let headText = String(decoding: body[..<end], as: UTF8.self)
        let noteText = String(decoding: body[(end + 2)...], as: UTF8.self)
        let head = headText.split(separator: "\n", omittingEmptySubsequences: false)
        let oldLine = head[0]
        guard oldLine.hasPrefix("old "), let old = AddCheckpointRequest.decimal(oldLine.dropFirst(4)) else {
            throw .badRequest("the first line must be \"old <size>\" with a decimal size without leading zeros")
        }
        guard head.count - 1 <= AddCheckpointRequest.maxProofLines else {
            throw .badRequest("more than \(AddCheckpointRequest.maxProofLines) consistency proof lines")
        }
        var proof = [[UInt8]]()
        for (i, line) in head.dropFirst().enumerated() {
            guard let hash = Base64.decode(String(line)), hash.count == 32 else {
                throw .badRequest("consistency proof line \(i + 1) is not base64 of 32 bytes")
            }
            proof.append(hash)
        }
        do throws(LedgerError) {
            note = try SignedNote(parsing: noteText)
            checkpoint = try Checkpoint(text: note.text)
        } catch {
            throw .badRequest("the checkpoint is malformed: \(error.message)")
        }
        oldSize = old
        self.proof = proof
    }

    /// A decimal without leading zeros ("0" alone), at most 2^63 − 1, or nil.
    static func decimal(_ s: Substring) -> UInt64? {
        guard !s.isEmpty, s.utf8.allSatisfy({ (0x30...0x39).contains($0) }), s == "0" || !s.hasPrefix("0"),
            let n = UInt64(s), n <= UInt64(Int64.max)
        else { return nil }
        return n
    }
}

/// A witness's `add-checkpoint` (C2SP tlog-witness): checks a submitted checkpoint, records it
/// as the last cosigned one for its log and returns the witness's cosignature line.
package struct CheckpointWitness: Sendable {
    package let configuration: WitnessConfiguration

    package init(configuration: WitnessConfiguration) { self.configuration = configuration }

    /// Checks `request` in the order C2SP tlog-witness gives the statuses: 404 unknown origin,
    /// 403 bad or missing log signature, 400 old size beyond the checkpoint, 409 old size not the
    /// last cosigned one, 422 inconsistent. The check against the stored state and the update
    /// are one atomic step (``WitnessStateStore/updateLastCosigned(origin:_:)``), durable before
    /// this returns.
    /// - Parameter time: the cosignature's timestamp, seconds since the epoch (not zero).
    /// - Returns: the cosignature line(s), each `— <name> <base64>` and a newline.
    package func addCheckpoint(_ request: AddCheckpointRequest, time: UInt64) throws(LedgerServerError) -> String {
        let new = request.checkpoint
        guard let keys = configuration.logs[new.origin] else {
            throw .notFound("this witness does not know the log \"\(new.origin)\"")
        }
        var signed = 0
        for key in keys {
            do throws(LedgerError) { signed += try request.note.verifyAll(by: key).count } catch {
                throw .forbidden("the checkpoint's log signature does not verify: \(error.message)")
            }
        }
        guard signed > 0 else { throw .forbidden("the checkpoint carries no signature by a key of its log") }
        guard request.oldSize <= new.size else {
            throw .badRequest("old size \(request.oldSize) is larger than the checkpoint size \(new.size)")
        }
        var rejection: LedgerServerError?
        do throws(LedgerError) {
            try configuration.state.updateLastCosigned(origin: new.origin) { old throws(LedgerError) -> Checkpoint in
                if let reason = CheckpointWitness.refusal(old: old, new: new, request: request) {
                    rejection = reason
                    throw .refused(reason.message)
                }
                return new
            }
        } catch {
            throw rejection ?? .internalError(error)
        }
        var cosigned: SignedNote
        do throws(LedgerError) { cosigned = try SignedNote(text: request.note.text) } catch {
            throw .internalError(error)
        }
        cosigned.cosign(with: configuration.key, time: time)
        return String(decoding: cosigned.serialized.utf8.dropFirst(cosigned.text.utf8.count + 1), as: UTF8.self)
    }

    /// Why `new` may not follow `old` (nil when none was cosigned), or nil when it may: 409
    /// when the request's old size is not the stored size, else 422 for anything inconsistent.
    static func refusal(old: Checkpoint?, new: Checkpoint, request: AddCheckpointRequest) -> LedgerServerError? {
        let storedSize = old?.size ?? 0
        guard request.oldSize == storedSize else { return .conflict(treeSize: storedSize) }
        if new.size == 0, new.root != MerkleHash.emptyRoot {
            return .unprocessable("a checkpoint of size 0 must have the root of the empty tree")
        }
        if request.oldSize == 0 {
            guard request.proof.isEmpty else {
                return .unprocessable("the old size is 0, so the consistency proof must be empty")
            }
            return nil
        }
        guard let old else { return nil }
        if new.size == old.size {
            guard new.root == old.root else {
                return .unprocessable(
                    "this witness cosigned root \(old.root.base64) at size \(old.size), not \(new.root.base64)")
            }
            guard request.proof.isEmpty else {
                return .unprocessable("the checkpoint has the old size, so the consistency proof must be empty")
            }
            return nil
        }
        let proof = ConsistencyProof(size1: old.size, size2: new.size, hashes: request.proof)
        do throws(LedgerError) { try proof.verify(root1: old.root, root2: new.root) } catch {
            return .unprocessable(
                "the consistency proof from size \(old.size) to \(new.size) does not verify: \(error.message)")
        }
        return nil
    }
}

/// The witness API's route collection (specs/api.md): `POST /witness/add-checkpoint`.
package struct WitnessRoutes<Context: RequestContext>: Sendable {
    package let witness: CheckpointWitness
    /// The cosignature timestamp for a request (the clock, in tests a fixed time).
    package let now: @Sendable () -> UInt64

    /// Largest request body accepted: 63 proof lines and a checkpoint with its signatures.
    package static var maxBodySize: Int { 64 * 1024 }

    package init(
        witness: CheckpointWitness, context: Context.Type = Context.self,
        now: @escaping @Sendable () -> UInt64 = { CosignaturePolicy.now() }
    ) {
        self.witness = witness
        self.now = now
    }

    /// `POST /witness/add-checkpoint`.
    package var addCheckpoint: RouteCollection<Context> {
        RouteCollection(context: Context.self).post("witness/add-checkpoint") { request, context -> Response in
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: WitnessRoutes.maxBodySize)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                // A 400 with the one-line body of every other refusal, not Hummingbird's bare 413.
                throw LedgerServerError.badRequest("the request body is over \(WitnessRoutes.maxBodySize / 1024) KiB")
            }
            let body = Array(buffer.readableBytesView)
            do throws(LedgerServerError) {
                let parsed = try AddCheckpointRequest(body: body)
                let lines = try witness.addCheckpoint(parsed, time: max(1, now()))
                context.logger.info(
                    "cosigned",
                    metadata: ["origin": "\(parsed.checkpoint.origin)", "size": "\(parsed.checkpoint.size)"])
                return .bytes(Array(lines.utf8), type: HeaderValues.plainText, cache: HeaderValues.noCache)
            } catch {
                if error.code == .internalError { context.logger.error("add-checkpoint: \(error.message)") }
                throw error
            }
        }
    }
}

/// The witness routes as the server mounts them.
package typealias WitnessEndpoint = WitnessRoutes<BasicRequestContext>
