import Foundation

/// The shared reference corpora (real publisher documents), which stay outside the repository.
/// `TRADEWATCH_CORPORA` points at them; by default they are `../shared/corpora` beside the
/// repository. A clone elsewhere has none, so every test that reads them asks `Corpora.folder`
/// and skips, saying why, when it answers nil.
public enum Corpora {
    /// Where the corpora are looked for.
    public static var root: String {
        if let configured = ProcessInfo.processInfo.environment["TRADEWATCH_CORPORA"], !configured.isEmpty {
            return configured
        }
        return repositoryRoot + "/../shared/corpora"
    }

    /// The corpus folder `relative` (e.g. `sdmx`), or nil when it is not a folder with at least
    /// one entry. `FileManager.enumerator(atPath:)` on Linux answers a missing folder with an
    /// empty enumerator rather than nil, so absence is checked here, once, for every test.
    public static func folder(_ relative: String) -> String? {
        let path = root + "/" + relative
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
            let entries = try? FileManager.default.contentsOfDirectory(atPath: path), !entries.isEmpty
        else { return nil }
        return path
    }

    /// The corpus file `relative`, or nil when it is absent.
    public static func file(_ relative: String) -> String? {
        let path = root + "/" + relative
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Prints why a corpus test did nothing; the test then returns without failing.
    public static func skip(_ relative: String, function: String = #function) {
        print("skipped (\(function)): no corpus at \(root)/\(relative) (set TRADEWATCH_CORPORA to read the corpora)")
    }
}
