extension SQLiteCache {
    /// The migration that adds labels, structures, reference documents and the series index.
    static let labelsMigration = "labels: structures, code labels, reference documents, series index"

    /// Its tables. Structures and labels are versioned like observations: a row is visible at
    /// revision R iff from_rev <= R AND (to_rev IS NULL OR to_rev > R).
    static let labelsSchema = """
        -- A dataset's structure (`DatasetStructure` as JSON with sorted keys), per source.
        CREATE TABLE dataset_structure (
            source_id INTEGER NOT NULL REFERENCES source(id),
            dataset TEXT NOT NULL,
            from_rev INTEGER NOT NULL,
            to_rev INTEGER,
            structure TEXT NOT NULL,
            PRIMARY KEY (source_id, dataset, from_rev)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX dataset_structure_current ON dataset_structure(source_id, dataset) WHERE to_rev IS NULL;

        -- A code's name in one language. Clustered by identity, so the versions of one code
        -- share a page, and one dataset's codes are contiguous.
        CREATE TABLE code_label (
            source_id INTEGER NOT NULL REFERENCES source(id),
            dataset TEXT NOT NULL,
            component TEXT NOT NULL,
            code TEXT NOT NULL,
            language TEXT NOT NULL,
            from_rev INTEGER NOT NULL,
            to_rev INTEGER,
            name TEXT NOT NULL,
            parent TEXT,
            PRIMARY KEY (source_id, dataset, component, code, language, from_rev)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX code_label_current
            ON code_label(source_id, dataset, component, code, language) WHERE to_rev IS NULL;
        -- `history` of a label named by component and code alone.
        CREATE INDEX code_label_by_code ON code_label(component, code);

        -- A reference document's own validators and schedule (a structure, a reference list):
        -- apart from source_state, which holds the data's.
        CREATE TABLE reference_state (
            source_id INTEGER NOT NULL REFERENCES source(id),
            document TEXT NOT NULL,
            url TEXT,
            etag TEXT,
            last_modified TEXT,
            payload_sha256 TEXT,
            last_attempt TEXT,
            last_success TEXT,
            next_due TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            last_error_code TEXT,
            last_error_message TEXT,
            PRIMARY KEY (source_id, document)
        ) WITHOUT ROWID;

        -- The series index: a row per key dimension of every series (`--where DIM=CODE`), and
        -- a search document per series (rowid = series.id): its dimension ids and codes, then
        -- the current labels of its codes in every language (`tradewatch series WORDS`).
        CREATE TABLE series_dimension (
            component TEXT NOT NULL,
            code TEXT NOT NULL,
            series_id INTEGER NOT NULL,
            PRIMARY KEY (component, code, series_id)
        ) WITHOUT ROWID;
        CREATE VIRTUAL TABLE series_fts USING fts5(document, tokenize = 'unicode61 remove_diacritics 2');

        -- Label and structure identities a revision added, changed or withdrew.
        ALTER TABLE revision ADD COLUMN labels INTEGER NOT NULL DEFAULT 0;
        -- The reference document a fetch was of; NULL for the source's data.
        ALTER TABLE fetch ADD COLUMN document TEXT;
        """
}
