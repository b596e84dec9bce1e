// Calendar benchmark: building the four calendars, and adding/counting working
// days on the uk calendar, in nanoseconds per call. Writes the same dates,
// offsets, results and holidays to a folder so numpy can be timed on identical
// input (scripts/bench does that and compares).
import Dates
import Deadlines
import Foundation

let outputFolder = CommandLine.arguments.dropFirst().first
let count = 1_000_000
let rounds = 7

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

// 1. Building all four calendars from the rules (holidays for 1940-2160 + indexes).
var buildTimes: [Double] = []
var built = CalendarSet.rules
for _ in 0..<rounds {
    let start = now()
    built = CalendarSet(holidays: HolidayRules.holidays(years: WorkingDayCalendar.indexYears))
    buildTimes.append(Double(now() - start) / 1e6)
}
let uk = built[.uk]

// 2. Inputs: a fixed pseudo-random sequence (reproducible across runs).
struct LCG {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
}
var random = LCG()
let first = WorkingDayCalendar.firstDate.dayNumber, last = WorkingDayCalendar.lastDate.dayNumber
var dates: [CivilDate] = []
var offsets: [Int] = []
var others: [CivilDate] = []
for _ in 0..<count {
    dates.append(CivilDate(dayNumber: first + Int(random.next() % UInt64(last - first - 200))))
    offsets.append(1 + Int(random.next() % 60))
    others.append(CivilDate(dayNumber: first + Int(random.next() % UInt64(last - first))))
}

// 3. addWorkingDays and workingDaysBetween: ns per call. The loops live in
// functions over local arrays: top-level globals would add exclusivity checks.
func timeAdd(_ calendar: WorkingDayCalendar, _ dates: [CivilDate], _ offsets: [Int], into results: inout [CivilDate]) -> Double {
    let start = now()
    for i in 0..<dates.count {
        results[i] = (try? calendar.addWorkingDays(dates[i], offsets[i])) ?? dates[i]
    }
    return Double(now() - start) / Double(dates.count)
}

func timeBetween(_ calendar: WorkingDayCalendar, _ dates: [CivilDate], _ others: [CivilDate]) -> (Double, Int) {
    let start = now()
    var sum = 0
    for i in 0..<dates.count {
        sum &+= (try? calendar.workingDaysBetween(dates[i], others[i])) ?? 0
    }
    return (Double(now() - start) / Double(dates.count), sum)
}

func timeIs(_ calendar: WorkingDayCalendar, _ dates: [CivilDate]) -> (Double, Int) {
    let start = now()
    var working = 0
    for date in dates where (try? calendar.isWorkingDay(date)) == true { working += 1 }
    return (Double(now() - start) / Double(dates.count), working)
}

var results = [CivilDate](repeating: CivilDate(dayNumber: 0), count: count)
var addTimes: [Double] = []
var betweenTimes: [Double] = []
var isTimes: [Double] = []
var checksum = 0
for _ in 0..<rounds {
    addTimes.append(timeAdd(uk, dates, offsets, into: &results))
    let (between, sum) = timeBetween(uk, dates, others)
    betweenTimes.append(between)
    let (isTime, working) = timeIs(uk, dates)
    isTimes.append(isTime)
    checksum &+= sum &+ working &+ results[Int(checksum & 0xffff)].dayNumber
}

print("calendars_build_ms_median=\(String(format: "%.2f", median(buildTimes))) min=\(String(format: "%.2f", buildTimes.min() ?? 0))")
print("add_working_days_ns_median=\(String(format: "%.2f", median(addTimes))) min=\(String(format: "%.2f", addTimes.min() ?? 0))")
print("working_days_between_ns_median=\(String(format: "%.2f", median(betweenTimes))) min=\(String(format: "%.2f", betweenTimes.min() ?? 0))")
print("is_working_day_ns_median=\(String(format: "%.2f", median(isTimes))) min=\(String(format: "%.2f", isTimes.min() ?? 0))")
print("calls_per_round=\(count) rounds=\(rounds) checksum=\(checksum)")

// 4. The same input for numpy.
if let outputFolder {
    let folder = URL(fileURLWithPath: outputFolder)
    func write(_ name: String, _ lines: [String]) throws {
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    do {
        try write("dates.txt", dates.map(\.description))
        try write("offsets.txt", offsets.map(String.init))
        try write("results.txt", results.map(\.description))
        let holidays = Set(built.holidays.map(\.date)).sorted().map(\.description)
        try write("holidays.txt", holidays)
    } catch {
        FileHandle.standardError.write(Data("cannot write benchmark inputs: \(error)\n".utf8))
        exit(1)
    }
}
