import Hummingbird
import LedgerCore
import LedgerCrypto
import Logging

extension WitnessRoutes {
    /// `GET /witness/logs`: for monitoring, each witnessed origin with the checkpoint this
    /// witness last cosigned (size, root, and when it was stored), as JSON (specs/api.md).
    package var logs: RouteCollection<Context> {
        RouteCollection(context: Context.self).get("witness/logs") { _, context -> Response in
            do throws(LedgerServerError) {
                let bytes = try witness.logsJSON().canonicalBytes + [0x0A]
                return .bytes(bytes, type: "application/json", cache: HeaderValues.noCache)
            } catch {
                context.logger.error("witness/logs: \(error.message)")
                throw error
            }
        }
    }
}

extension CheckpointWitness {
    /// `{"witness": NAME, "logs": [{"origin", "size", "root", "time"}…]}`, origins sorted; a log
    /// not cosigned yet has size 0 and null root and time.
    package func logsJSON() throws(LedgerServerError) -> JSONValue {
        var logs = [JSONValue]()
        for origin in configuration.logs.keys.sorted() {
            var record: WitnessStateRecord?
            do throws(LedgerError) {
                record = try (configuration.state as? any WitnessStateReader)?.lastCosigned(origin: origin)
            } catch {
                throw .internalError(error)
            }
            logs.append(
                .object([
                    "origin": .string(origin),
                    "size": .integer(Int64(clamping: record?.checkpoint.size ?? 0)),
                    "root": record.map { .string($0.checkpoint.root.base64) } ?? .null,
                    "time": record?.storedAt.map { .string(Timestamp(secondsSinceEpoch: $0).rfc3339) } ?? .null,
                ]))
        }
        return .object(["witness": .string(configuration.key.name), "logs": .array(logs)])
    }
}
