#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Makes the C character set UTF-8 (`LC_CTYPE`), which libedit needs to edit multi-byte text.
///
/// A Swift program starts in the "C" locale, where libedit would treat each
/// byte of "é" as a separate unprintable character. Takes `LC_CTYPE` from
/// the environment (`LC_ALL`, `LC_CTYPE`, `LANG`) and, when that is not UTF-8
/// either, falls back to `C.UTF-8`. Only the character type category
/// changes: number formatting and messages stay as they were.
func ensureUTF8CharacterSet() {
  if characterSetIsUTF8() { return }
  if setlocale(LC_CTYPE, "") != nil, characterSetIsUTF8() { return }
  _ = setlocale(LC_CTYPE, "C.UTF-8")
}

private func characterSetIsUTF8() -> Bool {
  guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
  let name = String(cString: codeset).uppercased()
  return name == "UTF-8" || name == "UTF8"
}
