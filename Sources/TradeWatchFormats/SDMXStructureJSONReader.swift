public import Foundation
import TradeWatchModel

/// Reads SDMX-JSON structure messages (`application/vnd.sdmx.structure+json`, 1.0 and 2.0):
/// `data.codelists`, `data.conceptSchemes`, `data.dataStructures` and `data.dataflows`, into
/// the same `SDMXStructureMessage` the SDMX-ML reader gives. The document streams through
/// `JSONEventReader`; one item (a codelist, a structure) at a time is held as a tree and turned
/// into the message's types when it closes.
public enum SDMXStructureJSONReader {
    /// Reads a whole message from `chunks`.
    public static func read(chunks: ((Data) throws -> Void) throws -> Void) throws -> SDMXStructureMessage {
        let handler = Handler()
        let reader = JSONEventReader(handler: handler)
        try chunks { try reader.feed($0) }
        try reader.finish()
        if !handler.errors.isEmpty {
            throw StatisticsError(
                .publisherError, "the service answered with errors: \(handler.errors.joined(separator: "; "))")
        }
        guard handler.isObject else { throw StatisticsError(.malformed, "expected a JSON object") }
        guard handler.sawData else {
            throw StatisticsError(.malformed, "not an SDMX-JSON structure message (no data member)")
        }
        for warning in handler.message.unresolvedReferences() { handler.warn(warning) }
        if handler.moreWarnings > 0 { handler.message.warnings.append("and \(handler.moreWarnings) more warnings") }
        return handler.message
    }

    /// Reads a whole message held in memory.
    public static func read(_ data: Data) throws -> SDMXStructureMessage {
        try read { feed in try feed(data) }
    }

    typealias Message = SDMXStructureMessage
    static let kinds: Set<String> = ["codelists", "conceptSchemes", "dataStructures", "dataflows"]

    final class Handler: JSONEventHandler {
        var message = Message()
        var isObject = false
        var sawData = false
        var errors: [String] = []
        var moreWarnings = 0
        private var builder = JSONValueBuilder()

        /// An item of one of the lists (`data.codelists[3]`), or the top-level `errors`.
        private func collects(_ path: [JSONPathItem]) -> Bool {
            if path == [.key("errors")] { return true }
            guard path.count == 3, path[0] == .key("data"), case .key(let kind) = path[1], kinds.contains(kind),
                case .index = path[2]
            else { return false }
            return true
        }

        func jsonStart(object: Bool, path: [JSONPathItem]) throws {
            if path.isEmpty { isObject = object }
            if path == [.key("data")] { sawData = object }
            guard builder.isBuilding || collects(path) else { return }
            builder.begin(object: object)
        }

        func jsonEnd(object: Bool, path: [JSONPathItem]) throws {
            guard builder.isBuilding, let value = builder.end(path: path) else { return }
            finish(value, path)
        }

        func jsonScalar(_ value: JSONScalarValue, path: [JSONPathItem]) throws {
            guard builder.isBuilding else { return }
            switch value {
            case .string(let text), .number(let text): builder.add(text, path: path)
            case .bool(let flag): builder.add(flag, path: path)
            case .null: builder.add(NSNull(), path: path)
            }
        }

        func warn(_ warning: String) {
            if message.warnings.count < SDMXStructureHandler.maxWarnings {
                message.warnings.append(warning)
            } else {
                moreWarnings += 1
            }
        }

        private func finish(_ value: Any, _ path: [JSONPathItem]) {
            if path == [.key("errors")] {
                for case let error as [String: Any] in value as? [Any] ?? [] {
                    errors.append(text(error["message"]) ?? text(error["title"]) ?? text(error["code"]) ?? "an error")
                }
                return
            }
            guard path.count == 3, case .key(let kind) = path[1], let item = value as? [String: Any] else { return }
            let place = "data.\(kind)[\(path[2].index ?? 0)]"
            guard let reference = reference(item) else {
                warn("\(place): an item without an id was skipped")
                return
            }
            let external = item["isExternalReference"] as? Bool == true
            switch kind {
            case "codelists":
                var codes: [Message.Code] = []
                var skipped = 0
                for case let code as [String: Any] in item["codes"] as? [Any] ?? [] {
                    guard let id = text(code["id"]), !id.isEmpty else {
                        skipped += 1
                        continue
                    }
                    codes.append(Message.Code(id: id, names: names(code), parent: text(code["parent"]).map(local)))
                }
                if skipped > 0 {
                    warn("codelist \(reference): \(skipped) code\(skipped == 1 ? "" : "s") without an id skipped")
                }
                if external && codes.isEmpty {
                    warn("codelist \(reference) is external; its codes are not in this message")
                }
                message.codelists.append(
                    Message.Codelist(
                        reference: reference, names: names(item), codes: codes, isExternal: external,
                        isPartial: item["isPartial"] as? Bool == true))
            case "conceptSchemes":
                let concepts = (item["concepts"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }.compactMap {
                    concept -> Message.Concept? in
                    guard let id = text(concept["id"]) else { return nil }
                    return Message.Concept(
                        id: id, names: names(concept), codelist: enumeration(concept["coreRepresentation"]))
                }
                if external { warn("concept scheme \(reference) is external; its concepts are not in this message") }
                message.conceptSchemes.append(
                    Message.ConceptScheme(
                        reference: reference, names: names(item), concepts: concepts, isExternal: external))
            case "dataStructures":
                message.dataStructures.append(structure(item, reference, external: external))
            default:
                let structure = text(item["structure"]).flatMap { Message.Reference.urn($0)?.reference }
                message.dataflows.append(
                    Message.Dataflow(
                        reference: reference, names: names(item), structure: structure, isExternal: external))
            }
        }

        private func structure(
            _ item: [String: Any], _ reference: Message.Reference, external: Bool
        ) -> Message.DataStructure {
            var made = Message.DataStructure(reference: reference, names: names(item), isExternal: external)
            let parts = item["dataStructureComponents"] as? [String: Any] ?? [:]
            let dimensions = parts["dimensionList"] as? [String: Any] ?? [:]
            made.dimensions =
                objects(dimensions["dimensions"]).compactMap { component($0) }
                + objects(dimensions["measureDimensions"]).compactMap { component($0) }
            made.timeDimension =
                objects(dimensions["timeDimensions"]).compactMap { component($0, fixed: "TIME_PERIOD") }.first
                ?? (dimensions["timeDimension"] as? [String: Any]).flatMap { component($0, fixed: "TIME_PERIOD") }
            made.groups = objects(parts["groups"]).compactMap { group in
                text(group["id"]).map { Message.Group(id: $0, dimensions: strings(group["groupDimensions"])) }
            }
            made.attributes = objects((parts["attributeList"] as? [String: Any])?["attributes"]).compactMap { item in
                guard var attribute = component(item) else { return nil }
                let status = text(item["assignmentStatus"]) ?? text(item["usage"])
                attribute.mandatory = status.map { $0.lowercased() == "mandatory" }
                relationship(item).attach(&attribute)
                return attribute
            }
            let measures = parts["measureList"] as? [String: Any] ?? [:]
            made.measures =
                objects(measures["measures"]).compactMap { component($0, fixed: "OBS_VALUE") }
                + ((measures["primaryMeasure"] as? [String: Any]).flatMap { component($0, fixed: "OBS_VALUE") }.map {
                    [$0]
                } ?? [])
            made.arrange()
            if external { warn("data structure \(reference) is external; its components are not in this message") }
            return made
        }

        private func relationship(_ item: [String: Any]) -> SDMXAttributeRelationship {
            var found = SDMXAttributeRelationship()
            guard let given = item["attributeRelationship"] as? [String: Any] else { return found }
            found.dataset = given["none"] != nil || given["dataflow"] != nil
            found.observation =
                given["primaryMeasure"] != nil || given["observation"] != nil || item["measureRelationship"] != nil
            found.dimensions = strings(given["dimensions"])
            found.group = text(given["group"]).map(local)
            found.attachmentGroup = strings(given["attachmentGroups"]).first
            return found
        }

        private func component(_ item: [String: Any], fixed: String? = nil) -> Message.Component? {
            let identity = text(item["conceptIdentity"]).flatMap(Message.Reference.urn)
            let concept = identity.map { $0.item ?? $0.reference.id }
            guard let id = text(item["id"]) ?? concept ?? fixed, !id.isEmpty else {
                warn("a component without an id was skipped")
                return nil
            }
            return Message.Component(
                id: id, conceptScheme: identity?.item == nil ? nil : identity?.reference, concept: concept,
                codelist: enumeration(item["localRepresentation"]), position: text(item["position"]).flatMap { Int($0) }
            )
        }

        private func enumeration(_ representation: Any?) -> Message.Reference? {
            guard let given = text((representation as? [String: Any])?["enumeration"]) else { return nil }
            return Message.Reference.urn(given)?.reference ?? Message.Reference(id: given)
        }

        private func reference(_ item: [String: Any]) -> Message.Reference? {
            guard let id = text(item["id"]), !id.isEmpty else { return nil }
            return Message.Reference(agency: text(item["agencyID"]), id: id, version: text(item["version"]))
        }

        /// Every language of `names`, else the one `name` without a language.
        private func names(_ item: [String: Any]) -> [Message.Name] {
            if let all = item["names"] as? [String: Any], !all.isEmpty {
                return all.compactMap { language, value in
                    text(value).map { Message.Name(language: language, text: $0) }
                }
                .sorted { $0.language < $1.language }
            }
            return text(item["name"]).map { [Message.Name(language: "", text: $0)] } ?? []
        }

        /// A local reference written as a URN (`…Code=A:CL(1.0).67`) is its last part.
        private func local(_ text: String) -> String {
            text.hasPrefix("urn:") ? Message.Reference.urn(text)?.item ?? text : text
        }

        private func objects(_ value: Any?) -> [[String: Any]] {
            (value as? [Any] ?? []).compactMap { $0 as? [String: Any] }
        }

        private func strings(_ value: Any?) -> [String] { (value as? [Any] ?? []).compactMap(text).map(local) }

        private func text(_ value: Any?) -> String? { value as? String }
    }
}

extension JSONPathItem {
    fileprivate var index: Int? {
        if case .index(let value) = self { return value }
        return nil
    }
}
