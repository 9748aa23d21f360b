import Testing
import HSQCodebooks
