import Foundation
import TradeWatchModel

// TEMPORARY until the structure reader lands in TradeWatchFormats. Never shipped.
struct SDMXStructureMessageStub {
    var warnings: [String] = []
    func batches() -> [LabelBatch] { [] }
}
enum SDMXStructureReader {
    static func read(_ chunks: ((Data) throws -> Void) throws -> Void) throws -> SDMXStructureMessageStub {
        SDMXStructureMessageStub()
    }
}
