import Testing
import HSQModels
