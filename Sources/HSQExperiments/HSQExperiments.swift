import HSQCore
