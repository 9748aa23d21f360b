import Foundation

extension String {
  /// The string as a JSON string literal: in double quotes, with `"`, `\`, line breaks, tabs and the
  /// other control characters escaped (`\u001b`). The one JSON quoting of `--json` output and exports.
  public var jsonQuoted: String {
    var out = "\""
    for scalar in unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
