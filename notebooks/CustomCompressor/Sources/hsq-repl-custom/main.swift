import HSQ
import HSQShell

// One call registers the compressor; from here on it is a component like the built-ins:
// `describe block-sign`, `experiment … compressor=block-sign:block=16`, `theory`. (Notebook 05
// loads the same file into a running hsq-repl instead, through its `hsq_register` entry point.)
try Compressors.register(BlockSign.self)
// Commands register the same way: `error-sweep` gets help, `??`, apropos, Tab completion and --json.
try Commands.register(ErrorSweepCommands.self)
HSQShellCommand.main()
