/// A calendar date with no time of day and no time zone (proleptic Gregorian).
///
/// Stored as a day number (days since 1970-01-01), so comparison and day
/// arithmetic are single integer operations. Parsing and formatting use the
/// ISO 8601 form `YYYY-MM-DD` that the protocol, the CLI and PostgreSQL share.
public struct CivilDate: Hashable, Comparable, Sendable {
    /// Days since 1970-01-01 (negative before it).
    public let dayNumber: Int

    /// The date with this day number (days since 1970-01-01).
    @inlinable
    public init(dayNumber: Int) {
        self.dayNumber = dayNumber
    }

    /// The date `year-month-day`, or `nil` when no such date exists (`2026-02-30`).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1,
            day <= CivilDate.daysInMonth(year: year, month: month),
            (-99_999...99_999).contains(year)
        else { return nil }
        self.dayNumber = CivilDate.daysFromCivil(year: year, month: month, day: day)
    }

    /// The date `year-month-day` with `month` clamped to 1...12 and `day` to the days of that
    /// month: never fails, for dates built from parts known to be valid (the first or last
    /// day of a month, a computed Easter) where a failable result would need a fallback.
    public init(year: Int, month: Int, clampingDay day: Int) {
        let month = min(max(month, 1), 12)
        let day = min(max(day, 1), CivilDate.daysInMonth(year: year, month: month))
        self.dayNumber = CivilDate.daysFromCivil(year: year, month: month, day: day)
    }

    /// Parses exactly `YYYY-MM-DD` (four-digit year, two-digit month and day).
    /// Returns `nil` for any other text or for an impossible date.
    public init?(iso text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                let b = bytes[i]
                guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(b - UInt8(ascii: "0"))
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Year, month (1 to 12) and day (1 to 31).
    public var components: (year: Int, month: Int, day: Int) {
        CivilDate.civilFromDays(dayNumber)
    }

    public var year: Int { components.year }
    public var month: Int { components.month }
    public var day: Int { components.day }

    /// The day of the week.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday.
        let index = ((dayNumber % 7) + 7 + 3) % 7  // 0 = Monday
        return Weekday(rawValue: index + 1) ?? .monday
    }

    /// This date moved by `days` calendar days.
    public func adding(days: Int) -> CivilDate {
        CivilDate(dayNumber: dayNumber + days)
    }

    /// The same day of the month `months` months later (earlier when negative),
    /// clamped to the last day of the target month (31 Jan + 1 month = 28/29 Feb).
    public func adding(months: Int) -> CivilDate {
        let (y, m, d) = components
        let zeroBased = y * 12 + (m - 1) + months
        let year = zeroBased >= 0 ? zeroBased / 12 : (zeroBased - 11) / 12
        let month = zeroBased - year * 12 + 1
        let day = min(d, CivilDate.daysInMonth(year: year, month: month))
        return CivilDate(dayNumber: CivilDate.daysFromCivil(year: year, month: month, day: day))
    }

    /// Calendar days from `self` to `other` (positive when `other` is later).
    public func days(to other: CivilDate) -> Int {
        other.dayNumber - dayNumber
    }

    @inlinable
    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        lhs.dayNumber < rhs.dayNumber
    }

    // MARK: Calendar arithmetic (H. Hinnant's civil-from-days algorithms)

    /// Whether `year` is a Gregorian leap year.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Number of days in `month` (1 to 12) of `year`.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeapYear(year) ? 29 : 28
        default: return 0
        }
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}

extension CivilDate: CustomStringConvertible {
    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = components
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(abs(value))
            let padded = String(repeating: "0", count: max(0, width - text.count)) + text
            return value < 0 ? "-" + padded : padded
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }
}

extension CivilDate: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CivilDate(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a YYYY-MM-DD date: \(text)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
