import Testing

@testable import Mail

/// Parameter lists are parsed in linear time: 120,000 parameters took 23 s when each name
/// was looked up in the list of names seen so far.
@Suite("Parameter lists at scale")
struct ParameterScaleTests {
    @Test func aContentTypeWithManyParameters() throws {
        let count = 120_000
        let value = "text/plain" + (0..<count).map { "; p\($0)=v\($0)" }.joined()
        let type = try ContentType(parsing: value)
        #expect(type.parameters.count == count)
        #expect(type.parameters.first == MIMEParameter(validatedName: "p0", value: "v0"))
        #expect(type.parameters.last == MIMEParameter(validatedName: "p\(count - 1)", value: "v\(count - 1)"))
        #expect(type.parameters.map(\.name) == (0..<count).map { "p\($0)" })
    }

    @Test func repeatedNamesAndContinuationsKeepTheirOrderAndFirstValue() throws {
        // Every name twice (the first value wins), and one parameter in 10,000 RFC 2231 pieces
        // given in reverse order.
        let count = 50_000
        let repeated = (0..<count).map { "; p\($0)=first" }.joined() + (0..<count).map { "; P\($0)=second" }.joined()
        let pieces = (0..<10_000).reversed().map { "; title*\($0)=\($0 % 10)" }.joined()
        let type = try ContentType(parsing: "application/x-stuff" + repeated + pieces)
        #expect(type.parameters.count == count + 1)
        #expect(type.parameters.prefix(count).allSatisfy { $0.value == "first" })
        #expect(type.parameters.last?.name == "title")
        #expect(type.parameters.last?.value == String(repeating: "0123456789", count: 1_000))
    }
}
