import Foundation
import TradeWatchModel

/// An entry while it is being read; its key is assigned once the whole feed is known.
struct DraftEntry {
    var id: String?
    var guidIsPermaLink = true
    /// A permalink guid seen while the item had no link yet, with the base it is relative to.
    var permalink: (href: String, base: URL?)?
    var title: PublishedText?
    var link: String?
    var links: [Entry.Link] = []
    var published: Date?
    var updated: Date?
    var authors: [Entry.Author] = []
    var summary: PublishedText?
    var content: PublishedText?
    var categories: [String] = []
    var categoryLabels: [String: String] = [:]
    var enclosures: [Entry.Link] = []

    /// A category once, whitespace trimmed; empty ones are not kept. A label (Atom's
    /// human-readable name for the term) is kept beside the term when it says something else.
    mutating func add(category value: String, label: String = "") {
        let trimmed = value.trimmingXMLWhitespace
        guard !trimmed.isEmpty else { return }
        if !categories.contains(trimmed) { categories.append(trimmed) }
        let label = label.trimmingXMLWhitespace
        if !label.isEmpty, label != trimmed, categoryLabels[trimmed] == nil { categoryLabels[trimmed] = label }
    }

    mutating func setLink(_ href: String) {
        if link == nil { link = href }
    }
}

extension [XMLAttribute] {
    /// The value of the attribute with this local name and no namespace.
    func value(_ local: String) -> String? {
        first { $0.name.local == local && $0.name.namespace == nil }?.value
    }
}
