import Hummingbird
import LedgerCore
import LedgerCrypto
import Logging
import NIOCore
import ServiceLifecycle

/// The write API (specs/api.md §Write API): `POST /api/v1/entries` takes one signed statement
/// and appends it through the ledger's own rules (group commit, ``GroupCommitter``); the reply
/// carries a receipt signed by the log key, and with `?wait=1` the tlog-proof of a published
/// checkpoint that covers the entry.
package struct WriteRoutes<Context: RequestContext, Rules: LedgerRules, Store: LedgerStore>: Sendable {
    package let writer: LogWriter<Rules, Store>

    /// Largest request body accepted, in bytes.
    package static var maxBodySize: Int { 65_535 }

    package init(writer: LogWriter<Rules, Store>, context: Context.Type = Context.self) { self.writer = writer }

    /// `POST /api/v1/entries[?wait=1]`.
    package var entries: RouteCollection<Context> {
        RouteCollection(context: Context.self).post("api/v1/entries") { request, context -> Response in
            await handle(request, logger: context.logger)
        }
    }

    /// Every outcome is a response: the problems of specs/api.md, or 202/201 with the receipt.
    func handle(_ request: Request, logger: Logger) async -> Response {
        let signed: SignedStatement
        switch await WriteRoutes.read(request) {
        case .failure(let problem): return problem.response
        case .success(let s): signed = s
        }
        let admitted: Admitted
        switch await admit(signed) {
        case .failure(let problem): return problem.response
        case .success(let a): admitted = a
        }
        var reply: Reply
        switch answer(await writer.committer.submit(admitted.statement), admitted, logger: logger) {
        case .failure(let problem): return problem.response
        case .success(let r): reply = r
        }
        guard request.uri.queryParameters.get("wait") == "1", await Self.covered(reply.index, writer) else {
            return reply.response(.accepted)
        }
        do throws(LedgerServerError) {
            reply.proof = try writer.log.inclusionProof(index: reply.index)
        } catch {
            logger.error("proof of a new entry failed", metadata: ["error": "\(error.message)"])
            return reply.response(.accepted)
        }
        return reply.response(.created)
    }

    /// A statement whose signature verified and whose signer may append, charged to the
    /// signer's rate budget: ready for the queue.
    struct Admitted: Sendable {
        let signed: SignedStatement
        let statement: VerifiedStatement
        /// The signer's raw public key: its rate bucket.
        let signer: [UInt8]
    }

    /// The checks before the queue, in order: the signature, the signer's right to sign,
    /// the signer's rate budget (``charge(_:)``).
    func admit(_ signed: SignedStatement) async -> Result<Admitted, Problem> {
        // The signature is verified here, once, on the handlers (every core); the writer
        // trusts it through `VerifiedStatement`. A bad signature is refused before the signer's
        // rate budget is charged, so that no one can spend another key's budget.
        let statement: VerifiedStatement
        do throws(LedgerError) {
            statement = try VerifiedStatement(verifying: signed)
        } catch {
            // The core's checks name no rule (the kind is the sender's to choose).
            return .failure(.refused(error, kind: nil))
        }
        // A key the ledger does not let sign is refused before it gets a rate bucket or a place
        // in the queue, with the ledger's own error: fresh keys cannot fill the queue. (The
        // rules check again on append: the signer set may change meanwhile.)
        if let refusal = await writer.signerRefusal(signed.statement.signer) {
            return .failure(.refused(refusal, kind: nil))
        }
        return charge(signed, statement)
    }

    /// Takes a token from the signer's rate bucket, or the `429` that says when one is back.
    func charge(_ signed: SignedStatement, _ statement: VerifiedStatement) -> Result<Admitted, Problem> {
        let signer = signed.statement.signer.publicKey.rawRepresentation
        if let wait = writer.limiter.take(signer) {
            return .failure(.rateLimited(retryAfter: wait, rate: writer.limiter.rate))
        }
        return .success(Admitted(signed: signed, statement: statement, signer: signer))
    }

    /// What the group commit's `outcome` tells the client: the reply with its signed receipt,
    /// or the problem (the rate token refunded where the statement was not appended).
    func answer(
        _ outcome: GroupCommitter<Rules, Store>.Outcome, _ admitted: Admitted, logger: Logger
    ) -> Result<Reply, Problem> {
        let appended: StoreLedger<Rules, Store>.Appended
        switch outcome {
        case .appended(let a): appended = a
        case .overloaded:
            writer.limiter.refund(admitted.signer)
            return .failure(.overloaded(pending: writer.committer.maxPending))
        case .duplicate(let error, let index):
            // Anyone can re-post a key's old statements: a refusal costs the signer nothing.
            writer.limiter.refund(admitted.signer)
            return .failure(.duplicate(error, index: index))
        case .refused(let error):
            writer.limiter.refund(admitted.signer)
            return .failure(.refused(error, kind: admitted.signed.statement.kind))
        case .failed(let error):
            logger.error("append failed", metadata: ["error": "\(error.message)"])
            return .failure(.storeFailed(error))
        }
        let hash = admitted.statement.hash
        var reply = Reply(index: Int64(appended.index), leafHash: appended.leafHash, statementHash: hash)
        do {
            reply.receipt = try writer.receipt(for: appended, statementHash: hash).serialized
        } catch {
            logger.error("signing a receipt failed", metadata: ["error": "\(error.message)"])
            return .failure(.storeFailed(error))
        }
        return .success(reply)
    }

    /// Whether the Content-Type `type` is `application/json`: its media type (before any `;`),
    /// without spaces and tabs, in any case. The usual spelling is compared on its bytes first.
    package static func isJSON(_ type: String) -> Bool {
        var type = type
        let isLetter = { (b: UInt8) in b >= 0x61 && b <= 0x7A }
        if type.utf8.count == 16,
            type.withUTF8({
                zip($0, "application/json".utf8).allSatisfy { a, b in a == b || isLetter(b) && a | 0x20 == b }
            })
        {
            return true
        }
        let mediaType = type.split(separator: ";").first.map {
            String($0.filter { $0 != " " && $0 != "\t" }).lowercased()
        }
        return mediaType == "application/json"
    }

    /// The 202/201 reply: `{"index","leafHash","proof"?,"receipt","statementHash"}` in
    /// canonical JSON and a newline, written member by member in canonical (sorted) order, as
    /// `JSONValue.canonicalBytes` writes it, without building a dictionary.
    struct Reply {
        let index: Int64
        let leafHash: Digest
        let statementHash: Digest
        var receipt = ""
        var proof: String?

        var bytes: [UInt8] {
            var out = [UInt8]()
            out.reserveCapacity(512 + receipt.utf8.count + (proof?.utf8.count ?? 0))
            out += Array("{\"index\":\(index),\"leafHash\":\"\(leafHash.base64)\",".utf8)
            if let proof {
                out += Array("\"proof\":".utf8)
                CanonicalJSON.writeString(proof, into: &out)
                out.append(UInt8(ascii: ","))
            }
            out += Array("\"receipt\":".utf8)
            CanonicalJSON.writeString(receipt, into: &out)
            out += Array(",\"statementHash\":\"\(statementHash.base64)\"}\n".utf8)
            return out
        }

        func response(_ status: HTTPResponse.Status) -> Response { parts(status).response }

        /// The reply's status, header fields (before `Content-Length` and `Date`) and body.
        func parts(_ status: HTTPResponse.Status) -> ReplyParts {
            ReplyParts(
                status: status, fields: [.contentType: "application/json", .cacheControl: HeaderValues.noCache],
                body: ByteBuffer(bytes: bytes))
        }
    }

    /// The one signed statement of the request: `application/json`, at most ``maxBodySize``
    /// bytes (a larger declared length is refused before any of the body is read).
    static func read(_ request: Request) async -> Result<SignedStatement, Problem> {
        let type = request.headers[.contentType]
        guard let type, isJSON(type) else { return .failure(.unsupportedMediaType(type)) }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodySize {
            return .failure(.tooLarge(maxBodySize))
        }
        let bytes: [UInt8]
        do {
            bytes = Array(try await request.body.collect(upTo: maxBodySize).readableBytesView)
        } catch is NIOTooManyBytesError {
            return .failure(.tooLarge(maxBodySize))
        } catch {
            return .failure(.malformed("the request body could not be read: \(error)"))
        }
        do throws(LedgerError) {
            return .success(try SignedStatement(json: try JSONParser.parse(bytes)))
        } catch {
            return .failure(.malformed(error.message))
        }
    }

}

/// The write routes as the server mounts them.
package typealias WriteEndpoint<Rules: LedgerRules, Store: LedgerStore> = WriteRoutes<BasicRequestContext, Rules, Store>

extension WriteRoutes {
    /// Waits for a published checkpoint that covers `index` (``WriteConfiguration/waitTimeout`` at
    /// most). Graceful shutdown ends every wait at once: the HTTP server stops before the
    /// signing service (which closes the waits when it stops), and waits for requests in flight.
    static func covered<R: LedgerRules, S: LedgerStore>(_ index: Int64, _ writer: LogWriter<R, S>) async -> Bool {
        await withGracefulShutdownHandler {
            await writer.waiters.wait(for: index, until: .now + writer.configuration.waitTimeout)
        } onGracefulShutdown: {
            writer.waiters.close()
        }
    }
}
