import GRDB
import GRDBSQLite

extension CacheError {
    /// A failure SQLite reported, in tradewatch's words, keeping SQLite's extended result code
    /// and the failing statement (without its arguments) in `underlying`.
    static func database(_ error: DatabaseError, path: String?) -> CacheError {
        CacheError(
            .database, "\(error.message ?? "SQLite error") (\(error.resultCode))", path: path,
            underlying: Underlying(
                code: error.extendedResultCode.rawValue,
                name: String(cString: sqlite3_errstr(error.extendedResultCode.rawValue)), statement: error.sql))
    }
}
