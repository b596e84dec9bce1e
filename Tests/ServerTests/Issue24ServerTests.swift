import Dates
import Foundation
import Postgres
import Store
import TestSupport
import Testing
import Workflow

/// Issue 24 over the protocol: references at any volume, addresses checked at the door.
@Suite(.requiresDatabase) struct Issue24ServerTests {
    @Test func referencesGoPastNineHundredAndNinetyNineThousandUncut() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        #expect(try await client.call("CREATE foi received=2026-11-20 requester=R").hasPrefix("OK ref=FOI-2026-000001 "))
        try await harness.pool.query("SELECT setval('foiflow_ref_foi_2026', 999998)")
        var refs: [String] = []
        for _ in 0..<3 {
            let reply = try await client.call("CREATE foi received=2026-11-20 requester=R")
            refs.append(String(reply.split(separator: " ").first { $0.hasPrefix("ref=") }?.dropFirst(4) ?? ""))
        }
        #expect(refs == ["FOI-2026-999999", "FOI-2026-1000000", "FOI-2026-1000001"])
        #expect(try await client.call("SHOW FOI-2026-1000000") == "OK")
        #expect(try await client.call("ACT FOI-2026-1000000 assign to=asmith").hasPrefix("OK ref=FOI-2026-1000000 "))
        // A sequence set back by hand: the taken numbers are skipped, never ERR INTERNAL.
        try await harness.pool.query("SELECT setval('foiflow_ref_foi_2026', 999998)")
        let again = try await client.call("CREATE foi received=2026-11-20 requester=R")
        #expect(again.hasPrefix("OK ref=FOI-2026-1000002 "), "\(again)")
        // Other kinds and years go on as before.
        #expect(try await client.call("CREATE eir received=2026-11-20 requester=R").hasPrefix("OK ref=EIR-2026-000001 "))
        try await harness.stop()
    }

    @Test func theSQLAndSwiftFormatsAgreeAtEveryLength() async throws {
        let harness = try await ServerHarness()
        var number = 1
        for digits in 1...18 {
            let row = try await harness.pool.query("SELECT foiflow_reference('SAR', 2027, \(number)::bigint) AS ref").first
            let sql = try #require(try row?.decode(String.self, "ref"))
            let parsed = try #require(RequestReference(sql), "\(sql)")
            #expect(parsed.number == number && parsed.kind == .sar && parsed.year == 2027 && parsed.description == sql)
            #expect(sql.split(separator: "-").last?.count == max(6, digits))
            if digits < 18 { number = number * 10 + (digits % 9) + 1 }
        }
        try await harness.stop()
    }

    @Test func anAddressIsOneAddressOrNothingIsWritten() async throws {
        let harness = try await ServerHarness()
        let client = try await harness.authenticatedClient(login: "asmith", role: .officer)
        for bad in ["x@example.net, victim@example.com", "x@example.net\\nBcc: v@example.com", "Jane <x@example.net>", "x@example.net victim"] {
            let reply = try await client.call("CREATE foi received=2026-11-20 requester=R email=\"\(bad)\"")
            #expect(reply.hasPrefix("ERR BAD_ARGUMENT email="), "\(bad): \(reply)")
        }
        let right = try await client.call("CREATE foi received=2026-11-20 requester=\"Smith, John\" email=j.smith@example.net contact=email")
        #expect(right.hasPrefix("OK ref=FOI-2026-000001 "), "\(right)")
        #expect(try await harness.pool.query("SELECT count(*)::int AS n FROM requests").first?.decode(Int.self, "n") == 1)
        try await harness.stop()
    }
}
