import Crypto

/// SHA-256 (FIPS 180-4), for migration checksums, API-token hashes and idempotency keys:
/// swift-crypto's, with the hex forms foiflow stores. (A hand-written one stood here; no
/// workload spends a measurable share of its time hashing, so the ecosystem's is used.)
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Array(Crypto.SHA256.hash(data: Array(bytes)))
    }

    /// The digest of `text`'s UTF-8, as 64 lower-case hex digits.
    public static func hex(_ text: String) -> String {
        hexString(hash(Array(text.utf8)))
    }

    /// `bytes` as lower-case hex digits.
    public static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
