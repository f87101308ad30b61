import ArgumentParser
import Foundation
import TradeWatchCache
import TradeWatchExport
import TradeWatchModel

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a reproducible snapshot for analysts: files, datapackage.json and a provenance README.",
        discussion: """
            The same --as-of gives byte-identical files. The export is written to a hidden folder beside DIR \
            and renamed into place, so a failed export leaves nothing half-written and any previous export \
            whole. DIR may be absent or an empty folder; a previous tradewatch export is replaced only with \
            --force. A file, a symbolic link (unless it leads to a previous export and --force is given) or \
            any other folder is refused, whatever the flags.

            Besides observations.* (one row per figure, the series key as one string), each dataset gets its \
            own table, SOURCE.DATASET.csv / .ndjson and a table of that name in snapshot.sqlite, with a \
            column per dimension (its code) and one per label (PARTNER, PARTNER_label). --source, --dataset, \
            --where and --match narrow every table of figures.
            """)

    @OptionGroup var cache: CacheOptions

    @Option(help: "The folder to create.")
    var out: String

    @Option(help: "A revision (number, latest, latest~N, @TIME); default latest.")
    var asOf: String = "latest"

    @Option(help: "Only these sources (repeatable).")
    var source: [String] = []

    @Option(help: "Only this dataset.")
    var dataset: String?

    @OptionGroup var selector: SeriesSelector

    @Option(help: "Comma-separated: csv, ndjson, sqlite.")
    var format: String = "csv"

    @Flag(help: "Replace DIR when it holds a previous tradewatch export (never anything else).")
    var force = false

    var formats: [SnapshotExporter.Format] {
        format.split(separator: ",").compactMap {
            SnapshotExporter.Format(rawValue: $0.trimmingCharacters(in: .whitespaces))
        }
    }

    func validate() throws {
        if RevisionPoint(asOf) == nil {
            throw ValidationError("--as-of: '\(asOf)' is not a revision like 12, latest~1 or @2019-07-03")
        }
        let names = format.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let bad = names.first(where: { SnapshotExporter.Format(rawValue: $0) == nil }) {
            throw ValidationError("--format: '\(bad)' is not one of csv, ndjson, sqlite")
        }
    }

    func run() async throws {
        let db = try cache.open()
        let revision = try db.resolve(RevisionPoint(asOf) ?? .latest)
        let showProgress = isatty(STDERR_FILENO) == 1
        let exporter = SnapshotExporter(cache: db) { rows in
            if showProgress { FileHandle.standardError.write(Data("\r  \(Human.count(rows)) rows…".utf8)) }
        }
        let summary: SnapshotExporter.Summary
        do {
            summary = try exporter.export(
                to: out,
                options: .init(
                    revision: revision, sources: source.isEmpty ? nil : source, dataset: dataset,
                    dimensions: selector.dimensions, words: selector.words, formats: formats, force: force))
        } catch let error as ExportError {
            if showProgress { FileHandle.standardError.write(Data("\r".utf8)) }
            throw CommandFailure(message: error.message, exitCode: 1)
        }
        if showProgress { FileHandle.standardError.write(Data("\r".utf8)) }
        if let kept = summary.previousExportKept {
            Terminal.error(
                "note: what is left of the previous export (files tradewatch did not write, or could not remove) is at \(kept)"
            )
        }
        Terminal.print(
            "exported revision \(summary.revision): \(Human.count(summary.observations)) observations, "
                + "\(Human.count(summary.entries)) entries → \(summary.directory)")
        for file in summary.files { Terminal.print("  \(file)") }
    }
}
