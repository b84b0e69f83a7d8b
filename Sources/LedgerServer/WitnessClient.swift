import AsyncHTTPClient
import LedgerCore
import LedgerCrypto
import NIOCore
import NIOHTTP1
import NIOSSL

/// A witness that the log submits its checkpoints to: the witness's URL prefix and its key.
package struct WitnessTarget: Sendable, Hashable, CustomStringConvertible {
    /// The prefix that `add-checkpoint` is appended to (`http://host:port/witness`), no trailing `/`.
    package let url: String
    /// The witness's cosigner key (type 0x04; a 0x01 vkey given stands for it). Its name is the witness's name.
    package let key: NoteVerifierKey

    /// - Throws: `.malformed` for a URL that is not `http://` or `https://` with a host.
    package init(url: String, key: NoteVerifierKey) throws(LedgerError) {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        let rest: Substring
        if url.hasPrefix("http://") {
            rest = url.dropFirst(7)
        } else if url.hasPrefix("https://") {
            rest = url.dropFirst(8)
        } else {
            throw .malformed("witness URL \(url): must start with http:// or https://")
        }
        guard let host = rest.split(separator: "/", omittingEmptySubsequences: false).first, !host.isEmpty,
            !url.contains("?"), !url.contains("#"), !url.unicodeScalars.contains(where: { $0.value <= 0x20 })
        else {
            throw .malformed("witness URL \(url): needs a host, and no query, fragment or spaces")
        }
        self.url = url
        self.key = key.asCosigner
    }

    /// Parses `URL=VKEY` (the URL itself may not contain `=`).
    package init(parsing spec: String) throws(LedgerError) {
        guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
            throw .malformed("--witness \(spec): expected URL=VKEY")
        }
        let vkey: NoteVerifierKey
        do throws(LedgerError) { vkey = try NoteVerifierKey(parsing: String(spec[spec.index(after: eq)...])) } catch {
            throw error.prefixed("--witness \(spec[..<eq]): ")
        }
        try self.init(url: String(spec[..<eq]), key: vkey)
    }

    /// `<url>/add-checkpoint` (C2SP tlog-witness).
    package var addCheckpointURL: String { url + "/add-checkpoint" }

    /// The witness's name (its key's name).
    package var name: String { key.name }

    package var description: String { "\(name) at \(url)" }
}

/// One failed submission: what went wrong, in one line.
package struct WitnessSubmissionError: Error, Sendable, Equatable, CustomStringConvertible {
    package let message: String
    /// The HTTP status the witness answered, when it answered.
    package let status: Int?

    package init(_ message: String, status: Int? = nil) {
        self.message = message
        self.status = status
    }

    package var description: String { message }
}

/// Submits checkpoints to witnesses with C2SP tlog-witness `POST <url>/add-checkpoint` and
/// checks their cosignatures. Stateless: the caller keeps each witness's last cosigned size.
package struct WitnessClient: Sendable {
    package let http: HTTPClient
    /// How long one request may take, connection included.
    package let timeout: Duration

    /// Largest response body read: a few cosignature lines (a 409's body is one number).
    static let maxResponseBytes = 16 * 1024

    package init(http: HTTPClient, timeout: Duration = .seconds(10)) {
        self.http = http
        self.timeout = timeout
    }

    /// An HTTP client for witnesses: no redirects followed (a witness URL is what was configured),
    /// and `tls` (the system's trust roots when nil) for `https://` witnesses.
    package static func makeHTTPClient(tls: TLSConfiguration? = nil) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(10)))
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Submits `checkpoint` (the log's signature lines only are sent) to `target`, whose last
    /// cosigned size is believed to be `oldSize`, with the consistency proof from `tree`. On a
    /// 409 it retries once from the size the witness names.
    /// - Returns: the checkpoint note with the witness's verified cosignature lines appended,
    ///   and the size the witness now holds (the checkpoint's).
    package func submit<Hashes: HashReader>(
        _ checkpoint: SignedCheckpoint, logKey: NoteVerifierKey, to target: WitnessTarget, oldSize: UInt64,
        tree: MerkleTree<Hashes>
    ) async throws(WitnessSubmissionError) -> SignedNote {
        let size = checkpoint.checkpoint.size
        let logSigned: SignedNote
        do throws(LedgerError) {
            logSigned = try SignedNote(
                text: checkpoint.note.text, signatures: checkpoint.note.lines(of: logKey).map(\.signature))
        } catch {
            throw WitnessSubmissionError("the checkpoint cannot be re-serialized: \(error.message)")
        }
        var old = oldSize
        for attempt in 0..<2 {
            let body = try WitnessClient.requestBody(note: logSigned, oldSize: old, size: size, tree: tree)
            let (status, reply) = try await post(body, to: target)
            switch status {
            case 200:
                return try WitnessClient.cosigned(logSigned, reply: reply, by: target)
            case 409 where attempt == 0:
                guard let witnessSize = WitnessClient.treeSize(reply) else {
                    throw WitnessSubmissionError("\(target.name): 409 without a tree size body", status: 409)
                }
                guard witnessSize <= size else {
                    throw WitnessSubmissionError(
                        "\(target.name): the witness has cosigned size \(witnessSize), beyond this checkpoint's "
                            + "size \(size)", status: 409)
                }
                old = witnessSize
            default:
                let text = String(decoding: reply.prefix(300), as: UTF8.self)
                let line = text.split(separator: "\n").first.map(String.init) ?? ""
                throw WitnessSubmissionError(
                    "\(target.name): HTTP \(status) from add-checkpoint (old \(old), size \(size)): \(line)",
                    status: status)
            }
        }
        throw WitnessSubmissionError("\(target.name): 409 twice in a row (old \(old), size \(size))", status: 409)
    }

    /// The add-checkpoint body: `old <N>`, the proof lines, an empty line, the note.
    static func requestBody<Hashes: HashReader>(
        note: SignedNote, oldSize: UInt64, size: UInt64, tree: MerkleTree<Hashes>
    ) throws(WitnessSubmissionError) -> [UInt8] {
        let proof: [Digest]
        do throws(LedgerError) {
            proof = try tree.consistencyProof(oldSize: Int64(clamping: oldSize), newSize: Int64(clamping: size))
        } catch {
            throw WitnessSubmissionError("no consistency proof from size \(oldSize) to \(size): \(error.message)")
        }
        return Array(("old \(oldSize)\n" + proof.map { $0.base64 + "\n" }.joined() + "\n" + note.serialized).utf8)
    }

    /// A `text/x.tlog.size` body: a decimal and a newline.
    static func treeSize(_ body: [UInt8]) -> UInt64? {
        guard body.last == 0x0A else { return nil }
        return AddCheckpointRequest.decimal(Substring(String(decoding: body.dropLast(), as: UTF8.self)))
    }

    /// `note` with the cosignature lines of `reply` that verify under the target's key
    /// (tlog-cosignature/v1 over `note`'s text). Lines by other keys are dropped.
    /// - Throws: when the reply is not signature lines, or none of them verifies.
    package static func cosigned(_ note: SignedNote, reply: [UInt8], by target: WitnessTarget)
        throws(WitnessSubmissionError) -> SignedNote
    {
        guard let text = String(validating: reply, as: UTF8.self) else {
            throw WitnessSubmissionError("\(target.name): the cosignature reply is not UTF-8")
        }
        let returned: SignedNote
        do throws(LedgerError) { returned = try SignedNote(parsing: note.serialized + text) } catch {
            throw WitnessSubmissionError("\(target.name): the reply is not cosignature lines: \(error.message)")
        }
        var accepted = [SignedNote.Signature]()
        for s in returned.signatures.dropFirst(note.signatures.count)
        where s.name == target.key.name && s.keyID == target.key.keyID {
            guard (try? returned.verify(s, by: target.key)) != nil else {
                throw WitnessSubmissionError("\(target.name): the cosignature does not verify under \(target.key)")
            }
            accepted.append(s)
        }
        guard !accepted.isEmpty else {
            throw WitnessSubmissionError("\(target.name): the reply carries no cosignature by \(target.key)")
        }
        do throws(LedgerError) { return try SignedNote(text: note.text, signatures: note.signatures + accepted) } catch
        {
            throw WitnessSubmissionError("\(target.name): \(error.message)")
        }
    }

    /// One POST; the status and at most ``maxResponseBytes`` of the body.
    func post(_ body: [UInt8], to target: WitnessTarget) async throws(WitnessSubmissionError) -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: target.addCheckpointURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let buffer = try await response.body.collect(upTo: WitnessClient.maxResponseBytes)
            return (Int(response.status.code), Array(buffer.readableBytesView))
        } catch {
            throw WitnessSubmissionError("\(target.name): \(target.addCheckpointURL): \(error)")
        }
    }
}
