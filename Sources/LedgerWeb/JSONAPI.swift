import Consensus
import ControlLists
import Hummingbird
import LedgerCore
import LedgerCrypto
import LedgerReports
import LedgerServer
import Logging

/// The JSON API: `GET /api/v1/…` over the consensus state of the published checkpoint
/// (specs/api.md, specs/openapi.yaml). Every document is built from the models and report code
/// the CLI's `--json` views use, so the same question gets the same answer. Unknown names are
/// 404 and bad query values 400, as RFC 9457 problems (``APIProblem``).
enum JSONAPI {
    static func register<Store: LedgerStore>(on router: Router<BasicRequestContext>, view: DomainView<Store>) {
        let api = Routes(view: view)
        let v1 = router.group("api/v1")
        v1.get("status") { _, context in try api.respond(context) { try api.status() } }
        v1.get("forums") { _, context in try api.respond(context) { try api.forums() } }
        v1.get("forums/:forum") { _, context in
            try api.respond(context) { try api.forum(context.parameters.get("forum") ?? "") }
        }
        v1.get("forums/:forum/board") { _, context in
            try api.respond(context) { try api.board(context.parameters.get("forum") ?? "") }
        }
        v1.get("proposals") { request, context in
            try api.respond(context) { try api.proposals(request.uri.queryParameters) }
        }
        v1.get("proposals/:id") { _, context in
            try api.respond(context) { try api.proposal(context.parameters.get("id") ?? "") }
        }
        v1.get("proposals/:id/history") { _, context in
            try api.respond(context) { try api.history(context.parameters.get("id") ?? "") }
        }
        v1.get("conflicts") { request, context in
            try api.respond(context) { try api.conflicts(request.uri.queryParameters) }
        }
        v1.get("lists") { _, context in try api.respond(context) { try api.lists() } }
        v1.get("lists/diff") { request, context in
            try api.respond(context) { try api.listDiff(request.uri.queryParameters) }
        }
        v1.get("entries/:index") { _, context in
            try api.respond(context) { try api.entry(context.parameters.get("index") ?? "") }
        }
    }

    /// The handlers, over one ``DomainView``.
    struct Routes<Store: LedgerStore>: Sendable {
        let view: DomainView<Store>

        /// Runs `body` and sends its document as `application/json`; a ledger that cannot be
        /// read is logged and sent as a 500 problem that names no file.
        func respond(_ context: BasicRequestContext, _ body: () throws -> JSONValue) throws -> Response {
            do {
                return Response(
                    status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
                    body: .init(byteBuffer: ByteBuffer(string: try body().canonicalString)))
            } catch let problem as APIProblem {
                throw problem
            } catch {
                context.logger.error("JSON API: \(error)")
                throw APIProblem.internalError
            }
        }

        /// The published state, and now by the view's clock (never before the last entry).
        func current() throws -> (DomainView<Store>.Snapshot, Timestamp) {
            let s = try view.snapshot()
            return (s, max(view.clock(), s.state.lastTime))
        }

        func status() throws -> JSONValue {
            let (s, now) = try current()
            let published = view.log.view
            var basis: ViewBasis?
            if let cp = published.checkpoint, Int64(cp.checkpoint.size) == s.size {
                basis = try ViewBasis.published(cp, logKey: view.log.logKey, authority: s.state.authority)
            }
            return DomainDocuments.status(
                origin: published.checkpoint?.checkpoint.origin, checkpointText: s.checkpointText, basis: basis,
                state: s.state, now: now)
        }

        func forums() throws -> JSONValue { .array(DomainJSON.forumRows(try view.snapshot().state).map(\.json)) }

        /// The chartered forum `name` means (as the CLI's `--forum`), or a 404 problem (400 when
        /// the name is the value of query `parameter`).
        func forumID(_ name: String, in state: NegotiationRules, parameter: String? = nil) throws -> String {
            do { return try state.resolveForum(name) } catch {
                let problem = APIProblem.unknown("forum", name, among: state.forumOrder)
                throw parameter.map(problem.inQuery) ?? problem
            }
        }

        func forum(_ name: String) throws -> JSONValue {
            let state = try view.snapshot().state
            return DomainJSON.forumDetail(state.forum(try forumID(name, in: state))!, state: state)
        }

        /// Board rows of `statuses`, with when each state began (from the entries `s` publishes,
        /// each checked against the published tree).
        func boardRows(_ statuses: [ProposalStatus], in s: DomainView<Store>.Snapshot) throws -> [JSONValue] {
            try statuses.map { st in
                let since = try DomainDocuments.stateSince(st) { try view.publishedEntry(Int64($0), in: s).time }
                return DomainDocuments.boardRow(st, since: since)
            }
        }

        func board(_ name: String) throws -> JSONValue {
            let (s, now) = try current()
            let id = try forumID(name, in: s.state)
            let c = s.state.forum(id)!
            return [
                "forum": .string(id), "name": .string(c.name), "parties": .array(c.parties.map { .string($0) }),
                "asOf": .string(now.rfc3339),
                "proposals": .array(try boardRows(s.state.statuses(forum: id, at: now), in: s)),
            ]
        }

        func proposals(_ query: Parameters) throws -> JSONValue {
            let (s, now) = try current()
            let forum = try query.get("forum").map { try forumID($0, in: s.state, parameter: "forum") }
            let state = try query.get("state").map { v -> ProposalLifecycle.State in
                guard let st = ProposalLifecycle.State(rawValue: v) else {
                    let all = ProposalLifecycle.State.allCases.map(\.rawValue).joined(separator: ", ")
                    throw APIProblem.badQuery("state", v, expected: "a state (\(all))")
                }
                return st
            }
            let statuses = s.state.statuses(forum: forum, at: now).filter { state == nil || $0.state == state }
            return .array(try boardRows(statuses, in: s))
        }

        /// Proposal `id` and its history, or a 404 problem naming the nearest id.
        func proposalHistory(_ id: String) throws -> (ProposalStatus, [ProposalEvent]) {
            let (s, now) = try current()
            guard let st = s.state.status(of: id, at: now) else {
                throw APIProblem.unknown("proposal", id, among: s.state.proposals.map(\.id))
            }
            let events = try st.proposal.entryIndices.map {
                s.state.historyEvent(of: st.proposal, entry: try view.publishedEntry(Int64($0), in: s))
            }
            return (st, events)
        }

        func proposal(_ id: String) throws -> JSONValue {
            let (st, events) = try proposalHistory(id)
            return DomainDocuments.proposal(st, events: events)
        }

        func history(_ id: String) throws -> JSONValue {
            let (st, events) = try proposalHistory(id)
            return ["proposal": .string(st.proposal.id), "events": .array(events.map(DomainDocuments.event))]
        }

        func conflicts(_ query: Parameters) throws -> JSONValue {
            let (s, now) = try current()
            let forum = try query.get("forum").map { try forumID($0, in: s.state, parameter: "forum") }
            var floor = Finding.Severity.low
            if let v = query.get("min-severity") {
                guard let f = Finding.Severity(rawValue: v) else {
                    let all = Finding.Severity.allCases.map(\.rawValue).joined(separator: ", ")
                    throw APIProblem.badQuery("min-severity", v, expected: "a severity (\(all))")
                }
                floor = f
            }
            let detector = ConflictDetector(correlations: try CuratedData.correlations())
            return .array(
                detector.findings(in: s.state, at: now, forum: forum).filter { $0.severity >= floor }.map(\.json))
        }

        func lists() throws -> JSONValue {
            let state = try view.snapshot().state
            return .array(state.publishedLists.map { PublishedLists.json($0) })
        }

        func listDiff(_ query: Parameters) throws -> JSONValue {
            let state = try view.snapshot().state
            func side(_ name: String) throws -> (PublishedList, ControlList) {
                guard let v = query.get(name) else {
                    throw APIProblem(
                        status: .badRequest, detail: "\(name): missing (the entry index of a list.publish entry)",
                        members: ["parameter": .string(name)])
                }
                let indexes = state.publishedLists.map { String($0.entryIndex) }
                guard let p = state.publishedLists.first(where: { String($0.entryIndex) == v }) else {
                    throw APIProblem.unknown("list.publish entry", v, among: indexes).inQuery(name)
                }
                guard let list = PublishedLists.content(of: p) else {
                    throw APIProblem(
                        status: .notFound,
                        detail: "\(name): the list of entry \(v) (\(p.jurisdiction) \(p.versionDate)) is not one this "
                            + "server has the text of (the lists shipped with the ledger)",
                        members: ["parameter": .string(name), "id": .string(v)])
                }
                return (p, list)
            }
            let (pa, a) = try side("from")
            let (pb, b) = try side("to")
            let ia = Int64(pa.entryIndex)
            let ib = Int64(pb.entryIndex)
            if a.jurisdiction == b.jurisdiction {
                return ListDiff(old: a, new: b, oldLedgerIndex: ia, newLedgerIndex: ib).json
            }
            return JurisdictionDiff(
                a: a, b: b, correlations: try CuratedData.correlations(), aLedgerIndex: ia, bLedgerIndex: ib
            ).json
        }

        func entry(_ raw: String) throws -> JSONValue {
            let published = view.log.view
            guard let i = Int64(raw), String(i) == raw, i >= 0 else {
                throw APIProblem(
                    status: .badRequest, detail: "index: \"\(raw)\" is not a decimal integer without leading zeros",
                    members: ["parameter": "index"])
            }
            guard i < published.size else {
                throw APIProblem(
                    status: .notFound,
                    detail: "no entry \(i) in the published checkpoint (size \(published.size))",
                    members: ["id": .string(raw)])
            }
            let leaf = try view.log.store.leaf(i)
            let leafHash = MerkleHash.leaf(leaf)
            guard leafHash == (try published.tree.leafHash(i)) else {
                throw LedgerError.chainBroken(
                    "entry \(i) changed after the server checked it against checkpoint \(published.size)")
            }
            return DomainDocuments.entry(try Entry(leaf: leaf), leafHash: leafHash)
        }
    }
}
