import Testing
import HSQCore
