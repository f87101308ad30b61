public import Foundation
import TradeWatchModel

/// A Frictionless Data Package descriptor (`datapackage.json`): every exported file with its
/// path, format, schema, size and SHA-256, so that an analyst can check what they hold.
public struct DataPackage: Codable, Sendable {
    public struct Field: Codable, Sendable {
        public var name: String
        /// Frictionless types: `string`, `number`, `integer`, `date`, `datetime`, `object`.
        public var type: String
        public var description: String?

        public init(name: String, type: String, description: String? = nil) {
            self.name = name
            self.type = type
            self.description = description
        }
    }

    public struct Schema: Codable, Sendable {
        public var fields: [Field]
        public var primaryKey: [String]?
    }

    public struct Resource: Codable, Sendable {
        public var name: String
        public var path: String
        /// What the file holds, for a person: a dataset table's title is the dataset's.
        public var title: String?
        public var description: String?
        public var format: String
        public var mediatype: String
        public var encoding: String?
        public var bytes: Int64
        public var hash: String
        public var schema: Schema?
        /// Which dataset a per-dataset table holds, as stored (its file name may have had to
        /// change the ids), and its table in `snapshot.sqlite`.
        public var tradewatch: Origin?
    }

    /// The dataset behind a per-dataset resource (a property of tradewatch's own, which the
    /// Frictionless spec allows).
    public struct Origin: Codable, Sendable, Equatable {
        public var source: String
        public var dataset: String
        /// The table's name in `snapshot.sqlite` (quote it: it holds a dot).
        public var table: String
        /// The structure definition the columns come from, `AGENCY:ID(VERSION)`, when stored.
        public var structure: String?
    }

    /// Marks the descriptor as tradewatch's: `export --force` replaces only a folder whose
    /// `datapackage.json` carries it. The Frictionless spec allows properties of one's own.
    public struct Marker: Codable, Sendable, Equatable {
        /// The layout's version (`ExportLayout.markerVersion`).
        public var export: Int
        public var revision: Int64?
    }

    public var profile = "data-package"
    public var tradewatch: Marker?
    public var name: String
    public var title: String?
    public var version: String?
    public var created: String?
    public var resources: [Resource]

    public init(name: String, title: String? = nil, version: String? = nil, created: String? = nil) {
        self.name = name
        self.title = title
        self.version = version
        self.created = created
        self.resources = []
    }

    /// Adds a file whose size and SHA-256 are already known (from the writer that wrote it).
    public mutating func addResource(
        name: String, path: String, written: WrittenFile, format: String, mediatype: String, fields: [Field]? = nil,
        primaryKey: [String]? = nil, title: String? = nil, description: String? = nil, origin: Origin? = nil
    ) {
        resources.append(
            Resource(
                name: name, path: path, title: title, description: description, format: format, mediatype: mediatype,
                encoding: "utf-8", bytes: written.bytes, hash: "sha256:" + written.sha256,
                schema: fields.map { Schema(fields: $0, primaryKey: primaryKey) }, tradewatch: origin))
    }

    /// Adds the file at `directory/path`, measuring its size and SHA-256 by reading it.
    public mutating func addResource(
        name: String, path: String, in directory: String, format: String, mediatype: String,
        fields: [Field]? = nil, primaryKey: [String]? = nil, description: String? = nil
    ) throws {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(path)
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(chunk)
            size += Int64(chunk.count)
        }
        resources.append(
            Resource(
                name: name, path: path, description: description, format: format, mediatype: mediatype,
                encoding: format == "sqlite" ? nil : "utf-8", bytes: size, hash: "sha256:" + hasher.finalizeHex(),
                schema: fields.map { Schema(fields: $0, primaryKey: primaryKey) }))
    }

    /// The descriptor as stable, pretty JSON: the same package always gives the same bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(10)
        return data
    }
}
