// Add-on sources for the load tests: one that works but throws from encode, and the broken kinds.

/// A compressor whose encode always throws: the command that encodes fails, the session goes on.
let throwingAddOn = #"""
import HSQ

struct Refusal: Error, CustomStringConvertible {
  var description: String { "thrower refuses to encode." }
}

public struct Thrower: CompressorComponent {
  public static let info = ComponentInfo(kind: .compressor, name: "thrower", summary: "Throws from encode.", doc: "A test add-on.")
  public init(_ parameters: ParameterValues) throws {}
  public var spec: String { "thrower" }
  public var properties: CompressorProperties { .init(isUnbiased: true, isFixedSize: true, isDeterministic: true) }
  public func guarantee(length d: Int) -> Guarantee { .unbiased(omega: 0) }
  public func bits(length d: Int) -> Int? { 32 * d }
  public var bitsFormula: String { "32·d" }
  public func encode(_ v: [Float], rng: inout RandomStream) throws -> Payload { throw Refusal() }
  public func decode(_ payload: Payload, length d: Int) throws -> [Float] { throw Refusal() }
}

@_cdecl("hsq_register")
public func hsqRegister() {
  AddOnRegistration.run { try Compressors.register(Thrower.self) }
}
"""#

/// `Thrower` under another name, so it can stand in for the broken variants below.
func renamedAddOn(_ name: String) -> String {
  throwingAddOn.replacingOccurrences(of: "name: \"thrower\"", with: "name: \"\(name)\"")
}

/// A type error on line 4.
let brokenAddOn = """
import HSQ

func half(_ x: Float) -> Float {
  return x / "2"
}
"""

/// Registration that throws its own error.
let failingRegistrationAddOn = #"""
import HSQ

struct NotToday: Error, CustomStringConvertible {
  var description: String { "the add-on declines to register." }
}

@_cdecl("hsq_register")
public func hsqRegister() {
  AddOnRegistration.run { throw NotToday() }
}
"""#

/// An add-on that registers one command, `name`, which answers `answer` and echoes its argument.
func commandAddOn(_ name: String, answer: String = "first") -> String {
  #"""
  import HSQ
  import HSQCommands

  enum Greetings: CommandSet {
    static let commands = [
      CommandSpec("NAME", group: "Loaded", abstract: "Greets in a loaded file's voice.",
                  arguments: [ArgumentSpec("who", "whom to greet")]) { session, args in
        CommandOutput(text: "ANSWER \(args.positional[0])", json: .object([("answer", .string("ANSWER")), ("who", .string(args.positional[0]))]))
      },
    ]
  }

  @_cdecl("hsq_register")
  public func hsqRegister() {
    AddOnRegistration.run { try Commands.register(Greetings.self) }
  }
  """#.replacingOccurrences(of: "NAME", with: name).replacingOccurrences(of: "ANSWER", with: answer)
}
