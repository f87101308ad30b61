import Foundation
import GRDB
import TradeWatchModel

/// Turns what happened to keys in (a, b] into the changes between the two ends, in reading
/// order (source, dataset, series key, period: SQLite's byte order).
///
/// Rows are noted as compact events; series and periods become ranks once all are known, so
/// events are sorted by integers alone, each key's events end up side by side in revision
/// order, and one pass over them finds each key's version at `a` and at `b`. Only those two
/// versions are ever built.
struct ChangeAssembly {
    enum Side: UInt64 {
        /// The version this revision closed (to_rev = revision).
        case closed = 0
        /// The version this revision opened in place of a closed one (content logged).
        case replacing = 1
        /// A version this revision opened, known from the revision index only.
        case opened = 2
    }

    /// The content columns of one version, as SQLite holds them: `period_start`,
    /// `period_end`, `value`, `number`, `unit`, `unit_mult`, `status`, `attributes`.
    struct Content {
        var periodStart: String?
        var periodEnd: String?
        var value: String?
        var number: Double?
        var unit: String?
        var unitMultiplier: Int?
        var status: String?
        var attributes: String?
        var fromRevision: Int64

        init(_ row: RawStatement, from first: Int32, fromRevision: Int64) {
            periodStart = row.string(first)
            periodEnd = row.string(first + 1)
            value = row.string(first + 2)
            number = row.optionalDouble(first + 3)
            unit = row.string(first + 4)
            unitMultiplier = row.optionalInt64(first + 5).map { Int($0) }
            status = row.string(first + 6)
            attributes = row.string(first + 7)
            self.fromRevision = fromRevision
        }

        func sameContent(as other: Content) -> Bool {
            value == other.value && unit == other.unit && unitMultiplier == other.unitMultiplier
                && status == other.status && attributes == other.attributes
        }
    }

    struct Event {
        /// Series rank and period rank (high word, 0 until ranked), then revision and side
        /// (low word): sorting on it puts each key's events together, in revision order, with
        /// a close before an open in the same revision.
        var order: (UInt64, UInt64)
        /// Position of the series in `seriesSeen`.
        var slot: Int32
        var period: Int32
        /// Position in `contents`, or -1.
        var content: Int32
        /// Position in the order rows were noted.
        var sequence: Int32
    }

    private let db: Database
    private let a: Int64
    private var events: [Event] = []
    private var contents: [Content] = []
    private var periods: [String] = []
    private var periodIndex: [String: Int32] = [:]
    private var periodBytes: [[UInt8]] = []
    /// The replacements the log listed, in its order, and how far `noteOpened` has walked them.
    private var replacements: [(revision: Int64, series: Int64, period: Int32)] = []
    private var replacementCursor = 0
    /// Series as met (consecutive repeats dropped).
    private var seriesSeen: [Int64] = []

    init(_ db: Database, _ a: Int64, _ b: Int64) throws {
        self.db = db
        self.a = a
        // Sized from the revisions' own counts (an upper bound under a filter): growing the
        // arrays row by row cost more in page faults and copies than reading the rows.
        let counts = try Row.fetchOne(
            db, sql: "SELECT total(added), total(changed), total(removed) FROM revision WHERE id > ? AND id <= ?",
            arguments: [a, b])
        let added = Int((counts?[0] as Double?) ?? 0)
        let changed = Int((counts?[1] as Double?) ?? 0)
        let removed = Int((counts?[2] as Double?) ?? 0)
        events.reserveCapacity(added + 2 * changed + removed)
        contents.reserveCapacity(added + 2 * changed + removed)
    }

    mutating func note(
        series: Int64, period: UnsafeBufferPointer<UInt8>?, revision: Int64, side: Side, content: Content?
    ) {
        let periodID = intern(period)
        var position: Int32 = -1
        if let content {
            position = Int32(contents.count)
            contents.append(content)
        }
        if side == .replacing { replacements.append((revision, series, periodID)) }
        if seriesSeen.last != series { seriesSeen.append(series) }
        events.append(
            Event(
                order: (0, UInt64(revision) << 2 | side.rawValue), slot: Int32(seriesSeen.count - 1), period: periodID,
                content: position, sequence: Int32(events.count)))
    }

    /// Notes a version opened in (a, b] as the revision index lists it, in index order
    /// (revision, series, period), unless the log already holds it as a replacement: the log
    /// lists replacements in the same order, so one cursor walks both.
    mutating func noteOpened(series: Int64, period: UnsafeBufferPointer<UInt8>?, revision: Int64) {
        let bytes = period ?? UnsafeBufferPointer(start: nil, count: 0)
        func order(of replacement: (revision: Int64, series: Int64, period: Int32)) -> Int {
            if replacement.revision != revision { return replacement.revision < revision ? -1 : 1 }
            if replacement.series != series { return replacement.series < series ? -1 : 1 }
            return periodBytes[Int(replacement.period)].withUnsafeBufferPointer { compareBytes($0, bytes) }
        }
        while replacementCursor < replacements.count {
            let comparison = order(of: replacements[replacementCursor])
            if comparison > 0 { break }
            replacementCursor += 1
            if comparison == 0 { return }  // a replacement: the log has it, with its content
        }
        note(series: series, period: period, revision: revision, side: .opened, content: nil)
    }

    private mutating func intern(_ period: UnsafeBufferPointer<UInt8>?) -> Int32 {
        let text = period.map { String(decoding: $0, as: UTF8.self) } ?? ""
        if let known = periodIndex[text] { return known }
        let periodID = Int32(periods.count)
        periods.append(text)
        periodBytes.append(Array(text.utf8))
        periodIndex[text] = periodID
        return periodID
    }

    /// Hands each change to `body`, in reading order. `readAdditions` reads the content of
    /// versions known only from the revision index (series, period, revision opened), given in
    /// the order the index listed them, and hands each to `store` in the same order.
    mutating func forEachChange(
        reserve: (Int) -> Void, _ body: (ObservationChange) throws -> Void,
        readAdditions: (
            _ keys: [(series: Int64, period: String, revision: Int64)], _ store: (Content) -> Void
        ) throws -> Void
    ) throws {
        let names = try SeriesNames(db, ids: seriesSeen)
        // Periods are ASCII in practice, but compared as bytes like SQLite would.
        let periodRanks = Self.ranks(of: periods)
        for index in events.indices {
            let event = events[index]
            events[index].order.0 =
                UInt64(names.rank(ofSlot: event.slot)) << 32 | UInt64(periodRanks[Int(event.period)])
        }
        events.sort { $0.order < $1.order }

        // Content of the additions still there at b, read in the order the revision index
        // listed them (the table's own order) rather than in reading order: a diff across a
        // first load of a million rows visits each table page once instead of at random.
        var keys = 0
        var pending: [(sequence: Int32, event: Int)] = []
        for index in events.indices
        where index == events.count - 1 || events[index].order.0 != events[index + 1].order.0 {
            keys += 1
            if events[index].order.1 & 3 == Side.opened.rawValue && events[index].content < 0 {
                pending.append((events[index].sequence, index))
            }
        }
        if !pending.isEmpty {
            pending.sort { $0.sequence < $1.sequence }
            let wanted = pending.map { _, index in
                let event = events[index]
                return (seriesSeen[Int(event.slot)], periods[Int(event.period)], Int64(bitPattern: event.order.1 >> 2))
            }
            var next = 0
            try readAdditions(wanted) { content in
                events[pending[next].event].content = Int32(contents.count)
                contents.append(content)
                next += 1
            }
        }
        // One change at most per key: a caller collecting them sizes its array exactly, since
        // growing an array of changes this large moves megabytes.
        reserve(keys)
        var attributes: [String: [String: String]] = [:]  // the same few texts over and over
        var start = 0
        while start < events.count {
            var end = start + 1
            while end < events.count && events[end].order.0 == events[start].order.0 { end += 1 }
            defer { start = end }
            // At a: the first event of the key is the close of the version then open (closes
            // sort before opens within a revision, and nothing opens before the old one closes).
            let first = events[start]
            var old: Content?
            if first.order.1 & 3 == Side.closed.rawValue, first.content >= 0 {
                let content = contents[Int(first.content)]
                if content.fromRevision <= a { old = content }
            }
            // At b: the last version opened, unless a close came after it.
            let last = events[end - 1]
            var new: Content?
            switch Side(rawValue: last.order.1 & 3) {
            case .replacing?:
                new = contents[Int(last.content)]
            case .opened?:
                new = contents[Int(last.content)]  // read above
            default:
                new = nil
            }
            let kind: ChangeKind
            switch (old, new) {
            case (nil, _?): kind = .added
            case (_?, nil): kind = .removed
            case let (old?, new?) where !old.sameContent(as: new): kind = .changed
            default: continue
            }
            let name = names.name(ofSlot: first.slot)
            let period = periods[Int(first.period)]
            func version(_ content: Content?, closedAt: Int64?) -> ObservationVersion? {
                guard let content else { return nil }
                var parsed: [String: String] = [:]
                if let text = content.attributes {
                    if let known = attributes[text] {
                        parsed = known
                    } else {
                        parsed = CanonicalJSON.parseObject(text)
                        attributes[text] = parsed
                    }
                }
                return ObservationVersion(
                    source: name.source, dataset: name.dataset, series: name.key, period: period,
                    periodStart: content.periodStart, periodEnd: content.periodEnd, value: content.value,
                    number: content.number, unit: content.unit, unitMultiplier: content.unitMultiplier,
                    status: content.status, attributes: parsed, fromRevision: content.fromRevision,
                    toRevision: closedAt)
            }
            // The old version ended where its close was noted; the new one is open at b (what
            // happens after b is not part of this diff).
            try body(
                ObservationChange(
                    kind: kind, source: name.source,
                    key: ObservationKey(dataset: name.dataset, series: name.key, period: period),
                    old: version(old, closedAt: Int64(bitPattern: first.order.1 >> 2)),
                    new: version(new, closedAt: nil)))
        }
    }

    /// The rank of each text in byte order.
    static func ranks(of texts: [String]) -> [UInt32] {
        var ranks = [UInt32](repeating: 0, count: texts.count)
        for (rank, index) in texts.indices.sorted(by: { precedesInBytes(texts[$0], texts[$1]) }).enumerated() {
            ranks[index] = UInt32(rank)
        }
        return ranks
    }
}

/// memcmp's answer for two byte strings of any length (shorter first on a common prefix).
private func compareBytes(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Int {
    let common = min(lhs.count, rhs.count)
    if common > 0, let l = lhs.baseAddress, let r = rhs.baseAddress {
        let order = memcmp(l, r, common)
        if order != 0 { return order < 0 ? -1 : 1 }
    }
    return lhs.count == rhs.count ? 0 : (lhs.count < rhs.count ? -1 : 1)
}

/// Whether `lhs` sorts before `rhs` as SQLite's BINARY collation orders them (by UTF-8 bytes).
private func precedesInBytes(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
}

/// The names of the series a diff touches, and their rank in reading order (source name,
/// dataset, series key), by position in the list of series met (`ids`, repeats allowed).
private struct SeriesNames {
    struct Name {
        var source: String
        var dataset: String
        var key: String
    }

    /// Per distinct series, in row id order.
    private var names: [Name] = []
    private var ranks: [UInt32] = []
    /// Per position in `ids`: the distinct series.
    private var distinct: [Int32] = []

    init(_ db: Database, ids: [Int64]) throws {
        var unique = ids
        unique.sort()
        var count = 0
        for id in unique where count == 0 || unique[count - 1] != id {
            unique[count] = id
            count += 1
        }
        unique.removeLast(unique.count - count)
        guard let lowest = unique.first, let highest = unique.last else { return }
        distinct = ids.map { id in
            // Binary search: a dictionary of ids would cost more to build than this.
            var (low, high) = (0, unique.count)
            while low < high {
                let middle = (low + high) / 2
                if unique[middle] < id { low = middle + 1 } else { high = middle }
            }
            return Int32(low)
        }

        // Source names are few; their rank orders series of different sources.
        var sources: [Int64: (name: String, rank: UInt32)] = [:]
        let sourceNames: [(Int64, String)] = try Row.fetchAll(db, sql: "SELECT id, name FROM source").map {
            ($0[0], $0[1])
        }
        let sourceRanks = ChangeAssembly.ranks(of: sourceNames.map(\.1))
        for (index, (id, name)) in sourceNames.enumerated() { sources[id] = (name, sourceRanks[index]) }

        // Names are also laid end to end (dataset, NUL, key: the NUL sorts a dataset before
        // its extensions, as comparing the pair would), so comparing two retains nothing.
        names.reserveCapacity(unique.count)
        var arena: [UInt8] = []
        var bounds: [(start: Int, end: Int, source: UInt32)] = []
        bounds.reserveCapacity(unique.count)
        func keep(_ row: RawStatement) throws {
            guard let source = sources[row.int64(1)] else {
                throw CacheError(.database, "series \(row.int64(0)) names a missing source")
            }
            let start = arena.count
            if let dataset = row.bytes(2) { arena.append(contentsOf: dataset) }
            arena.append(0)
            if let key = row.bytes(3) { arena.append(contentsOf: key) }
            bounds.append((start, arena.count, source.rank))
            names.append(Name(source: source.name, dataset: row.string(2) ?? "", key: row.string(3) ?? ""))
        }
        // Touched series that lie close together are read in one range (a few rows read and
        // dropped cost less than a lookup each); sparse ones are looked up one by one.
        if highest - lowest < 4 * Int64(unique.count) {
            let statement = try db.makeStatement(
                sql: "SELECT id, source_id, dataset, series_key FROM series WHERE id >= ? AND id <= ? ORDER BY id")
            try statement.setArguments([lowest, highest])
            let rows = RawStatement(statement, in: db)
            var next = 0
            while try rows.step() {
                let id = rows.int64(0)
                while next < unique.count && unique[next] < id { next += 1 }
                if next < unique.count && unique[next] == id { try keep(rows) }
            }
        } else {
            let lookup = RawStatement(
                try db.cachedStatement(sql: "SELECT id, source_id, dataset, series_key FROM series WHERE id = ?"),
                in: db)
            defer { lookup.reset() }
            for id in unique {
                lookup.reset()
                lookup.bind(1, id)
                if try lookup.step() { try keep(lookup) }
            }
        }
        guard names.count == unique.count else {
            throw CacheError(.database, "\(unique.count - names.count) series are referenced but missing")
        }
        // Series created in key order, a common case, need no sort at all.
        let order = arena.withUnsafeBufferPointer { bytes in
            bounds.withUnsafeBufferPointer { bounds in
                func precedes(_ lhs: Int, _ rhs: Int) -> Bool {
                    let (l, r) = (bounds[lhs], bounds[rhs])
                    if l.source != r.source { return l.source < r.source }
                    return compareBytes(
                        UnsafeBufferPointer(rebasing: bytes[l.start..<l.end]),
                        UnsafeBufferPointer(rebasing: bytes[r.start..<r.end])) < 0
                }
                let inOrder = bounds.indices.dropFirst().allSatisfy { !precedes($0, $0 - 1) }
                return inOrder ? Array(bounds.indices) : bounds.indices.sorted(by: precedes)
            }
        }
        ranks = [UInt32](repeating: 0, count: unique.count)
        for (rank, index) in order.enumerated() { ranks[index] = UInt32(rank) }
    }

    func rank(ofSlot slot: Int32) -> UInt32 { ranks[Int(distinct[Int(slot)])] }

    func name(ofSlot slot: Int32) -> Name { names[Int(distinct[Int(slot)])] }
}
