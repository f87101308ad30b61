public import Foundation
import TradeWatchCache

#if canImport(Glibc)
import Glibc
#endif

/// Reads a configuration file once and has a short-lived child process parse and check it,
/// so that a parser that aborts (toml++ inside TOMLKit asserts on some malformed input, e.g.
/// `s=[{a=1},}`) takes only the child down. The child gets the bytes on stdin and answers
/// with JSON: the checked `Configuration`, or the issues. The parent builds its
/// configuration from that answer, never from the text: the TOML parser never runs in the
/// daemon or the CLI, and what is applied comes from exactly the bytes that were read.
///
/// The child is the same executable (`/proc/self/exe`) run with `arguments` and the file's
/// name: `tradewatchd --check-config - --config FILE`, `tradewatch config check-child FILE`.
public struct ConfigurationChecker: Sendable {
    /// A configuration file larger than this is refused before anything parses it.
    public static let maxFileBytes = 1 << 20
    /// How long the child may take before it is killed and the file refused.
    public static let childTimeout: Double = 20

    public var executable: String
    public var arguments: [String]

    public init(executable: String = "/proc/self/exe", arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    /// Reads `file` once and checks it in a child.
    public func load(file: String) async throws(ConfigurationError) -> Configuration {
        let bytes = try Self.read(file: file)
        return try await check(bytes, file: file)
    }

    /// Checks `bytes` (the contents of `file`) in a child and returns the configuration it
    /// read from them.
    public func check(_ bytes: Data, file: String) async throws(ConfigurationError) -> Configuration {
        let answer = await runChild(bytes, file: file)
        switch answer {
        case .verdict(let verdict):
            if let configuration = verdict.configuration, verdict.issues.isEmpty { return configuration }
            throw ConfigurationError(issues: verdict.issues)
        case .crashed:
            let line = await crashLine(bytes, file: file)
            let place = line.map { " (line \($0))" } ?? ""
            throw ConfigurationError(issues: [
                ConfigurationIssue(
                    file: file, line: nil, keyPath: "",
                    message: "the TOML parser crashed on this file\(place); nothing changed")
            ])
        case .failed(let reason):
            throw ConfigurationError(issues: [
                ConfigurationIssue(
                    file: file, line: nil, keyPath: "", message: "could not be checked: \(reason); nothing changed")
            ])
        }
    }

    /// The file's bytes, read once, at most `maxFileBytes`.
    public static func read(file: String) throws(ConfigurationError) -> Data {
        func failure(_ message: String) -> ConfigurationError {
            ConfigurationError(issues: [ConfigurationIssue(file: file, line: nil, keyPath: "", message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw failure("cannot be read: no such file")
        }
        if isDirectory.boolValue { throw failure("cannot be read: it is a directory") }
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw failure("cannot be read: permission denied")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maxFileBytes + 1) ?? Data()
        } catch {
            throw failure("cannot be read: \(error.localizedDescription)")
        }
        if data.count > maxFileBytes {
            throw failure("is larger than \(maxFileBytes >> 20) MiB; a configuration is a few KB")
        }
        return data
    }

    // MARK: The child's side

    /// What the child writes on stdout.
    struct Verdict: Codable {
        var configuration: Configuration?
        var issues: [ConfigurationIssue]
    }

    /// Parses and checks `bytes` in this process. Only the child calls this (and tests):
    /// the TOML parser may abort the process.
    static func verdict(for bytes: Data, file: String) -> Verdict {
        guard let text = String(data: bytes, encoding: .utf8) else {
            return Verdict(
                issues: [ConfigurationIssue(file: file, line: nil, keyPath: "", message: "is not valid UTF-8")])
        }
        do {
            let configuration = try ConfigurationLoader.parse(text, file: file)
            let issues = cacheIssues(configuration, text: text)
            return Verdict(configuration: issues.isEmpty ? configuration : nil, issues: issues)
        } catch {
            return Verdict(issues: error.issues)
        }
    }

    /// An existing file named as the cache must be a tradewatch cache: the daemon would
    /// otherwise write its tables into it.
    static func cacheIssues(_ configuration: Configuration, text: String) -> [ConfigurationIssue] {
        guard let path = configuration.daemon.cache,
            case .other(let reason) = SQLiteCache.identify(path: path)
        else { return [] }
        return [
            ConfigurationIssue(
                file: configuration.file, line: KeyLocator(text: text).line(of: "daemon.cache"),
                keyPath: "daemon.cache",
                message: "\"\(path)\" \(reason); name a new file or an existing tradewatch cache")
        ]
    }

    /// The child's whole job: reads the configuration from `input` (stdin), checks it, writes
    /// the verdict as JSON to `output` and returns the exit status (0 valid, 1 not).
    public static func answer(
        file: String, input: FileHandle = .standardInput, output: FileHandle = .standardOutput
    )
        -> Int32
    {
        let bytes = (try? input.read(upToCount: maxFileBytes + 1)) ?? Data()
        let verdict: Verdict
        if bytes.count > maxFileBytes {
            verdict = Verdict(issues: [
                ConfigurationIssue(file: file, line: nil, keyPath: "", message: "is larger than 1 MiB")
            ])
        } else {
            verdict = Self.verdict(for: bytes, file: file)
        }
        let encoded = (try? JSONEncoder().encode(verdict)) ?? Data()
        try? output.write(contentsOf: encoded)
        return verdict.configuration == nil ? 1 : 0
    }

    // MARK: The parent's side

    enum ChildAnswer {
        case verdict(Verdict)
        case crashed
        case failed(String)
    }

    /// Runs the child on a thread of its own (it blocks while the child works).
    func runChild(_ bytes: Data, file: String) async -> ChildAnswer {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: runChildBlocking(bytes, file: file)) }.start()
        }
    }

    private func runChildBlocking(_ bytes: Data, file: String) -> ChildAnswer {
        // The bytes go in through an anonymous temporary file rather than a pipe: a child that
        // dies before reading them cannot raise SIGPIPE here, and nothing can block.
        guard let input = Self.anonymousFile(holding: bytes) else {
            return .failed("cannot make a temporary file for the checker")
        }
        defer { try? input.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + [file]
        process.standardInput = input
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failed("cannot start \(executable): \(error.localizedDescription)")
        }
        let pid = process.processIdentifier
        let timer = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.childTimeout, execute: timer)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        if process.terminationReason == .uncaughtSignal {
            if process.terminationStatus == SIGKILL {
                return .failed("the checker did not finish within \(Int(Self.childTimeout)) s")
            }
            return .crashed
        }
        let status = process.terminationStatus
        guard status == 0 || status == 1, let verdict = try? JSONDecoder().decode(Verdict.self, from: data) else {
            return .failed("the checker exited with status \(status)")
        }
        return .verdict(verdict)
    }

    /// The first line at which the parser crashes, found by checking ever shorter beginnings
    /// of the file in further children (a parser reads from the start, so the first
    /// `line` lines crash it when line `line` does); nil when that does not narrow it down.
    func crashLine(_ bytes: Data, file: String) async -> Int? {
        var ends: [Int] = []
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { ends.append(index + 1) }
        if ends.last != bytes.count { ends.append(bytes.count) }
        func crashes(_ lines: Int) async -> Bool {
            if case .crashed = await runChild(bytes.prefix(ends[lines - 1]), file: file) { return true }
            return false
        }
        var low = 1
        var high = ends.count
        while low < high {
            let middle = (low + high) / 2
            if await crashes(middle) { high = middle } else { low = middle + 1 }
        }
        if ends.count == 1 { return 1 }
        return await crashes(low) ? low : nil
    }

    private static func anonymousFile(holding bytes: Data) -> FileHandle? {
        guard let file = tmpfile() else { return nil }
        defer { fclose(file) }
        let written = bytes.withUnsafeBytes { buffer in
            buffer.isEmpty ? 0 : fwrite(buffer.baseAddress, 1, buffer.count, file)
        }
        guard written == bytes.count, fflush(file) == 0 else { return nil }
        let descriptor = dup(fileno(file))
        guard descriptor >= 0 else { return nil }
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            close(descriptor)
            return nil
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
