import Testing
import HSQCompressors
