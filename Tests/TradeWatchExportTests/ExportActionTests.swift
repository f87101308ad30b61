import Testing
import TradeWatchExport

/// The decision alone: what is at the destination and `--force` in, write / swap / refuse out.
@Suite("What an export does with its destination")
struct ExportActionTests {
    let path = "/data/snapshot"

    @Test("Nothing there or an empty folder: the export is created, with or without --force")
    func freshDestinations() {
        for force in [false, true] {
            #expect(ExportAction.decide(.absent, path: path, force: force) == .create(at: path))
            #expect(ExportAction.decide(.emptyDirectory, path: path, force: force) == .replaceEmpty(at: path))
        }
    }

    @Test("A previous export is swapped only with --force")
    func previousExport() {
        #expect(ExportAction.decide(.previousExport, path: path, force: true) == .swap(with: path))
        #expect(ExportAction.decide(.previousExport, path: path, force: false) == .refuse(.previousExportWithoutForce))
    }

    @Test("A file, a special file or any other folder is refused whatever the flags")
    func neverReplaced() {
        let states: [(ExportTargetState, ExportRefusal)] = [
            (.regularFile, .regularFile), (.specialFile, .specialFile),
            (.foreignDirectory(.unexpectedEntry(".git")), .foreignDirectory(.unexpectedEntry(".git"))),
            (.foreignDirectory(.noMarker), .foreignDirectory(.noMarker)),
            (.foreignDirectory(.notAFile("README.md")), .foreignDirectory(.notAFile("README.md"))),
        ]
        for (state, refusal) in states {
            for force in [false, true] {
                #expect(ExportAction.decide(state, path: path, force: force) == .refuse(refusal))
            }
        }
    }

    @Test("A link is followed only to a previous export, with --force; the swap happens where it leads")
    func links() {
        func link(_ resolved: ExportTargetState?) -> ExportTargetState {
            .symbolicLink(destination: "../real", resolvedPath: resolved == nil ? nil : "/real", resolved: resolved)
        }
        #expect(ExportAction.decide(link(.previousExport), path: path, force: true) == .swap(with: "/real"))
        #expect(
            ExportAction.decide(link(.previousExport), path: path, force: false)
                == .refuse(.symbolicLink(destination: "../real", toPreviousExport: true)))
        for target in [ExportTargetState.emptyDirectory, .regularFile, .foreignDirectory(.noMarker)] {
            for force in [false, true] {
                #expect(
                    ExportAction.decide(link(target), path: path, force: force)
                        == .refuse(.symbolicLink(destination: "../real", toPreviousExport: false)))
            }
        }
        #expect(
            ExportAction.decide(link(nil), path: path, force: true) == .refuse(.danglingLink(destination: "../real")))
    }

    @Test("Every refusal is one sentence naming the path")
    func sentences() {
        let refusals: [ExportRefusal] = [
            .regularFile, .specialFile, .foreignDirectory(.unexpectedEntry("src")), .foreignDirectory(.noMarker),
            .foreignDirectory(.notAFile("README.md")), .previousExportWithoutForce,
            .symbolicLink(destination: "x", toPreviousExport: true),
            .symbolicLink(destination: "x", toPreviousExport: false),
            .danglingLink(destination: "x"),
        ]
        for refusal in refusals {
            let sentence = refusal.sentence(path: path)
            #expect(sentence.contains(path))
            #expect(!sentence.contains("\n"))
        }
    }
}
