import Foundation
import GRDB
import TradeWatchModel

/// Applies labels and structures to one source under the revision being built, as versioned
/// rows: a new version when a name, a parent or a structure differs, a closed one when a
/// complete batch no longer lists a code. Runs inside the recording transaction.
final class LabelWriter {
    private enum Identity: Hashable {
        case label(dataset: String, component: String, code: String, language: String)
        case structure(dataset: String)
    }

    private let db: Database
    private let sourceID: Int64
    private let revision: Int64
    /// What this revision added, changed or withdrew (one each, however often it was rewritten).
    private var touched = Set<Identity>()
    /// dataset → the codes whose labels changed: the search documents of their series are stale.
    private(set) var renamed: [String: Set<ComponentCode>] = [:]

    /// Label and structure identities this revision added, changed or withdrew.
    var count: Int { touched.count }

    init(db: Database, sourceID: Int64, revision: Int64) {
        self.db = db
        self.sourceID = sourceID
        self.revision = revision
    }

    /// A payload's labels and structure: its structure replaces the stored one when it
    /// differs; its labels are added or revised; for each component it lists completely, a
    /// current label it lacks is withdrawn. A label the batch repeats keeps its last occurrence.
    func apply(_ batch: LabelBatch) throws {
        if let structure = batch.structure { try put(structure, dataset: batch.dataset) }
        var listed: [Identity: CodeLabel] = [:]
        var order: [Identity] = []
        for label in batch.labels {
            let identity = Identity.label(
                dataset: batch.dataset, component: label.component, code: label.code, language: label.language)
            if listed.updateValue(label, forKey: identity) == nil { order.append(identity) }
        }
        for identity in order {
            if let label = listed[identity] { try put(label, dataset: batch.dataset) }
        }
        for component in batch.complete.sorted() {
            try withdraw(dataset: batch.dataset, component: component) { code, language in
                listed[.label(dataset: batch.dataset, component: component, code: code, language: language)] != nil
            }
        }
    }

    /// Labels that came with data: added or revised, never withdrawing any.
    func apply(additive labels: [(dataset: String, label: CodeLabel)]) throws {
        for (dataset, label) in labels { try put(label, dataset: dataset) }
    }

    // MARK: Labels

    private func put(_ label: CodeLabel, dataset: String) throws {
        let identity: StatementArguments = [sourceID, dataset, label.component, label.code, label.language]
        let current = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT from_rev, name, parent FROM code_label
                    WHERE source_id = ? AND dataset = ? AND component = ? AND code = ? AND language = ?
                        AND to_rev IS NULL
                    """), arguments: identity)
        if let current {
            let (from, name, parent): (Int64, String, String?) = (current[0], current[1], current[2])
            if name == label.name && parent == label.parent { return }
            if from == revision {
                // Written earlier in this same revision: the last occurrence wins.
                try db.run(
                    sql: """
                        UPDATE code_label SET name = ?, parent = ? WHERE source_id = ? AND dataset = ?
                            AND component = ? AND code = ? AND language = ? AND from_rev = ?
                        """,
                    arguments: [label.name, label.parent] + identity + [revision])
            } else {
                try close(identity, from: from)
                try insert(label, identity: identity)
            }
        } else {
            try insert(label, identity: identity)
        }
        note(dataset: dataset, component: label.component, code: label.code, language: label.language)
    }

    private func insert(_ label: CodeLabel, identity: StatementArguments) throws {
        try db.run(
            sql: """
                INSERT INTO code_label (source_id, dataset, component, code, language, from_rev, name, parent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: identity + [revision, label.name, label.parent])
    }

    private func close(_ identity: StatementArguments, from: Int64) throws {
        try db.run(
            sql: """
                UPDATE code_label SET to_rev = ? WHERE source_id = ? AND dataset = ? AND component = ? AND code = ?
                    AND language = ? AND from_rev = ?
                """,
            arguments: [revision] + identity + [from])
    }

    /// Closes the current labels of `component` that `keep` does not want.
    private func withdraw(dataset: String, component: String, keep: (String, String) -> Bool) throws {
        let current = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT code, language, from_rev FROM code_label
                    WHERE source_id = ? AND dataset = ? AND component = ? AND to_rev IS NULL
                    """), arguments: [sourceID, dataset, component])
        for row in current {
            let (code, language, from): (String, String, Int64) = (row[0], row[1], row[2])
            if keep(code, language) { continue }
            let identity: StatementArguments = [sourceID, dataset, component, code, language]
            if from == revision {
                // Opened by this same revision: it never was, unless it replaced a version
                // this revision closed (then that closing is the withdrawal).
                try db.run(
                    sql: """
                        DELETE FROM code_label WHERE source_id = ? AND dataset = ? AND component = ? AND code = ?
                            AND language = ? AND from_rev = ?
                        """, arguments: identity + [revision])
                let replaced =
                    try Bool.fetchOne(
                        db.cachedStatement(
                            sql: """
                                SELECT 1 FROM code_label WHERE source_id = ? AND dataset = ? AND component = ?
                                    AND code = ? AND language = ? AND to_rev = ?
                                """), arguments: identity + [revision]) ?? false
                if !replaced {
                    touched.remove(.label(dataset: dataset, component: component, code: code, language: language))
                    continue
                }
            } else {
                try close(identity, from: from)
            }
            note(dataset: dataset, component: component, code: code, language: language)
        }
    }

    private func note(dataset: String, component: String, code: String, language: String) {
        touched.insert(.label(dataset: dataset, component: component, code: code, language: language))
        renamed[dataset, default: []].insert(ComponentCode(component: component, code: code))
    }

    // MARK: Structures

    private func put(_ structure: DatasetStructure, dataset: String) throws {
        let text = try Self.json(structure)
        let current = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT from_rev, structure FROM dataset_structure
                    WHERE source_id = ? AND dataset = ? AND to_rev IS NULL
                    """), arguments: [sourceID, dataset])
        if let current {
            let (from, stored): (Int64, String) = (current[0], current[1])
            if stored == text { return }
            if from == revision {
                try db.run(
                    sql:
                        "UPDATE dataset_structure SET structure = ? WHERE source_id = ? AND dataset = ? AND from_rev = ?",
                    arguments: [text, sourceID, dataset, revision])
            } else {
                try db.run(
                    sql: "UPDATE dataset_structure SET to_rev = ? WHERE source_id = ? AND dataset = ? AND from_rev = ?",
                    arguments: [revision, sourceID, dataset, from])
                try insertStructure(text, dataset: dataset)
            }
        } else {
            try insertStructure(text, dataset: dataset)
        }
        touched.insert(.structure(dataset: dataset))
    }

    private func insertStructure(_ text: String, dataset: String) throws {
        try db.run(
            sql: "INSERT INTO dataset_structure (source_id, dataset, from_rev, structure) VALUES (?, ?, ?, ?)",
            arguments: [sourceID, dataset, revision, text])
    }

    /// A structure as stored: JSON with sorted keys, so that the same structure is the same text.
    static func json(_ structure: DatasetStructure) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(structure), as: UTF8.self)
    }
}
