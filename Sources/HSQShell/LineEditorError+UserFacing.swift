import HSQCore
import HSQLineEditor

/// The line editor's error reads like every other message the shell shows (HSQLineEditor itself
/// depends on nothing of hsq's, so the conformance is declared here, where the two meet).
extension LineEditorError: UserFacingError {}
