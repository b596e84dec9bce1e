import Testing

@testable import Store

/// A request's access code: four groups of four from Crockford's alphabet, every character
/// drawn evenly, read back however it is typed.
@Suite struct AccessCodeTests {
    @Test func codesAreFourGroupsOfFourAndReadBackAsTyped() throws {
        let code = AccessCode.make()
        let groups = code.split(separator: "-", omittingEmptySubsequences: false)
        #expect(groups.count == 4 && groups.allSatisfy { $0.count == 4 }, "\(code)")
        #expect(code.filter { $0 != "-" }.allSatisfy { AccessCode.alphabet.contains($0) }, "\(code)")
        let stored = try #require(AccessCode.normalised(code))
        #expect(AccessCode.normalised(code.lowercased().replacingOccurrences(of: "-", with: " ")) == stored)
        #expect(AccessCode.hash(code) == AccessCode.hash(code.lowercased()))
        #expect(AccessCode.normalised("7K3M-QX9D-2HBV") == nil)
        #expect(AccessCode.normalised("7K3M-QX9D-2HBV-T8RU") == nil)
        // Letters taken for digits are read as the digits.
        #expect(AccessCode.normalised("OIL0-0000-0000-0000") == "0110000000000000")
    }

    /// Every character turns up at every position, and no code twice: a draw that left bits
    /// unused or reused would show here (the chance of a character missing from a position by
    /// luck in 2,000 codes is below 1e-25).
    @Test func everyCharacterIsDrawnAtEveryPosition() {
        let codes = (0..<2000).map { _ in Array(AccessCode.make().filter { $0 != "-" }) }
        #expect(Set(codes.map { String($0) }).count == codes.count)
        for position in 0..<16 {
            let seen = Set(codes.map { $0[position] })
            #expect(seen.count == 32, "position \(position): \(seen.count) characters")
        }
    }
}
