import Foundation

/// Builds Foundation values (dictionaries and arrays of the scalars a reader converts) for the parts of a streamed JSON document a reader wants whole: a reader begins it
/// at a container it wants, hands it every event inside, and gets the value back when that
/// container ends. Everything else streams past without being held.
struct JSONValueBuilder {
    private var frames: [(object: Bool, dictionary: [String: Any], array: [Any])] = []

    /// Whether a wanted container is being built (every event belongs to it).
    var isBuilding: Bool { !frames.isEmpty }

    /// A container starts: the wanted one, or one inside it.
    mutating func begin(object: Bool) { frames.append((object, [:], [])) }

    /// A container ends. Returns the value of the wanted one when it is the one ending; a
    /// container inside it is added to its parent (at `path`'s last key or index) and nil returned.
    mutating func end(path: [JSONPathItem]) -> Any? {
        guard let frame = frames.popLast() else { return nil }
        let value: Any = frame.object ? frame.dictionary : frame.array
        if frames.isEmpty { return value }
        add(value, path: path)
        return nil
    }

    /// A value inside the wanted container, at `path` (the last item is its key or index).
    mutating func add(_ value: Any, path: [JSONPathItem]) {
        guard !frames.isEmpty else { return }
        if frames[frames.count - 1].object, case .key(let key)? = path.last {
            frames[frames.count - 1].dictionary[key] = value
        } else {
            frames[frames.count - 1].array.append(value)
        }
    }
}
