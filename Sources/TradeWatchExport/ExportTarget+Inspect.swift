import Foundation

/// An export's destination as an absolute path, split into its folder and its name.
public struct ExportPath: Equatable, Sendable {
    public var path: String
    public var parent: String
    public var name: String

    /// `out` made absolute against the working folder; a last component of `.` or `..` is
    /// resolved, so that the name is a real entry of the parent folder. Nil for `/`.
    init?(_ out: String) throws(SystemCalls.Failure) {
        var absolute = out.hasPrefix("/") ? out : try SystemCalls.currentDirectory() + "/" + out
        if let last = absolute.split(separator: "/").last, last == "." || last == ".." {
            absolute = try SystemCalls.realPath(absolute)
        }
        let components = absolute.split(separator: "/").filter { $0 != "." }.map(String.init)
        guard let name = components.last else { return nil }
        self.name = name
        self.parent = "/" + components.dropLast().joined(separator: "/")
        self.path = (parent == "/" ? "" : parent) + "/" + name
    }

    init(resolved path: String) {
        self.path = path
        self.parent = SystemCalls.parent(of: path)
        self.name = String(path[path.index(after: path.lastIndex(of: "/") ?? path.startIndex)...])
    }
}

extension ExportTargetState {
    /// Looks at `path` without following a link (a link's destination is looked at in turn).
    static func inspect(_ path: String) throws(SystemCalls.Failure) -> ExportTargetState {
        switch try SystemCalls.type(of: path) {
        case .absent: return .absent
        case .regular: return .regularFile
        case .other: return .specialFile
        case .directory: return try inspectDirectory(path)
        case .symbolicLink:
            let destination = SystemCalls.linkDestination(path) ?? "?"
            let resolvedPath: String
            do {
                resolvedPath = try SystemCalls.realPath(path)
            } catch  where error.code == ENOENT {
                return .symbolicLink(destination: destination, resolvedPath: nil, resolved: nil)
            }
            let resolved = try inspect(resolvedPath)
            return .symbolicLink(
                destination: destination, resolvedPath: resolvedPath, resolved: resolved == .absent ? nil : resolved)
        }
    }

    private static func inspectDirectory(_ path: String) throws(SystemCalls.Failure) -> ExportTargetState {
        let names = try SystemCalls.names(in: path)
        if names.isEmpty { return .emptyDirectory }
        if let stranger = names.first(where: { !ExportLayout.files.contains($0) && !ExportLayout.isDatasetFile($0) }) {
            return .foreignDirectory(.unexpectedEntry(stranger))
        }
        for name in names where try SystemCalls.type(of: path + "/" + name) != .regular {
            return .foreignDirectory(.notAFile(name))
        }
        // Read only now that it is known to be a regular file (never a FIFO that would block).
        guard names.contains(ExportLayout.manifest), let manifest = Manifest.read(path + "/" + ExportLayout.manifest)
        else { return .foreignDirectory(.noMarker) }
        // A dataset table's name is a pattern, not a fixed list: one the manifest does not
        // list is the user's, whatever it looks like.
        if let stranger = names.first(where: { !ExportLayout.files.contains($0) && !manifest.paths.contains($0) }) {
            return .foreignDirectory(.unexpectedEntry(stranger))
        }
        return .previousExport
    }
}

/// What tradewatch reads back from a previous export's `datapackage.json`.
struct Manifest {
    /// The `path` of every resource it lists.
    var paths: Set<String>

    /// The descriptor at `path` when it is a JSON object with `"tradewatch": {"export": N}`;
    /// nil otherwise.
    static func read(_ path: String) -> Manifest? {
        // A descriptor is at most a few megabytes; a huge file is no export's.
        guard let size = try? SystemCalls.size(of: path), size < ExportLayout.manifestLimit,
            let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let marker = object[ExportLayout.markerKey] as? [String: Any],
            let version = marker["export"] as? Int, version >= 1
        else { return nil }
        let resources = object["resources"] as? [[String: Any]] ?? []
        return Manifest(paths: Set(resources.compactMap { $0["path"] as? String }))
    }
}
