extension StringProtocol {
  /// The lines of a text file, without their terminators: every reader of scripts and notebooks splits with this.
  ///
  /// A line ends at `\n` or `\r\n` (files written on Windows), so a CRLF file reads exactly like
  /// its LF twin. Like `components(separatedBy: "\n")`, text ending in a terminator yields a
  /// final empty line, and empty text yields one empty line.
  public var textLines: [String] {
    unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      String(String.UnicodeScalarView(line.last == "\r" ? line.dropLast() : line[...]))
    }
  }
}
