import HSQ
import HSQShell

// One call registers the compressor; from here on it is a component like the built-ins:
// `describe linf-rounding`, `experiment … compressor=linf-rounding:levels=8`, `theory`.
try Compressors.register(LInfRounding.self)
HSQShellCommand.main()
