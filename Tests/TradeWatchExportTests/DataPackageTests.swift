import Foundation
import Testing
import TradeWatchExport
import TradeWatchModel

@Suite("CSV files and the data-package manifest")
struct DataPackageTests {
    @Test("CSV fields are quoted exactly when RFC 4180 needs it, and the manifest hashes the file")
    func csvAndManifest() throws {
        let directory = NSTemporaryDirectory() + "tradewatch-export-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let writer = try RowFileWriter(path: directory + "/observations.csv")
        try writer.writeRow(["series", "period", "value", "note"])
        try writer.writeRow(["CMD=6704", "2019-01", "1234.5", nil])
        try writer.writeRow(["CMD=9701", "2019-02", "", "says \"hi\", twice\nand again"])
        try writer.close()
        let text = try String(contentsOfFile: directory + "/observations.csv", encoding: .utf8)
        #expect(
            text == "series,period,value,note\r\nCMD=6704,2019-01,1234.5,\r\n"
                + "CMD=9701,2019-02,,\"says \"\"hi\"\", twice\nand again\"\r\n")

        var package = DataPackage(name: "tradewatch-snapshot", version: "1")
        try package.addResource(
            name: "observations", path: "observations.csv", in: directory, format: "csv", mediatype: "text/csv",
            fields: [DataPackage.Field(name: "series", type: "string")], primaryKey: ["series"])
        let resource = try #require(package.resources.first)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/observations.csv"))
        #expect(resource.bytes == Int64(bytes.count))
        #expect(resource.hash == "sha256:" + SHA256.hex(bytes))
        #expect(try package.encoded() == (try package.encoded()))
        let json = try JSONSerialization.jsonObject(with: try package.encoded()) as? [String: Any]
        #expect(json?["profile"] as? String == "data-package")
    }
}
