import CZlib
import Foundation

/// A decoded PNG: 8-bit RGB or RGBA, not interlaced (what `rsvg-convert` writes), as RGBA pixels.
struct PNGImage {
  struct Malformed: Error, CustomStringConvertible {
    let description: String
  }

  let width: Int
  let height: Int
  /// Row-major RGBA, 4 bytes a pixel.
  let rgba: [UInt8]

  /// The pixel at (`x`, `y`) as (r, g, b, a).
  func pixel(_ x: Int, _ y: Int) -> (r: Int, g: Int, b: Int, a: Int) {
    let i = 4 * (y * width + x)
    return (Int(rgba[i]), Int(rgba[i + 1]), Int(rgba[i + 2]), Int(rgba[i + 3]))
  }

  /// Decodes `bytes` (PNG signature, IHDR, IDAT chunks inflated with zlib, scanline filters undone).
  init(_ bytes: [UInt8]) throws {
    guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw Malformed(description: "no PNG signature") }
    func u32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
    var offset = 8, idat: [UInt8] = []
    var header: (width: Int, height: Int, depth: UInt8, colour: UInt8, interlace: UInt8)?
    while offset + 12 <= bytes.count {
      let length = u32(offset), type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
      guard offset + 12 + length <= bytes.count else { throw Malformed(description: "chunk \(type) runs past the end") }
      let body = offset + 8
      if type == "IHDR" { header = (u32(body), u32(body + 4), bytes[body + 8], bytes[body + 9], bytes[body + 12]) }
      if type == "IDAT" { idat += bytes[body..<body + length] }
      offset += 12 + length
    }
    guard let header, header.depth == 8, header.colour == 6 || header.colour == 2, header.interlace == 0 else {
      throw Malformed(description: "not an 8-bit RGB(A), non-interlaced PNG")
    }
    let channels = header.colour == 6 ? 4 : 3, stride = header.width * channels
    var raw = [UInt8](repeating: 0, count: header.height * (stride + 1))
    var size = uLongf(raw.count)
    let status = raw.withUnsafeMutableBufferPointer { out in
      idat.withUnsafeBufferPointer { uncompress(out.baseAddress, &size, $0.baseAddress, uLong($0.count)) }
    }
    guard status == Z_OK, Int(size) == raw.count else { throw Malformed(description: "IDAT does not inflate (zlib status \(status))") }
    var pixels = [UInt8](repeating: 0, count: header.height * stride)
    for row in 0..<header.height {
      let filter = raw[row * (stride + 1)], line = row * (stride + 1) + 1, out = row * stride
      for i in 0..<stride {
        let a = i >= channels ? Int(pixels[out + i - channels]) : 0
        let b = row > 0 ? Int(pixels[out - stride + i]) : 0
        let c = row > 0 && i >= channels ? Int(pixels[out - stride + i - channels]) : 0
        let predictor: Int
        switch filter {
        case 0: predictor = 0
        case 1: predictor = a
        case 2: predictor = b
        case 3: predictor = (a + b) / 2
        case 4:
          let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
          predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
        default: throw Malformed(description: "unknown filter \(filter) in row \(row)")
        }
        pixels[out + i] = UInt8((Int(raw[line + i]) + predictor) & 0xFF)
      }
    }
    width = header.width
    height = header.height
    if channels == 4 {
      rgba = pixels
    } else {
      var out = [UInt8](repeating: 255, count: 4 * header.width * header.height)
      for p in 0..<header.width * header.height {
        for c in 0..<3 { out[4 * p + c] = pixels[3 * p + c] }
      }
      rgba = out
    }
  }
}
