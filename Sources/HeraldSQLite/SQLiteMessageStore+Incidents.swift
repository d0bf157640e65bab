import Foundation
import GRDB
import HeraldCore
import HeraldStore

extension SQLiteMessageStore {
    public func saveNewIncident(_ incident: Incident) async throws {
        let document = try StoredDocument.encode(incident)
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO incidents (id, state, opened_at, document) VALUES (?, ?, ?, ?)",
                arguments: [incident.id, incident.state.rawValue, incident.openedAt.millis, document]
            )
        }
    }

    public func changeIncident(id: String, _ change: @Sendable (inout Incident) throws -> Void) async throws -> Incident? {
        try await pool.write { db in
            guard let document = try String.fetchOne(db, sql: "SELECT document FROM incidents WHERE id = ?", arguments: [id]) else { return nil }
            var incident = try StoredDocument.decode(document, as: Incident.self)
            try change(&incident)
            try db.execute(
                sql: "UPDATE incidents SET state = ?, document = ? WHERE id = ?",
                arguments: [incident.state.rawValue, try StoredDocument.encode(incident), id]
            )
            return incident
        }
    }

    public func incident(id: String) async throws -> Incident? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT document FROM incidents WHERE id = ?", arguments: [id]).map { try StoredDocument.decode($0, as: Incident.self) }
        }
    }

    public func incidents(openOnly: Bool) async throws -> [Incident] {
        try await pool.read { db in
            let sql = "SELECT document FROM incidents" + (openOnly ? " WHERE state = 'open'" : "") + " ORDER BY opened_at DESC, id DESC"
            return try String.fetchAll(db, sql: sql).map { try StoredDocument.decode($0, as: Incident.self) }
        }
    }
}
