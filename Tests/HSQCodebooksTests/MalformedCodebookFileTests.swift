import Foundation
import HSQCodebooks
import HSQCore
import Testing

private func le32(_ v: Int32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
private func f32(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }

/// A version 1.0 `.npy` file with the given header text (padded as NumPy pads it) and data bytes.
private func npy(_ header: String, _ data: [UInt8] = f32([1.5, -2, 0.25, 3, 0, -0.125])) -> [UInt8] {
  var text = Array(header.utf8)
  text += [UInt8](repeating: 0x20, count: (64 - (11 + text.count) % 64) % 64) + [0x0A]
  return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text + data
}

private let goodHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"

/// (file name, bytes, phrases the message must contain).
private let malformed: [(String, [UInt8], [String])] = [
  ("empty.fvecs", [], ["empty"]),
  ("short-header.fvecs", [3, 0, 0], ["byte 0 (vector 0)", "truncated"]),
  ("negative.fvecs", le32(-1) + f32([1, 2, 3]), ["dimension header is -1", "positive"]),
  ("zero-dim.fvecs", le32(0) + f32([1, 2, 3]), ["dimension header is 0"]),
  ("inconsistent.fvecs", le32(3) + f32([1, 2, 3]) + le32(2) + f32([1, 2]), ["byte 16 (vector 1)", "vector 0 has 3"]),
  ("short-values.fvecs", le32(3) + f32([1, 2]), ["byte 0 (vector 0)", "announces 3 values but only 8 bytes follow"]),
  ("huge-dim.fvecs", le32(.max) + f32([1]), ["truncated"]),
  ("nan.fvecs", le32(3) + f32([1, .nan, 0]), ["byte 8 (vector 0, value 1)", "nan"]),
  ("inf.fvecs", le32(2) + f32([1, 2]) + le32(2) + f32([-.infinity, 0]), ["byte 16 (vector 1, value 0)", "-inf"]),
  ("zero-row.fvecs", le32(2) + f32([1, 2]) + le32(2) + f32([0, 0]), ["vector 1", "zero"]),
  ("magic.npy", [0x93] + Array("NUMPX".utf8) + npy(goodHeader).dropFirst(6), ["byte 0", "magic"]),
  ("version.npy", Array(npy(goodHeader).prefix(6)) + [4, 0] + npy(goodHeader).dropFirst(8), ["byte 6", "version 4.0"]),
  ("short-header.npy", Array(npy(goodHeader).prefix(60)), ["byte 10", "header length says 118 bytes but only 50 follow"]),
  ("float64.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"), ["'<f8'", "astype('<f4')"]),
  ("big-endian.npy", npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }"), ["'>f4'"]),
  ("fortran.npy", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"), ["Fortran", "ascontiguousarray"]),
  ("one-d.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }"), ["the shape is (6,)", "(K, D)"]),
  ("three-d.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3), }"), ["the shape is (1, 2, 3)"]),
  ("empty-shape.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", []), ["K, D ≥ 1"]),
  ("short-data.npy", Array(npy(goodHeader).dropLast(4)), ["byte 128 (data)", "needs 24 bytes", "but 20 follow", "truncated"]),
  ("long-data.npy", npy(goodHeader) + [0, 0, 0, 0], ["4 bytes too many"]),
  ("nan.npy", npy(goodHeader, f32([1.5, -2, 0.25, 3, 0, .nan])), ["byte 148 (row 1, column 2)", "nan"]),
  ("syntax.npy", npy("{'descr' '<f4', 'fortran_order': False, 'shape': (2, 3), }"), ["header byte 19", "':'"]),
  ("unknown-key.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}"), ["unexpected key 'extra'"]),
  ("missing-key.npy", npy("{'descr': '<f4', 'shape': (2, 3), }"), ["no 'fortran_order'"]),
  ("unclosed.npy", npy("{'descr': '<f4, 'fortran_order': False}"), ["header byte"]),
]

@Suite("Malformed codebook files")
struct MalformedCodebookFileTests {
  @Test(arguments: malformed.indices)
  func namesTheFileThePositionAndTheProblem(_ index: Int) throws {
    let (name, bytes, phrases) = malformed[index]
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-malformed-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent(name).path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: HSQError.self, "\(name) is refused") { try Codebook(contentsOfFile: path) }
    guard case let .fileFormat(errorPath, position, _)? = error else {
      Issue.record("\(name) gave \(String(describing: error)), not fileFormat")
      return
    }
    #expect(errorPath == path)
    #expect(position != nil, "\(name): the error gives a position")
    let message = error!.description
    #expect(message.contains("'\(path)'"), "\(message) names the file")
    for phrase in phrases { #expect(message.contains(phrase), "\(name): '\(message)' should contain '\(phrase)'") }
  }

  @Test func theWellFormedBaseFileReads() throws {
    // The mutations above start from this file, so it must itself be valid.
    #expect(try NPYFile.decode(npy(goodHeader), path: "good.npy").values == [1.5, -2, 0.25, 3, 0, -0.125])
  }
}
