import Testing
import HSQExperiments
