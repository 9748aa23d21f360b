import HSQShell

HSQShellCommand.main()
