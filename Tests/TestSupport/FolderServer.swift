import Foundation

/// A plain static file server over one folder on 127.0.0.1 with an ephemeral port, for the
/// life of this value: each file is served at `/` + its path inside the folder.
public final class FolderServer: Sendable {
    public let port: Int
    private let process: Process

    public init(folder: String) throws {
        let script = """
            import functools, http.server, sys
            class Quiet(http.server.SimpleHTTPRequestHandler):
                def log_message(self, *args):
                    pass
            handler = functools.partial(Quiet, directory=sys.argv[1])
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            print("PORT %d" % server.server_address[1], flush=True)
            server.serve_forever()
            """
        (process, port) = try startLoopbackServer(["python3", "-c", script, folder])
    }

    deinit {
        // SIGKILL: a child of the test runner may inherit a signal mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The URL of `path` (relative to the folder, without a leading slash).
    public func url(_ path: String) -> String {
        let escaped = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        return "http://127.0.0.1:\(port)/\(escaped)"
    }
}
