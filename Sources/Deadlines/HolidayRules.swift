import Dates

/// The UK bank-holiday rules, for any year (the official data reaches only a
/// year or two ahead, so the rules are the source and the data checks them).
///
/// - Banking and Financial Dealings Act 1971 Sch. 1, with the royal
///   proclamations that add or move days (listed in `oneOffs` and `moves`).
/// - Christmas Day and Good Friday are listed for every division, as GOV.UK does.
/// - A fixed-date holiday on a Saturday or Sunday is taken on the next weekday
///   that is not already a holiday (the substitute day).
/// - St Andrew's Day (Scotland) only from 2007 (St Andrew's Day Bank Holiday
///   (Scotland) Act 2007, in force 16 January 2007).
public enum HolidayRules {
    /// Titles used by the rules (plain ASCII apostrophes).
    public enum Title {
        public static let newYear = "New Year's Day"
        public static let secondJanuary = "2nd January"
        public static let stPatrick = "St Patrick's Day"
        public static let goodFriday = "Good Friday"
        public static let easterMonday = "Easter Monday"
        public static let earlyMay = "Early May bank holiday"
        public static let earlyMayVE = "Early May bank holiday (VE day)"
        public static let spring = "Spring bank holiday"
        public static let boyne = "Battle of the Boyne (Orangemen's Day)"
        public static let summer = "Summer bank holiday"
        public static let stAndrew = "St Andrew's Day"
        public static let christmas = "Christmas Day"
        public static let boxing = "Boxing Day"
    }

    /// Days added by proclamation: date, title, divisions.
    static let oneOffs: [(String, String, [Division])] = [
        ("1999-12-31", "Millennium celebrations", Division.allCases),
        ("2002-06-03", "Golden Jubilee of Queen Elizabeth II", Division.allCases),
        ("2011-04-29", "Royal wedding", Division.allCases),
        ("2012-06-05", "Queen's Diamond Jubilee", Division.allCases),
        ("2022-06-03", "Platinum Jubilee bank holiday", Division.allCases),
        ("2022-09-19", "Bank holiday for the State Funeral of Queen Elizabeth II", Division.allCases),
        ("2023-05-08", "Bank holiday for the coronation of King Charles III", Division.allCases),
        ("2026-06-15", "Bank holiday for Scotland's participation in the FIFA World Cup", [.scotland]),
    ]

    /// Every bank holiday of `year` in `division`, by date.
    public static func holidays(year: Int, division: Division) -> [Holiday] {
        var result: [Holiday] = []
        func add(_ date: CivilDate, _ title: String) {
            result.append(Holiday(date: date, division: division, title: title))
        }
        func date(_ month: Int, _ day: Int) -> CivilDate {
            CivilDate(year: year, month: month, clampingDay: day)
        }

        // Fixed-date holidays that move off weekends, grouped where they can collide.
        var fixedGroups: [[(CivilDate, String)]] = []
        if division == .scotland {
            fixedGroups.append([(date(1, 1), Title.newYear), (date(1, 2), Title.secondJanuary)])
        } else {
            fixedGroups.append([(date(1, 1), Title.newYear)])
        }
        if division == .northernIreland {
            fixedGroups.append([(date(3, 17), Title.stPatrick)])
            fixedGroups.append([(date(7, 12), Title.boyne)])
        }
        if division == .scotland, year >= 2007 {
            fixedGroups.append([(date(11, 30), Title.stAndrew)])
        }
        fixedGroups.append([(date(12, 25), Title.christmas), (date(12, 26), Title.boxing)])

        // Movable holidays.
        let easter = easterSunday(year)
        add(easter.adding(days: -2), Title.goodFriday)
        if division != .scotland { add(easter.adding(days: 1), Title.easterMonday) }

        switch year {
        case 1995, 2020: add(date(5, 8), Title.earlyMayVE)
        default: add(firstMonday(year: year, month: 5), Title.earlyMay)
        }
        switch year {
        case 2002: add(date(6, 4), Title.spring)
        case 2012: add(date(6, 4), Title.spring)
        case 2022: add(date(6, 2), Title.spring)
        default: add(lastMonday(year: year, month: 5), Title.spring)
        }
        if division == .scotland {
            add(firstMonday(year: year, month: 8), Title.summer)
        } else {
            add(lastMonday(year: year, month: 8), Title.summer)
        }
        for (text, title, divisions) in oneOffs where divisions.contains(division) {
            if let day = CivilDate(iso: text), day.year == year { add(day, title) }
        }

        // Fixed dates: weekday ones stay; weekend ones go to the next free weekday.
        var taken = Set(result.map(\.date))
        for group in fixedGroups {
            for (day, title) in group where !day.weekday.isWeekend {
                add(day, title)
                taken.insert(day)
            }
            for (day, title) in group where day.weekday.isWeekend {
                var substitute = day.adding(days: 1)
                while substitute.weekday.isWeekend || taken.contains(substitute) { substitute = substitute.adding(days: 1) }
                result.append(Holiday(date: substitute, division: division, title: title, isSubstitute: true))
                taken.insert(substitute)
            }
        }
        return result.sorted { $0.date < $1.date }
    }

    /// Every holiday of every division for `years`, by date then division.
    public static func holidays(years: ClosedRange<Int>) -> [Holiday] {
        years.flatMap { year in Division.allCases.flatMap { holidays(year: year, division: $0) } }
    }

    /// Easter Sunday (Gregorian; anonymous algorithm, Meeus/Jones/Butcher).
    public static func easterSunday(_ year: Int) -> CivilDate {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate(year: year, month: month, clampingDay: day)
    }

    static func firstMonday(year: Int, month: Int) -> CivilDate {
        var day = CivilDate(year: year, month: month, clampingDay: 1)
        while day.weekday != .monday { day = day.adding(days: 1) }
        return day
    }

    static func lastMonday(year: Int, month: Int) -> CivilDate {
        var day = CivilDate(year: year, month: month, clampingDay: CivilDate.daysInMonth(year: year, month: month))
        while day.weekday != .monday { day = day.adding(days: -1) }
        return day
    }
}
