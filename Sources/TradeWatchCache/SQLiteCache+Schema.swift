import GRDB

extension SQLiteCache {
    /// The append-only list of migrations. A shipped migration is never edited; a change of
    /// schema is a new migration, and the cache is never erased.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sources, fetches, revisions, versioned rows") { db in
            try db.execute(sql: schemaV1)
        }
        migrator.registerMigration("v2: the daemon's control socket and clean stop") { db in
            try db.execute(
                sql: """
                    ALTER TABLE daemon ADD COLUMN control_socket TEXT;
                    ALTER TABLE daemon ADD COLUMN stopped_at TEXT;
                    """)
        }
        migrator.registerMigration("v3: a per-revision change log of observations") { db in
            // For each revision, the versions it closed (side 0) and, for keys it changed, the
            // versions it opened in their place (side 1), with their content: a diff reads
            // these few contiguous pages instead of looking up every version in the table.
            // Revisions written before this migration get their log after the migrator, in
            // resumable batches (`backfillChangeLog`); `change_log_from` says where it starts.
            // (Comment updated; the migration's SQL is as shipped.)
            try db.execute(
                sql: """
                    CREATE TABLE observation_change (
                        revision INTEGER NOT NULL,
                        series_id INTEGER NOT NULL,
                        period TEXT NOT NULL,
                        side INTEGER NOT NULL CHECK (side IN (0, 1)),
                        from_rev INTEGER NOT NULL,
                        period_start TEXT,
                        period_end TEXT,
                        value TEXT,
                        number REAL,
                        unit TEXT,
                        unit_mult INTEGER,
                        status TEXT,
                        attributes TEXT,
                        PRIMARY KEY (revision, series_id, period, side)
                    ) WITHOUT ROWID;
                    CREATE TABLE cache_setting (name TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID;
                    INSERT INTO cache_setting (name, value)
                        SELECT 'change_log_from', coalesce(max(id), 0) + 1 FROM revision;
                    """)
        }
        migrator.registerMigration("payload.redacted: a kept payload whose quoted secrets were replaced") { db in
            try db.execute(sql: "ALTER TABLE payload ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("fetch.warnings: what reading a payload noticed without failing") { db in
            // JSON arrays of strings, NULL when there were none: per fetch, and for the payload
            // a source holds now (kept across 304s and unchanged payloads, replaced by the
            // next payload read).
            try db.execute(sql: "ALTER TABLE fetch ADD COLUMN warnings TEXT")
            try db.execute(sql: "ALTER TABLE source_state ADD COLUMN last_warnings TEXT")
        }
        migrator.registerMigration(labelsMigration) { db in
            try db.execute(sql: labelsSchema)
            // Series stored before this migration get their index rows and search documents
            // now (no labels exist yet, so a document is the key's ids and codes).
            var index = try SeriesIndex(db)
            try index.add(seriesAbove: 0)
        }
        return migrator
    }

    /// Logs what `revision` closed, and what it opened in place of what it closed: run once
    /// all of a pull's rows are written, so repeated keys and deletions inside the pull are
    /// already settled. Cost follows the changes: both statements start from the closed rows.
    static let changeLogSQL = [
        """
        INSERT INTO observation_change (revision, series_id, period, side, from_rev, period_start, period_end,
            value, number, unit, unit_mult, status, attributes)
        SELECT ?1, series_id, period, 0, from_rev, period_start, period_end, value, number, unit, unit_mult,
            status, attributes
        FROM observation WHERE to_rev = ?1
        """,
        """
        INSERT INTO observation_change (revision, series_id, period, side, from_rev, period_start, period_end,
            value, number, unit, unit_mult, status, attributes)
        SELECT ?1, o.series_id, o.period, 1, o.from_rev, o.period_start, o.period_end, o.value, o.number, o.unit,
            o.unit_mult, o.status, o.attributes
        FROM observation c JOIN observation o
            ON o.series_id = c.series_id AND o.period = c.period AND o.from_rev = ?1
        WHERE c.to_rev = ?1
        """,
    ]

    private static let schemaV1 = """
        CREATE TABLE source (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            created_at TEXT NOT NULL
        );

        -- What the scheduler needs to survive a restart, and status needs to answer fast.
        CREATE TABLE source_state (
            source_id INTEGER PRIMARY KEY REFERENCES source(id),
            etag TEXT,
            last_modified TEXT,
            payload_sha256 TEXT,
            url_override TEXT,
            next_due TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            last_attempt TEXT,
            last_outcome TEXT,
            last_success TEXT,
            last_error_code TEXT,
            last_error_message TEXT,
            last_pull_started TEXT,
            current_observations INTEGER NOT NULL DEFAULT 0,
            current_entries INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE revision (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES source(id),
            fetch_id INTEGER,
            created_at TEXT NOT NULL,
            added INTEGER NOT NULL,
            changed INTEGER NOT NULL,
            removed INTEGER NOT NULL
        );
        CREATE INDEX revision_by_source ON revision(source_id, id);
        CREATE INDEX revision_by_time ON revision(created_at);

        CREATE TABLE fetch (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES source(id),
            started_at TEXT NOT NULL,
            url TEXT NOT NULL,
            http_status INTEGER,
            bytes INTEGER,
            etag TEXT,
            last_modified TEXT,
            content_type TEXT,
            payload_sha256 TEXT,
            duration_ms INTEGER,
            outcome TEXT NOT NULL CHECK (outcome IN ('changed', 'unchanged', 'not-modified', 'failed')),
            error_code TEXT,
            error_message TEXT,
            revision_id INTEGER REFERENCES revision(id)
        );
        CREATE INDEX fetch_by_source ON fetch(source_id, id);

        -- Raw payloads as the server sent them, gzip-compressed, one row per distinct body.
        CREATE TABLE payload (
            source_id INTEGER NOT NULL REFERENCES source(id),
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            stored_size INTEGER NOT NULL,
            content_type TEXT,
            data BLOB NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (source_id, sha256)
        ) WITHOUT ROWID;

        -- A series of one source: its dataset and canonical key, stored once.
        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES source(id),
            dataset TEXT NOT NULL,
            series_key TEXT NOT NULL,
            UNIQUE (source_id, dataset, series_key)
        );

        -- A row is visible at revision R iff from_rev <= R AND (to_rev IS NULL OR to_rev > R).
        -- Clustered by key, so the versions of one figure share a page: history, diff and
        -- snapshots in key order read few pages. series_id is not declared a foreign key:
        -- reconcile creates the series first in the same transaction, and verify checks it.
        CREATE TABLE observation (
            series_id INTEGER NOT NULL,
            period TEXT NOT NULL,
            from_rev INTEGER NOT NULL,
            to_rev INTEGER,
            period_start TEXT,
            period_end TEXT,
            value TEXT,
            number REAL,
            unit TEXT,
            unit_mult INTEGER,
            status TEXT,
            attributes TEXT,
            hash INTEGER NOT NULL,
            PRIMARY KEY (series_id, period, from_rev)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX observation_current ON observation(series_id, period) WHERE to_rev IS NULL;
        CREATE INDEX observation_opened ON observation(from_rev);
        CREATE INDEX observation_closed ON observation(to_rev) WHERE to_rev IS NOT NULL;

        CREATE TABLE entry (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL,
            entry_key TEXT NOT NULL,
            guid TEXT,
            title TEXT,
            link TEXT,
            published TEXT,
            updated TEXT,
            authors TEXT,
            summary TEXT,
            content TEXT,
            categories TEXT,
            extra TEXT,
            hash TEXT NOT NULL,
            from_rev INTEGER NOT NULL,
            to_rev INTEGER
        );
        CREATE UNIQUE INDEX entry_current ON entry(source_id, entry_key) WHERE to_rev IS NULL;
        CREATE INDEX entry_key ON entry(source_id, entry_key, from_rev);
        CREATE INDEX entry_opened ON entry(from_rev);
        CREATE INDEX entry_closed ON entry(to_rev) WHERE to_rev IS NOT NULL;

        -- Full-text index over current entry versions only; rowid = entry.id.
        CREATE VIRTUAL TABLE entry_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');

        -- The daemon's heartbeat, for `tradewatch status`.
        CREATE TABLE daemon (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            pid INTEGER NOT NULL,
            version TEXT NOT NULL,
            started_at TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL,
            status TEXT
        );
        """
}
