/// The command line as the kernel passed it. Swift decodes arguments as UTF-8 and silently
/// replaces what is not, so a path with a Latin-1 name would name another file: both
/// executables refuse such an argument instead.
public enum CommandLineBytes {
    /// The 1-based position of the first argument that is not valid UTF-8, if any.
    public static func firstInvalidUTF8() -> Int? {
        guard CommandLine.argc > 1 else { return nil }
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            if String(validatingCString: pointer) == nil { return index }
        }
        return nil
    }
}
