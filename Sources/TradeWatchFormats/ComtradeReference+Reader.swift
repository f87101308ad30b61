public import Foundation
import TradeWatchModel

extension ComtradeReference {
    /// Reads a reference file held in memory.
    public static func read(_ data: Data, document: ComtradeReferenceDocument) throws -> ComtradeReferenceLabels {
        try read(document: document) { feed in try feed(data) }
    }

    /// Reads a reference file streamed in chunks (`chunks` hands over the whole file once).
    /// Each entry of `results` becomes one label per component of `document`: the code is
    /// `id` as the data writes it (`156`, `TOTAL`, `C00`, `0`), the name `text`, and for a
    /// product classification the parent `parent` (none for the root's `#`). Other fields
    /// (ISO codes, notes, validity dates, group flags, units) are not labels and are left
    /// out. Areas no longer current (`entryExpiredDate`) are kept: old data uses their codes.
    ///
    /// A product file writes each code before its name (`6704 - Wigs, …`); that prefix is
    /// dropped, so the name is the one the data's `cmdDesc` gives and a label does not change
    /// each time the two meet.
    ///
    /// Throws `StatisticsError` naming the entry for anything that is not a reference list:
    /// not JSON, no `results` list, an entry that is not an object or has no usable `id` or
    /// `text`, an empty list (which would withdraw every stored name).
    public static func read(
        document: ComtradeReferenceDocument, chunks: ((Data) throws -> Void) throws -> Void
    ) throws -> ComtradeReferenceLabels {
        let collector = LabelCollector(document: document)
        let list = try readList(chunks: chunks, what: document.file) { index, entry in
            try collector.add(entry, place: "\(document.file) entry \(index + 1)")
        }
        guard list.entries > 0 else {
            throw StatisticsError(.malformed, "\(document.file) lists no codes (an empty results list)")
        }
        return collector.finish()
    }

    /// Reads `ListofReferences.json`: every entry needs a `category` and a `fileuri`.
    public static func readIndex(_ data: Data) throws -> [ComtradeReferenceIndexEntry] {
        var out: [ComtradeReferenceIndexEntry] = []
        let add = { (index: Int, entry: [String: JSONScalarValue]) throws in
            let place = "\(indexFile) entry \(index + 1)"
            guard case .string(let category)? = entry["category"], !category.isEmpty else {
                throw StatisticsError(.malformed, "has no category", place: place)
            }
            guard case .string(let uri)? = entry["fileuri"], !uri.isEmpty else {
                throw StatisticsError(.malformed, "has no fileuri", place: place)
            }
            var line = ComtradeReferenceIndexEntry(category: category, fileURI: uri)
            if case .string(let variable)? = entry["variable"] { line.variable = variable }
            if case .string(let description)? = entry["description"] { line.description = description }
            out.append(line)
        }
        _ = try readList(chunks: { feed in try feed(data) }, what: indexFile, entry: add)
        return out
    }

    /// Streams `{"results": [{…}, …]}` and hands each entry's scalar members over as it ends.
    private static func readList(
        chunks: ((Data) throws -> Void) throws -> Void, what: String,
        entry: @escaping (Int, [String: JSONScalarValue]) throws -> Void
    ) throws -> ReferenceListHandler {
        let handler = ReferenceListHandler(what: what, entry: entry)
        let reader = JSONEventReader(handler: handler)
        do {
            try chunks { try reader.feed($0) }
            try reader.finish()
        } catch let error as StatisticsError where !handler.refused {
            // The event reader's own error: the bytes are not JSON.
            throw StatisticsError(error.code, "\(what) is not valid JSON: \(error.message)")
        }
        guard handler.hasResults else {
            if let status = handler.top["statusCode"], let message = handler.top["message"] {
                throw StatisticsError(
                    .publisherError,
                    "\(what): Comtrade answered \(Self.text(status) ?? "?"): \(Self.text(message) ?? "")")
            }
            throw StatisticsError(.malformed, "\(what) has no results list")
        }
        return handler
    }

    /// A scalar as a code: strings as they are, whole numbers without a fraction (`156.0` →
    /// `156`, as `ComtradeReader` writes a number).
    static func text(_ value: JSONScalarValue) -> String? {
        switch value {
        case .string(let string): return string
        case .number(let number):
            if Int64(number) != nil { return number }
            guard let double = Double(number), double == double.rounded(), abs(double) < 1e15 else { return number }
            return String(Int64(double))
        case .bool, .null: return nil
        }
    }
}

/// Turns entries into labels, one per component, each code once.
private final class LabelCollector {
    let document: ComtradeReferenceDocument
    private var labels: [CodeLabel] = []
    /// Where each code's labels start in `labels`, and whether its entry had expired.
    private var seen: [String: (index: Int, expired: Bool)] = [:]
    private var repeated = 0
    private var nameless = 0

    init(document: ComtradeReferenceDocument) {
        self.document = document
    }

    func add(_ entry: [String: JSONScalarValue], place: String) throws {
        guard let idValue = entry["id"] else { throw StatisticsError(.malformed, "has no id", place: place) }
        guard let code = ComtradeReference.text(idValue), !code.isEmpty else {
            throw StatisticsError(.malformed, "has an id that is not a code (\(Self.describe(idValue)))", place: place)
        }
        guard let textValue = entry["text"] else {
            throw StatisticsError(.malformed, "has no text (the name of code \(code))", place: place)
        }
        guard case .string(var name) = textValue else {
            throw StatisticsError(
                .malformed, "has a text that is not a string (\(Self.describe(textValue)))", place: place)
        }
        // Compared and cut as UTF-8: a code ending in a combining or prepending scalar would
        // merge with the separator into one Character, and a count of Characters would be off.
        let prefix = Array((code + " - ").utf8)
        if document.classification != nil, name.utf8.starts(with: prefix) {
            name = String(decoding: name.utf8.dropFirst(prefix.count), as: UTF8.self)
        }
        guard name.contains(where: { !$0.isWhitespace }) else {
            nameless += 1
            return
        }
        var parent: String?
        if document.classification != nil, let value = entry["parent"], let given = ComtradeReference.text(value),
            !given.isEmpty, given != "#", given != code
        {
            parent = given
        }
        var expired = false
        if case .string(let date)? = entry["entryExpiredDate"], !date.isEmpty { expired = true }
        let new = document.components.map {
            CodeLabel(component: $0, code: code, language: "en", name: name, parent: parent)
        }
        var all = take(&labels, leaving: [])
        defer { labels = all }
        if let earlier = seen[code] {
            repeated += 1
            // A current entry replaces an expired one of the same code; otherwise the first stays.
            guard earlier.expired && !expired else { return }
            all.replaceSubrange(earlier.index..<(earlier.index + new.count), with: new)
            seen[code] = (earlier.index, expired)
        } else {
            seen[code] = (all.count, expired)
            all.append(contentsOf: new)
        }
    }

    func finish() -> ComtradeReferenceLabels {
        var result = ComtradeReferenceLabels()
        result.labels = labels
        result.complete = Set(document.components)
        if repeated > 0 {
            result.warnings.append(
                "\(document.file) lists \(repeated) code\(repeated == 1 ? "" : "s") more than once; the current entry of each (else the first) is kept"
            )
        }
        if nameless > 0 {
            result.warnings.append(
                "\(document.file) has \(nameless) entr\(nameless == 1 ? "y" : "ies") with an empty name, left out")
        }
        return result
    }

    static func describe(_ value: JSONScalarValue) -> String {
        switch value {
        case .string(let string): "the string \"\(string.prefix(40))\""
        case .number(let number): "the number \(number.prefix(40))"
        case .bool(let bool): "\(bool)"
        case .null: "null"
        }
    }
}

/// The events of a reference list: the root's scalars, and each entry of `results` as a
/// dictionary of its scalar members (nested values are skipped).
private final class ReferenceListHandler: JSONEventHandler {
    let what: String
    let entry: (Int, [String: JSONScalarValue]) throws -> Void
    /// Set when the handler (not the JSON syntax) stopped the reading.
    private(set) var refused = false
    private(set) var hasResults = false
    private(set) var entries = 0
    /// The root's scalar members (an error envelope's `statusCode` and `message`).
    private(set) var top: [String: JSONScalarValue] = [:]
    private var current: [String: JSONScalarValue] = [:]

    init(what: String, entry: @escaping (Int, [String: JSONScalarValue]) throws -> Void) {
        self.what = what
        self.entry = entry
    }

    func jsonStart(object: Bool, path: [JSONPathItem]) throws {
        switch path.count {
        case 0:
            guard object else { throw refuse(.malformed, "\(what) is a JSON array, not an object with results") }
        case 1 where path[0] == .key("results"):
            guard !object else { throw refuse(.malformed, "\(what): results is an object, not a list") }
            hasResults = true
        case 2 where path[0] == .key("results"):
            guard object else {
                throw refuse(.malformed, "is a list, not an object", place: "\(what) entry \(entries + 1)")
            }
            current = [:]
        default:
            break
        }
    }

    func jsonEnd(object: Bool, path: [JSONPathItem]) throws {
        guard path.count == 2, path[0] == .key("results") else { return }
        let members = take(&current, leaving: [:])
        let index = entries
        entries += 1
        do {
            try entry(index, members)
        } catch {
            refused = true
            throw error
        }
    }

    /// Notes that the handler, not the syntax, stops the reading.
    private func refuse(
        _ code: StatisticsError.Code, _ message: String, place: String? = nil
    ) -> StatisticsError {
        refused = true
        return StatisticsError(code, message, place: place)
    }

    func jsonScalar(_ value: JSONScalarValue, path: [JSONPathItem]) throws {
        switch path.count {
        case 0:
            throw refuse(.malformed, "\(what) is a lone JSON value, not an object with results")
        case 1:
            guard case .key(let key) = path[0] else { return }
            if key == "results" {
                throw refuse(
                    .malformed, "\(what): results is \(LabelCollector.describe(value)), not a list")
            }
            top[key] = value
        case 2 where path[0] == .key("results"):
            throw refuse(
                .malformed, "is \(LabelCollector.describe(value)), not an object", place: "\(what) entry \(entries + 1)"
            )
        case 3 where path[0] == .key("results"):
            guard case .key(let key) = path[2] else { return }
            var members = take(&current, leaving: [:])
            members[key] = value
            current = members
        default:
            break
        }
    }
}
