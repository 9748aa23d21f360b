import HSQ
print("hsq-bench")
