import Testing
import HSQDatasets
