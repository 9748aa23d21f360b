import HSQCore
import Testing

/// The memory budget's arithmetic, sizes and scoping.
@Suite struct MemoryBudgetTests {
  @Test func aProductThatOverflowsIsOverAnyBudget() throws {
    let huge = MemoryEstimate.floats(Int.max / 2, 3)
    #expect(huge == .overflow)
    #expect(MemoryEstimate.bytes(-1) == .overflow)
    #expect(MemoryEstimate.floats(1 << 20) + huge == .overflow)
    #expect(3 * MemoryEstimate.bytes(Int.max / 2) == .overflow)
    let budget = MemoryBudget(bytes: Int.max)
    #expect(throws: HSQError.self) { try budget.check(huge, for: "The test", detail: "a product", fix: "Lower it") }
    #expect(MemoryEstimate.floats(1 << 20, 3).bytes == 12 << 20)
  }

  @Test func theMessageGivesTheEstimateTheLimitAndTheFix() {
    let budget = MemoryBudget(bytes: 12 << 30)
    #expect(throws: HSQError.overMemoryBudget(
      what: "The experiment", needs: "about 13 GB (workers × parameters)", limit: "12 GB", fix: "Lower 'workers'")) {
      try budget.check(.bytes(13 << 30), for: "The experiment", detail: "workers × parameters", fix: "Lower 'workers'")
    }
    #expect(throws: Never.self) { try budget.check(.bytes(12 << 30), for: "x", detail: "y", fix: "z") }
  }

  @Test(arguments: [("2GB", 2 << 30), ("512 MB", 512 << 20), ("1.5g", 3 << 29), ("1048576", 1 << 20), ("1TB", 1 << 40)])
  func sizesParse(text: String, bytes: Int) throws {
    #expect(try MemoryBudget.parseSize(text) == bytes)
  }

  @Test(arguments: ["", "lots", "-2GB", "12kb", "nanGB", "1e30GB"])
  func badSizesAreOneClearLine(text: String) {
    #expect(throws: HSQError.self) { try MemoryBudget.parseSize(text) }
  }

  @Test func sizesReadAsPeopleWriteThem() {
    #expect(MemoryEstimate.bytes(6_549_000_000).description == "6.1 GB")
    #expect(MemoryEstimate.bytes(12 << 30).description == "12 GB")
    #expect(MemoryEstimate.bytes(100).description == "100 bytes")
    #expect(MemoryEstimate.overflow.description == "more than 8 EB")
  }

  @Test func aScopedBudgetChangesNothingOutsideItsScope() {
    let outside = MemoryBudget.current
    MemoryBudget.$current.withValue(MemoryBudget(bytes: 1 << 20)) {
      #expect(MemoryBudget.current.bytes == 1 << 20)
    }
    #expect(MemoryBudget.current == outside)
    #expect(MemoryBudget.machineDefault.bytes == MemoryBudget.availableMemory / 2)
  }
}
