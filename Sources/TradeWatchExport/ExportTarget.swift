/// The names of the files an export writes, and nothing else: a folder holding any other
/// name is not a previous export, and only these names are ever removed.
public enum ExportLayout {
    public static let manifest = "datapackage.json"
    public static let readme = "README.md"

    /// Every file of fixed name a finished export may hold, whatever its formats.
    public static let files: Set<String> = [
        "observations.csv", "entries.csv", "observations.ndjson", "entries.ndjson", "snapshot.sqlite", manifest,
        readme,
    ]

    /// Whether `name` has the form of a per-dataset table (`SOURCE.DATASET[.HASH].csv` or
    /// `.ndjson`, see `DatasetTableNames`). A previous export holds such a file only when its
    /// `datapackage.json` lists it too.
    public static func isDatasetFile(_ name: String) -> Bool { DatasetTableNames.isDatasetFile(name) }

    /// The largest `datapackage.json` read back (one with thousands of dataset tables is a few MiB).
    static let manifestLimit: Int64 = 64 << 20

    /// What SQLite may leave beside `snapshot.sqlite` while writing it (removed from a failed
    /// export's hidden folder, never accepted in a previous export).
    static let sqliteSidecars = ["snapshot.sqlite-journal", "snapshot.sqlite-wal", "snapshot.sqlite-shm"]

    /// The key in `datapackage.json` that marks a tradewatch export (the Frictionless spec
    /// allows properties of one's own in a descriptor), and its current value.
    public static let markerKey = "tradewatch"
    public static let markerVersion = 1
}

/// What is at an export's destination, as `lstat` and a look inside see it.
public indirect enum ExportTargetState: Equatable, Sendable {
    case absent
    case emptyDirectory
    /// A folder holding a `datapackage.json` with tradewatch's marker and only files an
    /// export writes, each a regular file.
    case previousExport
    /// A folder that is not a previous export, and why.
    case foreignDirectory(ForeignReason)
    case regularFile
    /// A device, FIFO or socket.
    case specialFile
    /// A symbolic link: what it holds, the path it resolves to and what is there (nil when
    /// the link leads nowhere).
    case symbolicLink(destination: String, resolvedPath: String?, resolved: ExportTargetState?)

    public enum ForeignReason: Equatable, Sendable {
        /// It holds a name an export never writes.
        case unexpectedEntry(String)
        /// It holds an export's name that is not a regular file (a folder, a link).
        case notAFile(String)
        /// Its `datapackage.json` is missing or lacks tradewatch's marker.
        case noMarker
    }
}

/// Why an export refuses its destination. Each is one sentence for the user.
public enum ExportRefusal: Equatable, Sendable {
    case regularFile
    case specialFile
    case foreignDirectory(ExportTargetState.ForeignReason)
    case previousExportWithoutForce
    /// A link, to anything but a previous export replaced with `--force`.
    case symbolicLink(destination: String, toPreviousExport: Bool)
    case danglingLink(destination: String)
    /// The destination is `/`.
    case root

    public func sentence(path: String) -> String {
        switch self {
        case .regularFile:
            return "refusing to export to \(path): it is a file, not a folder (choose another --out)"
        case .specialFile:
            return "refusing to export to \(path): it is a device, pipe or socket, not a folder"
        case .foreignDirectory(let reason):
            let why: String
            switch reason {
            case .unexpectedEntry(let name): why = "it holds '\(name)', which an export never writes"
            case .notAFile(let name): why = "its '\(name)' is not a regular file"
            case .noMarker: why = "it has no datapackage.json with tradewatch's marker"
            }
            return "refusing to export to \(path): \(why), and only a previous tradewatch export may be replaced, "
                + "with --force"
        case .previousExportWithoutForce:
            return "\(path) holds a previous tradewatch export; add --force to replace it"
        case .symbolicLink(let destination, let toPreviousExport):
            return toPreviousExport
                ? "\(path) is a symbolic link to a previous tradewatch export (\(destination)); add --force to replace it"
                : "refusing to export to \(path): it is a symbolic link (to \(destination)), and only a link to a "
                    + "previous tradewatch export is followed, with --force"
        case .danglingLink(let destination):
            return "refusing to export to \(path): it is a symbolic link to \(destination), which does not exist"
        case .root:
            return "refusing to export to /: choose a folder to create"
        }
    }
}

/// What an export does with its destination: the decision alone, tested without a file system.
public enum ExportAction: Equatable, Sendable {
    /// Nothing is there: rename the new export into place (never over anything that appears meanwhile).
    case create(at: String)
    /// An empty folder is there: rename the new export over it (the kernel replaces a folder
    /// only while it is empty), so the folder takes the new export's permissions.
    case replaceEmpty(at: String)
    /// A previous export is there (for a link, where it leads) and `--force` was given: swap
    /// the new one in, then remove the old one's files.
    case swap(with: String)
    case refuse(ExportRefusal)

    /// Decides from what is at `path` and whether `--force` was given.
    public static func decide(_ state: ExportTargetState, path: String, force: Bool) -> ExportAction {
        switch state {
        case .absent: return .create(at: path)
        case .emptyDirectory: return .replaceEmpty(at: path)
        case .previousExport: return force ? .swap(with: path) : .refuse(.previousExportWithoutForce)
        case .foreignDirectory(let reason): return .refuse(.foreignDirectory(reason))
        case .regularFile: return .refuse(.regularFile)
        case .specialFile: return .refuse(.specialFile)
        case .symbolicLink(let destination, let resolvedPath, let resolved):
            guard let resolvedPath, let resolved else { return .refuse(.danglingLink(destination: destination)) }
            guard resolved == .previousExport else {
                return .refuse(.symbolicLink(destination: destination, toPreviousExport: false))
            }
            return force
                ? .swap(with: resolvedPath) : .refuse(.symbolicLink(destination: destination, toPreviousExport: true))
        }
    }
}
