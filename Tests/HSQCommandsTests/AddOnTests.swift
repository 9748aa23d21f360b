import Foundation
@testable import HSQCommands
import HSQTestSupport
import Testing

/// Custom compressors end to end: scaffold one with hsq-new-compressor, load it into a running
/// hsq-repl, train with it, check it, edit and reload it; and broken add-ons fail one command only.
@Suite("Compressor add-ons in a running hsq-repl", .serialized)
struct AddOnTests {
  static let hasBinaries = ["hsq-repl", "hsq-new-compressor"].allSatisfy {
    FileManager.default.isExecutableFile(atPath: ReplDriver.products.appendingPathComponent($0).path)
  }

  /// Runs the built `hsq-new-compressor` with `arguments` in `directory`.
  static func scaffold(_ arguments: [String], in directory: URL) throws -> Int32 {
    let binary = ReplDriver.products.appendingPathComponent("hsq-new-compressor").path
    return try Subprocess.run(binary, arguments, directory: directory.path, timeout: 120).0
  }

  @Test("scaffold, load, 20 steps, check, edit, reload, rebind", .requires("hsq-repl and hsq-new-compressor built beside the tests", hasBinaries))
  func scaffoldLoadCheckReload() throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    #expect(try Self.scaffold(["MyQuant", "--output", "MyQuant"], in: scratch.url) == 0)
    let source = scratch.url.appendingPathComponent("MyQuant/MyQuant.swift")
    #expect(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("MyQuant/Tests/MyQuantContractTests.swift").path))
    let repl = try ReplDriver(directory: scratch.url)

    let load = try repl.send("load MyQuant/MyQuant.swift")
    try #require(load.ok, "\(load.error) \(repl.errors)")
    #expect(load.result["components"] as? [String] == ["my-quant"])

    #expect(try repl.send("experiment e1 compressor=my-quant dataset=gaussian-mixture workers=2").ok)
    let run = try repl.send("run --steps 20")
    #expect(run.ok && run.result["step"] as? Int == 20, "\(run.result)")

    let check = try repl.send("check my-quant")
    #expect(check.ok && check.result["passed"] as? Bool == true, "\(check.result)")
    #expect((check.result["checks"] as? [Any])?.count == 8)
    #expect(try repl.send("describe my-quant --d 1000").result["bits"] as? Int == 32 + 1000 * 4)

    // Edit: 8 levels instead of 4, so one more bit per coordinate.
    let text = try String(contentsOf: source, encoding: .utf8)
    try #require(text.contains("default: 4,"))
    try text.replacingOccurrences(of: "default: 4,", with: "default: 8,").write(to: source, atomically: true, encoding: .utf8)
    let reload = try repl.send("reload")
    #expect(reload.ok, "\(reload.error)")
    #expect(reload.results.first?["stale_experiments"] as? [String] == ["e1"], "\(reload.results)")
    #expect(try repl.send("describe my-quant --d 1000").result["bits"] as? Int == 32 + 1000 * 5)

    let rebind = try repl.send("rebind e1")
    #expect(rebind.ok && rebind.result["compressor"] as? String == "my-quant:levels=8", "\(rebind.result) \(rebind.error)")
    #expect(try repl.send("step").ok)
    #expect(try repl.send("check my-quant --draws 500").result["passed"] as? Bool == true)
    let end = try repl.finish()
    #expect(end.exitStatus == 0, "\(repl.errors)")
  }

  /// An --output that is a file (here /dev/null) printed Foundation's 'NSCocoaErrorDomain Code=516'.
  @Test(.requires("hsq-repl and hsq-new-compressor built beside the tests", hasBinaries))
  func scaffoldingIntoAFileNamesTheProblem() throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let binary = ReplDriver.products.appendingPathComponent("hsq-new-compressor").path
    let (status, output) = try Subprocess.run(binary, ["Quant", "--output", "/dev/null"], directory: scratch.url.path, timeout: 120)
    #expect(status != 0)
    #expect(output.contains("'/dev/null' is not a folder; give --output and --tests folders") && !output.contains("NSCocoaErrorDomain"), "\(output)")
  }

  @Test("compile errors, a throwing encode, duplicate names and a throwing registration fail one command each",
        .requires("hsq-repl and hsq-new-compressor built beside the tests", hasBinaries))
  func brokenAddOnsLeaveTheSessionAlive() throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let repl = try ReplDriver(directory: scratch.url)

    try scratch.write("Broken.swift", brokenAddOn)
    let broken = try repl.send("load Broken.swift")
    #expect(!broken.ok)
    #expect(broken.error.contains("does not compile: Broken.swift:4:") && broken.error.contains("error:"), "\(broken.error)")

    try scratch.write("Thrower.swift", throwingAddOn)
    let thrower = try repl.send("load Thrower.swift")
    try #require(thrower.ok, "\(thrower.error)")
    #expect(try repl.send("experiment e1 compressor=thrower dataset=gaussian-mixture workers=2").ok)
    let step = try repl.send("step")
    #expect(!step.ok && step.error.contains("thrower refuses to encode"), "\(step.error)")
    let check = try repl.send("check thrower --draws 20")
    #expect(!check.ok && check.result["passed"] as? Bool == false, "\(check.result)")

    try scratch.write("Dup.swift", renamedAddOn("terngrad"))
    let builtin = try repl.send("load Dup.swift")
    #expect(!builtin.ok && builtin.error.contains("'terngrad', a name already taken by a built-in compressor"), "\(builtin.error)")
    try scratch.write("Taken.swift", renamedAddOn("thrower"))
    let taken = try repl.send("load Taken.swift")
    #expect(!taken.ok && taken.error.contains("already taken by 'Thrower.swift'"), "\(taken.error)")

    try scratch.write("Failing.swift", failingRegistrationAddOn)
    let failing = try repl.send("load Failing.swift")
    #expect(!failing.ok && failing.error.contains("the add-on declines to register"), "\(failing.error)")

    for answer in [broken, step, check, builtin, taken, failing] {
      #expect(!answer.error.isEmpty && !answer.error.contains("\n"), "not one line: \(answer.error)")
    }

    // Still alive, and the refused loads changed nothing.
    #expect(try repl.send("describe terngrad").ok)
    #expect(try repl.send("describe thrower").result["spec"] as? String == "thrower")
    #expect(try repl.send("reload Thrower.swift").ok)
    let end = try repl.finish()
    #expect(end.exitStatus == 1, "\(repl.errors)")
    #expect(repl.errors.contains("<stdin>:1: 'Broken.swift' does not compile"), "\(repl.errors)")
  }

  @Test("a loaded file's command works like a built-in: help, apropos, JSON, reload; a built-in's name is refused",
        .requires("hsq-repl and hsq-new-compressor built beside the tests", hasBinaries))
  func loadedCommands() throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let repl = try ReplDriver(directory: scratch.url)

    try scratch.write("Greet.swift", commandAddOn("greet"))
    let load = try repl.send("load Greet.swift")
    try #require(load.ok, "\(load.error) \(repl.errors)")
    #expect(load.result["components"] as? [String] == ["greet"])
    let greet = try repl.send("greet world")
    #expect(greet.ok && greet.result["answer"] as? String == "first" && greet.result["who"] as? String == "world", "\(greet.result)")
    #expect(try repl.send("greet").error.contains("'greet' needs <who>"))
    #expect(try repl.send("apropos voice").strings == ["command greet"])
    #expect(try repl.send("help").strings.last == "greet")
    let help = try repl.send("help greet")
    #expect(help.ok && help.result["usage"] as? String == "greet <who>", "\(help.result)")

    // Reload replaces the command with the edited code; a built-in's name is refused, naming it.
    try scratch.write("Greet.swift", commandAddOn("greet", answer: "second"))
    #expect(try repl.send("reload Greet.swift").ok)
    #expect(try repl.send("greet you").result["answer"] as? String == "second")
    try scratch.write("Step.swift", commandAddOn("step"))
    let clash = try repl.send("load Step.swift")
    #expect(!clash.ok && clash.error == "'Step.swift' registers command 'step', a name already taken by a built-in command; give it another name in its CommandSpec and load again.", "\(clash.error)")
    #expect(try repl.send("greet again").ok)
    let end = try repl.finish()
    // Two commands failed on purpose ('greet' without <who>, the clash): --keep-going exits 1.
    #expect(end.exitStatus == 1, "\(repl.errors)")
  }

  @Test("a directory of Swift files and a package load as one add-on", .requires("hsq-repl and hsq-new-compressor built beside the tests", hasBinaries))
  func directoryAndPackage() throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let files = FileManager.default
    try files.createDirectory(at: scratch.url.appendingPathComponent("Dir"), withIntermediateDirectories: true)
    try scratch.write("Dir/Plain.swift", renamedAddOn("plain"))
    try files.createDirectory(at: scratch.url.appendingPathComponent("Pack/Sources/Packed"), withIntermediateDirectories: true)
    try scratch.write("Pack/Package.swift", "// swift-tools-version: 6.1\nimport PackageDescription\n")
    try scratch.write("Pack/Sources/Packed/Packed.swift", renamedAddOn("packed"))
    let repl = try ReplDriver(directory: scratch.url)
    let directory = try repl.send("load Dir")
    #expect(directory.ok && directory.result["components"] as? [String] == ["plain"], "\(directory.error)")
    let package = try repl.send("load Pack")
    #expect(package.ok && package.result["components"] as? [String] == ["packed"], "\(package.error)")
    let again = try repl.send("load Dir/Plain.swift")
    #expect(!again.ok && again.error.contains("already taken by 'Dir'"), "\(again.error)")
    #expect(try repl.finish().exitStatus != nil)
  }

  @Test("the generated contract test compiles with the compressor, and its checks pass when run",
        .requires("hsq-repl and hsq-new-compressor built beside the tests", hasBinaries))
  func generatedContractTestBuilds() throws {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    #expect(try Self.scaffold(["FancyQuant", "--output", "Fancy"], in: scratch.url) == 0)
    let sources = ["Fancy/FancyQuant.swift", "Fancy/Tests/FancyQuantContractTests.swift"].map { scratch.url.appendingPathComponent($0).path }
    let toolchain = try AddOnToolchain.current()
    let arguments = toolchain.arguments(sources: sources, module: "FancyQuantCheck", output: scratch.url.appendingPathComponent("libFancyQuantCheck.so").path)
    let (status, output) = try Subprocess.run(toolchain.swiftc, arguments, timeout: 600)
    #expect(status == 0, "\(output)")
    let test = try String(contentsOfFile: sources[1], encoding: .utf8)
    #expect(test.contains(#"arguments: ["fancy-quant", "fancy-quant:levels=1""#))
    #expect(try String(contentsOfFile: sources[0], encoding: .utf8).contains(#"name: "fancy-quant""#))

    // Run it: each spec the test lists through `CompressorContract.check(spec)` with the default
    // options, which is what `check` runs in hsq-repl with its default 2000 draws, on the compressor
    // compiled from the same file.
    try #require(test.contains("for result in try CompressorContract.check(spec) {"), "the generated test changed: \(test)")
    let specs = try #require(Self.testArguments(test), "no arguments list in \(test)")
    #expect(specs.count == 3)
    let repl = try ReplDriver(directory: scratch.url)
    try #require(try repl.send("load Fancy/FancyQuant.swift").ok, "\(repl.errors)")
    for spec in specs {
      let check = try repl.send("check \(spec)")
      #expect(check.ok && check.result["passed"] as? Bool == true, "\(spec): \(check.result) \(check.error)")
      #expect((check.result["checks"] as? [Any])?.count == 8, "\(spec): \(check.result)")
    }
    #expect(try repl.finish().exitStatus != nil)
  }

  /// The specs in the generated test's `@Test(…, arguments: ["a", "b"])`.
  static func testArguments(_ test: String) -> [String]? {
    guard let start = test.range(of: "arguments: ["), let end = test[start.upperBound...].firstIndex(of: "]") else { return nil }
    return test[start.upperBound..<end].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
  }
}
