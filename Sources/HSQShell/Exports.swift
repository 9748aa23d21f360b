/// A package that starts the shell declares its own commands with the same types the built-ins use
/// (`CommandSet`, `CommandSpec`, `CommandOutput`, `Commands.register`), so `import HSQShell` brings them.
@_exported import HSQCommands
