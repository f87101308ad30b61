import ArgumentParser
import TradeWatchFormats
import TradeWatchSync

extension InspectCommand {
    /// The source `--mapping` or `--source` describes, read and checked as the daemon reads
    /// its configuration; nil when neither is given.
    func configuredSource() async throws -> SourceConfiguration? {
        if let mapping {
            do {
                return try ConfigurationLoader.csvSource(mappingFile: mapping)
            } catch {
                for issue in error.issues { Terminal.error(issue.description) }
                throw CommandFailure(message: "", exitCode: 1)
            }
        }
        guard let source else { return nil }
        let configuration: Configuration
        do {
            // Parsed in a child, as `config check` does: a file that crashes the TOML parser is
            // reported, not fatal.
            configuration = try await ConfigCommand.checker.load(file: config)
        } catch {
            for issue in error.issues { Terminal.error(issue.description) }
            throw CommandFailure(message: "", exitCode: 1)
        }
        guard let found = configuration.source(named: source) else {
            let names = configuration.sources.map { "\"\($0.name)\"" }.joined(separator: ", ")
            throw CommandFailure(
                message: "\(config) has no source named \"\(source)\"" + (names.isEmpty ? "" : " (it has \(names))"),
                exitCode: 1)
        }
        if let kind, kind.rawValue != found.kind.name {
            throw ValidationError(
                "--kind \(kind.rawValue) contradicts source \"\(source)\", which is \(found.kind.name)")
        }
        return found
    }

    /// The source to decode a statistics payload as, or nil when the payload is to be read as
    /// a feed (or not at all): `--source`/`--mapping`, else `--kind`, else what was detected.
    func statisticsSource(detected: PayloadKind, configured: SourceConfiguration?) throws -> SourceConfiguration? {
        if kind == .feed { return nil }
        if let configured { return configured.kind.isFeed ? nil : configured }
        let chosen: InspectKind?
        switch detected {
        case .sdmxML, .sdmxJSON: chosen = kind ?? .sdmx
        case .comtradeJSON: chosen = kind ?? .comtrade
        case .csv: chosen = kind ?? .csv
        default: chosen = kind
        }
        switch chosen {
        case nil, .feed:
            return nil
        case .sdmx:
            var sdmx = SDMXSource()
            // The dataset id comes from the query's flow, as for a source with `url`.
            if input.contains("://") { sdmx.url = input }
            return SourceConfiguration(name: "inspect", kind: .sdmx(sdmx))
        case .comtrade:
            return SourceConfiguration(name: "inspect", kind: .comtrade(ComtradeSource()))
        case .csv:
            throw CommandFailure(
                message: "\(input): a CSV needs its mapping: give --mapping FILE.toml or --source NAME --config FILE",
                exitCode: 1)
        }
    }
}

extension SourceConfiguration {
    /// The format a payload of this source is in when its head does not tell.
    var statisticsFormat: StatisticsFormat? {
        switch kind {
        case .comtrade: .comtradeV1
        case .csv: .csv
        case .sdmx, .feed: nil
        }
    }
}
