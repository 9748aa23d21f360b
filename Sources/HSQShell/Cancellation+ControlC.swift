import HSQCore
import HSQLineEditor

extension Cancellation.Signal {
  /// Ctrl-C: the SIGINT flag of ``Interrupt`` (install the handler first), lowered when a command starts.
  static let controlC = Cancellation.Signal(isRaised: { Interrupt.isRequested }, lower: { Interrupt.reset() })
}
