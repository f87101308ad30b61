public import Foundation
import GRDB
public import TradeWatchModel

// Writing labels, structures and reference documents; see `LabelWriter` and `SeriesIndex`.
extension SQLiteCache {
    /// Records one fetch of a reference document; see `CacheWriter.recordReference`.
    @discardableResult
    public func recordReference(_ fetch: ReferenceFetchToRecord) throws -> FetchRecord {
        try write { db in try Self.recordReference(db, fetch) }
    }

    private static func recordReference(_ db: Database, _ fetch: ReferenceFetchToRecord) throws -> FetchRecord {
        let sourceID = try sourceID(db, name: fetch.source, kind: fetch.kind, at: fetch.attempt.startedAt)
        let outcome: FetchRecord.Outcome
        var error: (String?, String?) = (nil, nil)
        var revision: RevisionSummary?
        switch fetch.result {
        case .failed(let code, let message):
            outcome = .failed
            error = (code, message)
        case .notModified:
            outcome = .notModified
        case .samePayload:
            outcome = .unchanged
        case .pulled(let batches):
            try db.run(
                sql: "INSERT INTO revision (source_id, created_at, added, changed, removed) VALUES (?, ?, 0, 0, 0)",
                arguments: [sourceID, Timestamp.format(fetch.finishedAt)])
            let revisionID = db.lastInsertedRowID
            let labels = LabelWriter(db: db, sourceID: sourceID, revision: revisionID)
            for batch in batches { try labels.apply(batch) }
            if labels.count == 0 {
                try db.run(sql: "DELETE FROM revision WHERE id = ?", arguments: [revisionID])
            } else {
                try db.run(
                    sql: "UPDATE revision SET labels = ? WHERE id = ?", arguments: [labels.count, revisionID])
                // No series are created here: only the documents of renamed codes change.
                try indexSeries(db, sourceID: sourceID, createdAbove: .max, renamed: labels.renamed)
                revision = RevisionSummary(
                    id: revisionID, source: fetch.source, fetchID: nil, createdAt: fetch.finishedAt, added: 0,
                    changed: 0, removed: 0, labels: labels.count)
            }
            outcome = revision == nil ? .unchanged : .changed
        }
        let (fetchID, recorded) = try insertFetch(
            db, sourceID: sourceID, attempt: fetch.attempt, outcome: outcome, error: error, revision: revision,
            document: fetch.document)
        try updateReferenceState(db, sourceID: sourceID, fetch, outcome: outcome, error: error)
        return FetchRecord(fetchID: fetchID, outcome: outcome, revision: recorded, warnings: fetch.attempt.warnings)
    }

    /// The document's own validators, due time and failures; the source's data state is not
    /// touched. A failure keeps the validators the last success left.
    private static func updateReferenceState(
        _ db: Database, sourceID: Int64, _ fetch: ReferenceFetchToRecord, outcome: FetchRecord.Outcome,
        error: (String?, String?)
    ) throws {
        try db.run(
            sql: "INSERT INTO reference_state (source_id, document) VALUES (?, ?) ON CONFLICT DO NOTHING",
            arguments: [sourceID, fetch.document])
        let attempt = fetch.attempt
        let (now, due) = (Timestamp.format(fetch.finishedAt), fetch.nextDue.map(Timestamp.format))
        if outcome == .failed {
            try db.run(
                sql: """
                    UPDATE reference_state SET url = :url, consecutive_failures = consecutive_failures + 1,
                        last_attempt = :now, last_error_code = :code, last_error_message = :message,
                        next_due = coalesce(:due, next_due)
                    WHERE source_id = :source AND document = :document
                    """,
                arguments: [
                    "url": attempt.url, "now": now, "code": error.0, "message": error.1, "due": due,
                    "source": sourceID, "document": fetch.document,
                ])
        } else {
            // A 304 carries no payload: keep the validators and payload hash we had.
            try db.run(
                sql: """
                    UPDATE reference_state SET url = :url, consecutive_failures = 0, last_attempt = :now,
                        last_success = :now, last_error_code = NULL, last_error_message = NULL,
                        next_due = coalesce(:due, next_due),
                        etag = CASE WHEN :notModified THEN coalesce(:etag, etag) ELSE :etag END,
                        last_modified = CASE WHEN :notModified THEN coalesce(:lastModified, last_modified)
                            ELSE :lastModified END,
                        payload_sha256 = coalesce(:sha, payload_sha256)
                    WHERE source_id = :source AND document = :document
                    """,
                arguments: [
                    "url": attempt.url, "now": now, "due": due, "notModified": outcome == .notModified,
                    "etag": attempt.etag, "lastModified": attempt.lastModified, "sha": attempt.payloadSHA256,
                    "source": sourceID, "document": fetch.document,
                ])
        }
    }

    /// Applies the labels and structures a pull's sink gathered: complete batches first, then
    /// the labels that came with the data (revising what a batch said of the same code).
    static func writeLabels(_ db: Database, sourceID: Int64, revision: Int64, sink: PullSink) throws -> LabelWriter {
        let writer = LabelWriter(db: db, sourceID: sourceID, revision: revision)
        for batch in sink.batches { try writer.apply(batch) }
        if !sink.additiveLabels.isEmpty {
            // In identity order, so that the write order does not depend on dictionary order.
            let additive = sink.additiveLabels.sorted {
                ($0.key.dataset, $0.key.component, $0.key.code, $0.key.language)
                    < ($1.key.dataset, $1.key.component, $1.key.code, $1.key.language)
            }
            try writer.apply(additive: additive.map { ($0.key.dataset, $0.value) })
        }
        return writer
    }

    /// Indexes the series created above `createdAbove`, then rewrites the search documents of
    /// the older series whose codes `renamed` (dataset → codes) names.
    static func indexSeries(
        _ db: Database, sourceID: Int64, createdAbove: Int64, renamed: [String: Set<ComponentCode>]
    ) throws {
        var index = try SeriesIndex(db)
        try index.add(seriesAbove: createdAbove)
        if !renamed.isEmpty { try index.refresh(sourceID: sourceID, changed: renamed, upTo: createdAbove) }
    }
}

// Reading labels, structures and reference documents.
extension SQLiteCache {
    /// The datasets of `sources` (all when nil) that hold series or a structure, by source and
    /// dataset, with their current structure and their number of series.
    public func datasets(sources: [String]?, at revision: Int64?) throws -> [DatasetInfo] {
        var clause = ""
        var arguments = StatementArguments()
        if let sources {
            clause = " AND s.name IN (\(sources.map { _ in "?" }.joined(separator: ",")))"
            arguments = StatementArguments(sources)
        }
        let visible = Self.visible("d", at: revision)
        return try read { db in
            var found: [Pair: DatasetInfo] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT s.name, se.dataset, count(*) FROM series se JOIN source s ON s.id = se.source_id
                    WHERE 1 \(clause) GROUP BY se.source_id, se.dataset
                    """, arguments: arguments)
            {
                found[Pair(row[0], row[1])] = DatasetInfo(source: row[0], dataset: row[1], series: row[2])
            }
            // Sources of one flow store the same structure: each distinct text is decoded once.
            var decoded: [String: DatasetStructure] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT s.name, d.dataset, d.structure, d.from_rev FROM dataset_structure d
                    JOIN source s ON s.id = d.source_id WHERE \(visible.sql) \(clause)
                    """, arguments: visible.arguments + arguments)
            {
                let pair = Pair(row[0], row[1])
                var info = found[pair] ?? DatasetInfo(source: row[0], dataset: row[1])
                let json: String = row[2]
                var structure = try decoded[json] ?? Self.structure(json, source: pair.source, dataset: pair.dataset)
                decoded[json] = structure
                structure.dataset = pair.dataset
                info.structure = structure
                info.structureRevision = row[3]
                found[pair] = info
            }
            return found.values.sorted { ($0.source, $0.dataset) < ($1.source, $1.dataset) }
        }
    }

    private struct Pair: Hashable {
        var source: String
        var dataset: String
        init(_ source: String, _ dataset: String) {
            self.source = source
            self.dataset = dataset
        }
    }

    private static func structure(_ json: String, source: String, dataset: String) throws -> DatasetStructure {
        do {
            return try JSONDecoder().decode(DatasetStructure.self, from: Data(json.utf8))
        } catch {
            throw CacheError(.database, "the stored structure of \(source)/\(dataset) cannot be read: \(error)")
        }
    }

    /// The labels of one dataset's codes as of `revision` (nil: current), every language stored.
    public func labels(source: String, dataset: String, at revision: Int64?) throws -> DatasetLabels {
        let visible = Self.visible("l", at: revision)
        return try read { db in
            DatasetLabels(
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT l.component, l.code, l.language, l.name, l.parent FROM code_label l
                        JOIN source s ON s.id = l.source_id
                        WHERE s.name = ? AND l.dataset = ? AND \(visible.sql)
                        ORDER BY l.component, l.code, l.language
                        """, arguments: [source, dataset] + visible.arguments
                ).map { CodeLabel(component: $0[0], code: $0[1], language: $0[2], name: $0[3], parent: $0[4]) })
        }
    }

    /// The rows of `table` visible at `revision` (the current ones when nil): opened at or
    /// before it, not closed by then.
    private static func visible(_ table: String, at revision: Int64?) -> (sql: String, arguments: StatementArguments) {
        guard let revision else { return ("\(table).to_rev IS NULL", []) }
        return ("\(table).from_rev <= ? AND (\(table).to_rev IS NULL OR \(table).to_rev > ?)", [revision, revision])
    }

    /// Every version of one code's labels, by source and dataset, oldest first (languages in
    /// order within a revision).
    public func labelHistory(_ query: LabelQuery) throws -> [LabelVersion] {
        var sql = """
            SELECT s.name, l.dataset, l.language, l.name, l.parent, l.from_rev, l.to_rev FROM code_label l
            JOIN source s ON s.id = l.source_id WHERE l.component = ? AND l.code = ?
            """
        var arguments: StatementArguments = [query.component, query.code]
        if let source = query.source {
            sql += " AND s.name = ?"
            arguments += [source]
        }
        if let dataset = query.dataset {
            sql += " AND l.dataset = ?"
            arguments += [dataset]
        }
        return try read { db in
            try Row.fetchAll(db, sql: sql + " ORDER BY s.name, l.dataset, l.from_rev, l.language", arguments: arguments)
                .map { row in
                    LabelVersion(
                        source: row[0], dataset: row[1],
                        label: CodeLabel(
                            component: query.component, code: query.code, language: row[2], name: row[3],
                            parent: row[4]),
                        fromRevision: row[5], toRevision: row[6])
                }
        }
    }

    /// The state of each reference document of `source`, by document name.
    public func referenceStates(source: String) throws -> [ReferenceState] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.document, r.url, r.etag, r.last_modified, r.payload_sha256, r.last_attempt,
                        r.last_success, r.next_due, r.consecutive_failures, r.last_error_code, r.last_error_message
                    FROM reference_state r JOIN source s ON s.id = r.source_id WHERE s.name = ?
                    ORDER BY r.document
                    """, arguments: [source]
            ).map { row in
                ReferenceState(
                    document: row[0], url: row[1], etag: row[2], lastModified: row[3], payloadSHA256: row[4],
                    lastAttempt: Self.date(row[5]), lastSuccess: Self.date(row[6]), nextDue: Self.date(row[7]),
                    consecutiveFailures: row[8], lastErrorCode: row[9], lastErrorMessage: row[10])
            }
        }
    }
}
