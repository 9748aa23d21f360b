import HSQCore

/// The outcome of one check of the compressor contract: its name, how many cases it ran, and what failed.
public struct ContractCheckResult: Sendable, Hashable {
  /// What the check holds the compressor to, e.g. `round trip`.
  public let name: String
  /// How many individual expectations it evaluated.
  public let cases: Int
  /// One labelled message per failed expectation (input, length, what was seen and expected).
  public let failures: [String]
  /// Why the check had nothing to hold the component to (it ran no case), e.g. a biased compressor's unbiasedness;
  /// nil when it ran cases. Such a check neither passes nor fails anything: it is shown as "n/a", not "pass".
  public let notApplicable: String?

  public init(name: String, cases: Int, failures: [String], notApplicable: String? = nil) {
    self.name = name
    self.cases = cases
    self.failures = failures
    self.notApplicable = cases == 0 && failures.isEmpty ? notApplicable ?? "no case applies" : nil
  }

  /// No expectation failed (true also for a check that does not apply).
  public var passed: Bool { failures.isEmpty }

  /// Whether the check ran any case.
  public var applies: Bool { notApplicable == nil }

  /// `N cases` when it passed, why not when it does not apply, else the first failure and how many more there are.
  public var detail: String {
    if let notApplicable { return notApplicable }
    guard let first = failures.first else { return "\(cases) cases" }
    return failures.count == 1 ? first : "\(first) (+\(failures.count - 1) more)"
  }
}

/// Collects the expectations of one check; errors thrown by the compressor become failures, never escape.
struct CheckRecorder {
  let name: String
  private(set) var cases = 0
  private(set) var failures: [String] = []
  /// What the result says if no case ran (``ContractCheckResult/notApplicable``).
  var unlessChecked: String?

  init(_ name: String) { self.name = name }

  /// Counts one expectation; records `message` when it does not hold.
  mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
    cases += 1
    if !condition { failures.append(message()) }
  }

  /// Records a failure unconditionally.
  mutating func fail(_ message: String) {
    cases += 1
    failures.append(message)
  }

  /// Runs `body`; an error it throws is recorded under `label` instead of ending the check.
  mutating func attempt(_ label: String, _ body: (inout CheckRecorder) throws -> Void) {
    do {
      try body(&self)
    } catch {
      fail("\(label): threw \(ContractCheckResult.describe(error))")
    }
  }

  var result: ContractCheckResult { ContractCheckResult(name: name, cases: cases, failures: failures, notApplicable: unlessChecked) }
}

extension ContractCheckResult {
  /// An error as one line: hsq's own message, or the error's description.
  static func describe(_ error: any Error) -> String {
    "\(error)"
  }
}

extension CheckRecorder {
  /// The declaration every registered component owes: its `canonical` spelling (built from `spec`) builds a
  /// component with that same spelling, and its registry entry has a summary (the help's first line).
  mutating func expectDeclaration<Product>(_ spec: String, canonical: String, in table: ComponentTable<Product>, spelling: (Product) -> String) {
    attempt("rebuilding '\(canonical)'") { r in
      let again = spelling(try table.make(canonical))
      r.expect(again == canonical, "'\(canonical)' builds '\(again)'; spec must be the canonical spelling")
    }
    let name = String(spec.prefix { $0 != ":" })
    attempt("its declaration") { r in
      r.expect(!(try table.info(name)).summary.isEmpty, "'\(name)' has no summary; give its doc comment (or ComponentInfo) a first sentence")
    }
  }
}
