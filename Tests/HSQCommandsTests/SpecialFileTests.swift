import Foundation
import HSQCommands
import Testing
#if canImport(Glibc)
  import Glibc
#endif

/// Commands that write refuse a destination that exists and is not a regular file (a device, a FIFO),
/// leaving it as it was; the check lives in `AtomicFile.write`, which every writing command goes through.
@Suite struct SpecialFileTests {
  @Test func exportSaveRecordAndPlotRefuseDevicesAndFIFOs() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-special-\(UUID())").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try #require(mknod(dir + "/full.csv", S_IFCHR | 0o666, (1 << 8) | 7) == 0, "mknod needs root: \(String(cString: strerror(errno)))")
    try #require(mknod(dir + "/null.safetensors", S_IFCHR | 0o666, (1 << 8) | 3) == 0)
    try #require(mkfifo(dir + "/fifo.csv", 0o666) == 0)
    try #require(mkfifo(dir + "/fifo.hsq", 0o666) == 0)
    try #require(mkfifo(dir + "/fifo.svg", 0o666) == 0)
    let s = Session()
    s.workingDirectory = dir
    #expect(!s.execute("experiment e dataset=linear:d=4,n=64 model=least-squares workers=2 batch=8").isError)
    #expect(!s.execute("step 2").isError)
    for (line, file, kind) in [("export full.csv", "full.csv", "a character device"), ("save null.safetensors", "null.safetensors", "a character device"),
                               ("export fifo.csv", "fifo.csv", "a FIFO"), ("record fifo.hsq", "fifo.hsq", "a FIFO"),
                               ("plot loss --svg fifo.svg", "fifo.svg", "a FIFO")] {
      let error = s.execute(line).error ?? ""
      #expect(error == "Cannot write '\(dir)/\(file)': it is \(kind), not a regular file; choose another file name.", "\(line): \(error)")
    }
    var info = stat()
    #expect(stat(dir + "/full.csv", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    #expect(stat(dir + "/null.safetensors", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    #expect(stat(dir + "/fifo.csv", &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["fifo.csv", "fifo.hsq", "fifo.svg", "full.csv", "null.safetensors"])
    #expect(!s.execute("step").isError, "the session goes on")
  }

  /// Commands that read give one clear error for what is not a file they can read, and the session goes on:
  /// `load` of a FIFO waited forever for a writer, `load /proc/self/mem` printed Foundation's error domain
  /// and code, `replay /dev/zero` said "no such file".
  @Test func loadAndReplayRefuseWhatTheyCannotRead() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hsq-special-read-\(UUID())").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try #require(mkfifo(dir + "/fifo.safetensors", 0o666) == 0)
    let s = Session()
    s.workingDirectory = dir
    #expect(!s.execute("experiment e dataset=linear:d=4,n=64 model=least-squares workers=2 batch=8").isError)
    #expect(!s.execute("memory 64MB").isError)
    let cases = [
      ("load fifo.safetensors", "Cannot read '\(dir)/fifo.safetensors': it is a FIFO, not a regular file; give the path of a file written by 'save'."),
      ("load /dev/zero", "Cannot read '/dev/zero': it is a character device, not a regular file; give the path of a file written by 'save'."),
      ("load /proc/self/mem", "Cannot read '/proc/self/mem': it cannot be read (Invalid argument); check the file."),
      ("replay missing.hsq", "Cannot read 'missing.hsq': no such file; check the path."),
    ]
    for (line, message) in cases {
      let error = s.execute(line).error ?? ""
      #expect(error == message, "\(line): \(error)")
    }
    #expect(s.execute("replay /dev/zero").error == "Cannot read '/dev/zero': it is a character device, not a regular file or a pipe; give the path of a file.")
    #expect(s.execute("experiment d dataset=csv:path=/dev/zero model=least-squares").error?.contains("it is a character device, not a regular file or a pipe") == true)
    #expect(!s.execute("step").isError, "the session goes on")
  }
}
