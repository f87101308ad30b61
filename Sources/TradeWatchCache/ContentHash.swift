import Foundation
import TradeWatchModel

/// Stable content fingerprints, so that reconcile compares by content: the same figure
/// re-published in another order, or the same article re-sent, hashes the same.
enum ContentHash {
    /// 64-bit FNV-1a over the fields that a revision can change, separated by a byte that
    /// cannot occur in them. Deterministic across processes (unlike `Hasher`).
    static func observation(_ observation: Observation, attributesJSON: String?) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String?) {
            if var text {
                text.withUTF8 { bytes in
                    for byte in bytes {
                        hash ^= UInt64(byte)
                        hash &*= 0x0000_0100_0000_01b3
                    }
                }
                hash ^= 0x1f
            } else {
                hash ^= 0x1e
            }
            hash &*= 0x0000_0100_0000_01b3
        }
        mix(observation.value)
        mix(observation.unit)
        mix(observation.unitMultiplier.map(String.init))
        mix(observation.status)
        mix(attributesJSON)
        return Int64(bitPattern: hash)
    }

    static func entry(_ stored: StoredEntryFields) -> String {
        var hasher = SHA256()
        for field in stored.hashedFields {
            hasher.update(field ?? "\u{1e}")
            hasher.update("\u{1f}")
        }
        return hasher.finalizeHex()
    }
}

/// A JSON object of string values with sorted keys, written by hand because reconcile writes
/// one per changed observation and must write the same bytes for the same attributes.
enum CanonicalJSON {
    static func object(_ dictionary: [String: String]) -> String? {
        dictionary.isEmpty ? nil : JSONText.sortedObject(dictionary)
    }

    static func parseObject(_ text: String?) -> [String: String] {
        guard let text, let data = text.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: String]
        else { return [:] }
        return object
    }
}
