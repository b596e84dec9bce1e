import Dates
import Foundation

/// RFC 3339 UTC instants, to the second, as the protocol and the CLI write them:
/// `2026-11-20T09:30:00Z`.
public enum Timestamps {
    public static func rfc3339(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = seconds - days * 86_400
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
        return "\(CivilDate(dayNumber: days))T\(pad(second / 3600)):\(pad(second / 60 % 60)):\(pad(second % 60))Z"
    }
}
