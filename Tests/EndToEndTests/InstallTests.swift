import Foundation
import TestSupport
import Testing

@Suite("scripts/install")
struct InstallTests {
    @Test(
        "Installs executables, the unit, completions and the README under a staging root, keeping an existing configuration"
    )
    func stagedInstall() throws {
        let root = TemporaryDirectory()
        try FileManager.default.createDirectory(
            atPath: root.path + "/etc/tradewatch", withIntermediateDirectories: true)
        try Data("# mine\n".utf8).write(to: URL(fileURLWithPath: root.path + "/etc/tradewatch/tradewatch.toml"))
        let binPath = URL(fileURLWithPath: builtProduct("tradewatch")).deletingLastPathComponent().path
        let result = try run(
            "/usr/bin/env",
            [
                "bash", repositoryRoot + "/scripts/install", "--destdir", root.path, "--prefix", "/opt/tw",
                "--bin-path", binPath,
            ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let fm = FileManager.default
        #expect(fm.isExecutableFile(atPath: root.path + "/opt/tw/bin/tradewatch"))
        #expect(fm.isExecutableFile(atPath: root.path + "/opt/tw/bin/tradewatchd"))
        let unit = try String(contentsOfFile: root.path + "/etc/systemd/system/tradewatch.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/opt/tw/bin/tradewatchd"))
        #expect(unit.contains("Documentation=file:/opt/tw/share/doc/tradewatch/README.md"))
        let bash = try String(
            contentsOfFile: root.path + "/usr/share/bash-completion/completions/tradewatch", encoding: .utf8)
        #expect(bash.contains("export"))
        #expect(fm.fileExists(atPath: root.path + "/usr/share/zsh/vendor-completions/_tradewatch"))
        #expect(fm.fileExists(atPath: root.path + "/usr/share/fish/vendor_completions.d/tradewatch.fish"))
        #expect(fm.fileExists(atPath: root.path + "/opt/tw/share/doc/tradewatch/README.md"))
        #expect(
            try String(contentsOfFile: root.path + "/etc/tradewatch/tradewatch.toml", encoding: .utf8) == "# mine\n")
    }
}
