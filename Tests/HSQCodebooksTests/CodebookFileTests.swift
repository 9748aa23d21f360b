import Foundation
import HSQCodebooks
import HSQCore
import Testing

/// A fresh empty folder for one test.
private func temporaryFolder() throws -> String {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-codebook-files-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url.path
}

private func bytes(hex: String) -> [UInt8] {
  var out: [UInt8] = []
  var i = hex.startIndex
  while i < hex.endIndex {
    let j = hex.index(i, offsetBy: 2)
    out.append(UInt8(hex[i..<j], radix: 16)!)
    i = j
  }
  return out
}

/// `numpy.save` (NumPy 2.4) of `[[1.5, -2, 0.25], [3, 0, -0.125]]` as '<f4': format 1.0, and 2.0 via `write_array`.
private let numpyV1 = bytes(hex: "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000c03f000000c00000803e0000404000000000000000be")
private let numpyV2 = bytes(hex: "934e554d50590200740000007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000c03f000000c00000803e0000404000000000000000be")
/// The same rows packed with Python's `struct` as the authors' `.fvecs`.
private let authorsFVecs = bytes(hex: "030000000000c03f000000c00000803e030000000000404000000000000000be")
private let fixtureValues: [Float] = [1.5, -2, 0.25, 3, 0, -0.125]

/// Values that stress bit-exactness: signed zero, subnormals, extremes, non-dyadic fractions.
private let awkwardValues: [Float] = [
  -0.0, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, 1 / 3, -2.5e-20, 7, .pi,
]

@Suite("Codebook files")
struct CodebookFileTests {
  @Test func readsWhatNumPyAndTheAuthorsWrite() throws {
    for rows in [
      try NPYFile.decode(numpyV1, path: "v1.npy"), try NPYFile.decode(numpyV2, path: "v2.npy"),
      try FVecsFile.decode(authorsFVecs, path: "a.fvecs"),
    ] {
      #expect(rows.count == 2 && rows.dim == 3 && rows.values == fixtureValues)
    }
    // And writes exactly the same bytes.
    #expect(NPYFile.encode(fixtureValues, count: 2, dim: 3) == numpyV1)
    #expect(FVecsFile.encode(fixtureValues, count: 2, dim: 3) == authorsFVecs)
  }

  @Test(arguments: CodebookFileFormat.allCases)
  func rawRowsRoundTripBitExact(_ format: CodebookFileFormat) throws {
    let folder = try temporaryFolder()
    let path = folder + "/rows." + format.rawValue
    let write = format == .fvecs ? FVecsFile.write : NPYFile.write
    try write(awkwardValues, 2, 4, path)
    let back = try format == .fvecs ? FVecsFile.read(path) : NPYFile.read(path)
    #expect(back.count == 2 && back.dim == 4)
    #expect(back.values.map(\.bitPattern) == awkwardValues.map(\.bitPattern))
    // Atomic write: nothing but the file is left in the folder, and overwriting works.
    try write(fixtureValues, 3, 2, path)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["rows." + format.rawValue])
    #expect(try (format == .fvecs ? FVecsFile.read(path) : NPYFile.read(path)).values == fixtureValues)
  }

  @Test(arguments: CodebookFileFormat.allCases)
  func codebookRoundTrip(_ format: CodebookFileFormat) throws {
    let original = try Codebooks.make("gaussian:dim=8,k=32,seed=4")
    let path = try temporaryFolder() + "/c." + format.rawValue
    try original.write(toFile: path)
    let stored = try format == .fvecs ? FVecsFile.read(path) : NPYFile.read(path)
    #expect(stored.values.map(\.bitPattern) == original.vectors.map(\.bitPattern), "the file holds the codewords bit for bit")
    let back = try Codebook(contentsOfFile: path)
    #expect(back.dim == 8 && back.count == 32 && back.name == "file:path=\(path)")
    // Reading normalizes through Codebook.init, exactly as building from the same rows does.
    let renormalized = try Codebook(name: "x", dim: 8, count: 32, rows: original.vectors)
    #expect(back.vectors.map(\.bitPattern) == renormalized.vectors.map(\.bitPattern))
    for (a, b) in zip(back.vectors, original.vectors) { #expect(abs(a - b) <= b.ulp) }
    // The registered construction reads the same file and checks the shape it is asked for.
    #expect(try Codebooks.make("file:path=\(path),dim=8,k=32").vectors == back.vectors)
    let mismatch = #expect(throws: HSQError.self) { try Codebooks.make("file:path=\(path),dim=16") }
    #expect(mismatch?.description.contains("dim=8") == true)
  }

  @Test func formatFromExtensionOrParameter() throws {
    let folder = try temporaryFolder()
    let error = #expect(throws: HSQError.self) { try Codebook(contentsOfFile: folder + "/c.bin") }
    #expect(error?.description.contains("'.fvecs' or '.npy'") == true)
    try RawFile(numpyV1).write(to: folder + "/c.bin")
    #expect(try Codebooks.make("file:path=\(folder)/c.bin,format=npy").count == 2)
    #expect(try Codebook(contentsOfFile: folder + "/c.bin", format: .npy).dim == 3)
    let missing = #expect(throws: HSQError.self) { try Codebook(contentsOfFile: folder + "/none.fvecs") }
    #expect(missing?.description.contains(folder + "/none.fvecs") == true)
    let unwritable = #expect(throws: HSQError.self) {
      try Codebooks.make("cross-polytope:dim=2,k=4").write(toFile: folder + "/no/such/folder/c.npy")
    }
    #expect(unwritable?.description.contains(folder + "/no/such/folder/c.npy") == true)
  }
}

/// Writes raw bytes for the malformed-file tests (plain Foundation, not the code under test).
struct RawFile {
  let bytes: [UInt8]
  init(_ bytes: [UInt8]) { self.bytes = bytes }
  func write(to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
}
