#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A new export's hidden folder beside its destination (same file system, so that a rename
/// moves it), and the moves that put it in place. Nothing here deletes recursively: only the
/// names an export writes are ever removed, then the emptied folder.
struct StagingFolder {
    /// How a previous export is replaced.
    enum SwapStrategy: Sendable {
        /// `renameat2(RENAME_EXCHANGE)`: one atomic swap. Falls back to `renameAside` where the
        /// kernel or file system lacks it.
        case exchange
        /// Rename the old export to a hidden name, rename the new one in, then remove the old;
        /// if the second rename fails the old one is renamed back.
        case renameAside
    }

    let path: String
    /// The destination as the user named it, for messages.
    let target: String

    /// Creates `.NAME.tradewatch-export-XXXXXX` in `destination`'s folder, creating that
    /// folder if needed.
    static func create(beside destination: ExportPath, target: String) throws(ExportError) -> StagingFolder {
        do {
            try SystemCalls.makeDirectories(destination.parent)
        } catch {
            throw ExportError.system(error, target: target, doing: "creating the folder")
        }
        let path = try uniqueDirectory(beside: destination, kind: "export", target: target)
        return StagingFolder(path: path, target: target)
    }

    /// Makes a new empty folder named `.NAME.tradewatch-KIND-XXXXXX` beside `destination`
    /// (`mkdir` fails rather than reuse a name, so the folder is ours alone).
    static func uniqueDirectory(
        beside destination: ExportPath, kind: String, target: String
    ) throws(ExportError)
        -> String
    {
        // Keep the hidden name within NAME_MAX (255 bytes) whatever the destination's length.
        var stem = ""
        for character in destination.name where stem.utf8.count + String(character).utf8.count <= 200 {
            stem.append(character)
        }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let folder = destination.parent == "/" ? "" : destination.parent
        for _ in 0..<100 {
            let suffix = String((0..<6).map { _ in alphabet.randomElement() ?? "x" })
            let path = "\(folder)/.\(stem).tradewatch-\(kind)-\(suffix)"
            do {
                if try SystemCalls.makeDirectory(path) { return path }
            } catch {
                var failure = error
                failure.path = destination.parent
                throw ExportError.system(failure, target: target, doing: "creating a folder in")
            }
        }
        throw ExportError(.fileSystem, "cannot export to \(target): no free hidden name in \(destination.parent)")
    }

    /// Removes what a failed export wrote, then its hidden folder; best effort, since the
    /// failure that brought us here is the one to report.
    func discard() {
        _ = try? Self.removeExportFiles(in: path, includingSidecars: true)
    }

    /// Removes the files an export writes from `directory`, then the folder itself if that
    /// emptied it. False when other files remain (they, and the folder, are left alone).
    ///
    /// `includingSidecars` is for the new export's own hidden folder, which may be left
    /// half-written: there every dataset table's name is removed. In a previous export only
    /// the dataset tables its `datapackage.json` lists are (read before it is removed).
    static func removeExportFiles(in directory: String, includingSidecars: Bool) throws(SystemCalls.Failure) -> Bool {
        let listed = includingSidecars ? nil : Manifest.read(directory + "/" + ExportLayout.manifest)?.paths ?? []
        let tables = try SystemCalls.names(in: directory).filter {
            ExportLayout.isDatasetFile($0) && !ExportLayout.files.contains($0) && listed?.contains($0) != false
        }
        for name in tables + ExportLayout.files.sorted() + (includingSidecars ? ExportLayout.sqliteSidecars : []) {
            try SystemCalls.removeFile(directory + "/" + name)
        }
        do {
            try SystemCalls.removeEmptyDirectory(directory)
        } catch  where error.code == ENOTEMPTY || error.code == EEXIST {
            return false
        }
        return true
    }

    /// Flushes the new export to disk and puts it where `action` says. Returns the hidden
    /// path of a previous export that could not be removed because it now holds other files.
    /// On failure the new export is discarded and what was at the destination is untouched.
    func commit(_ action: ExportAction, strategy: SwapStrategy) throws(ExportError) -> String? {
        do {
            try flushToDisk()
            switch action {
            case .create(let destination):
                try placeNew(at: destination)
                syncParent(of: destination)
                return nil
            case .replaceEmpty(let destination):
                // rename(2) replaces a folder only while it is empty: a file dropped in
                // meanwhile makes it fail (ENOTEMPTY) instead of being lost.
                try SystemCalls.move(path, destination)
                syncParent(of: destination)
                return nil
            case .swap(let destination):
                return try swap(with: destination, strategy: strategy)
            case .refuse(let refusal):
                throw ExportError(.refused, refusal.sentence(path: target))
            }
        } catch let error as SystemCalls.Failure {
            discard()
            throw ExportError.system(error, target: target, doing: "moving the new export into place at")
        } catch let error as ExportError {
            discard()
            throw error
        } catch {
            discard()
            throw ExportError(.fileSystem, "cannot export to \(target): \(error)")
        }
    }

    private func flushToDisk() throws(SystemCalls.Failure) {
        try SystemCalls.syncAll(try SystemCalls.names(in: path).map { path + "/" + $0 })
        try SystemCalls.sync(path)
    }

    /// Renames the new export to `destination`, which must not exist.
    private func placeNew(at destination: String) throws(SystemCalls.Failure) {
        if try SystemCalls.move(path, destination, .noReplace) { return }
        // No RENAME_NOREPLACE here: rename(2) of a folder still never replaces anything but
        // an empty folder.
        try SystemCalls.move(path, destination)
    }

    private func swap(with destination: String, strategy: SwapStrategy) throws -> String? {
        // The previous export was checked before writing; check again now that it is about
        // to be replaced, in case something else was put there meanwhile.
        guard try ExportTargetState.inspect(destination) == .previousExport else {
            throw ExportError(
                .refused,
                "cannot export to \(target): \(destination) changed while the export was written; it was left as it is")
        }
        let old: String
        if strategy == .exchange, try SystemCalls.move(path, destination, .exchange) {
            // The previous export now sits at the hidden path.
            old = path
        } else {
            old = try StagingFolder.uniqueDirectory(
                beside: ExportPath(resolved: destination), kind: "previous", target: target)
            // Over the empty folder just made: rename(2) replaces an empty folder.
            do {
                try SystemCalls.move(destination, old)
            } catch {
                try? SystemCalls.removeEmptyDirectory(old)
                throw error
            }
            do {
                try placeNew(at: destination)
            } catch {
                do {
                    try SystemCalls.move(old, destination)
                } catch let restore {
                    throw ExportError(
                        .fileSystem,
                        "cannot export to \(target): the new export could not be moved in (\(error.reason)) and the "
                            + "previous one could not be moved back (\(restore.reason)); it is whole at \(old)")
                }
                throw error
            }
        }
        syncParent(of: destination)
        // The new export is in place: failing to remove the old one's files is not a failed
        // export, and whatever is left stays at the hidden path the user is told about.
        if (try? Self.removeExportFiles(in: old, includingSidecars: false)) == true { return nil }
        return old
    }

    /// Makes the rename durable; the export is in place either way, so a failure is not reported.
    private func syncParent(of destination: String) {
        try? SystemCalls.sync(SystemCalls.parent(of: destination))
    }
}
