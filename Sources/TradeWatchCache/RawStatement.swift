import GRDB
import GRDBSQLite

/// Binding and stepping a GRDB statement through the SQLite C API, for the hot paths of
/// reconcile where building `StatementArguments` per row would cost more than the insert.
/// Only used inside a GRDB database access, on the connection's own thread.
struct RawStatement {
    let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer?

    init(_ statement: Statement, in db: Database) {
        self.statement = statement
        self.handle = statement.sqliteStatement
        self.connection = db.sqliteConnection
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { bytes in
            _ = bytes.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), Self.transient)
            }
        }
    }

    /// Steps once; true while a row is available.
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "SQLite error"
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }

    /// Runs a statement that returns no rows.
    func execute() throws {
        _ = try step()
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : sqlite3_column_int64(handle, column) }

    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : sqlite3_column_double(handle, column) }

    /// The column's text as SQLite holds it (numbers formatted by SQLite); valid until the
    /// next step.
    func bytes(_ column: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column)))
    }

    func string(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }
}

/// One row of `SQLiteCache.forEachObservationText`, valid only inside the callback.
/// Columns: 0 source, 1 dataset, 2 series, 3 period, 4 period_start, 5 period_end, 6 value,
/// 7 number, 8 unit, 9 unit_mult, 10 status, 11 attributes, 12 from_rev, 13 to_rev.
public struct ObservationTextRow {
    let statement: RawStatement
    /// Columns 0 to 2, the same for every row of one series.
    let series: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)

    public static let columnCount = 14

    /// The column's UTF-8 text; nil for NULL.
    public func text(_ column: Int) -> UnsafeBufferPointer<UInt8>? {
        switch column {
        case 0: series.0
        case 1: series.1
        case 2: series.2
        default: statement.bytes(Int32(column - 3))
        }
    }
}
