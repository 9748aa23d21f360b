"""Measures the hsq kernel with jupyter_client: start to kernel_info_reply, and a trivial execute's round trip.

Usage: python3 benchmark.py [STARTS] [EXECUTES]   (the kernelspec 'hsq' must be installed; see README)
Prints the median and the range of each, in milliseconds. A benchmark, not a test.
"""
import statistics
import sys
import time

from jupyter_client.manager import KernelManager


def main(starts=10, executes=200):
    start_times, round_trips = [], []
    for i in range(starts):
        km = KernelManager(kernel_name="hsq")
        try:
            began = time.perf_counter()
            km.start_kernel()
            kc = km.client()
            kc.start_channels()
            msg_id = kc.kernel_info()
            while True:
                reply = kc.get_shell_msg(timeout=30)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            start_times.append((time.perf_counter() - began) * 1000)
            if i == 0:
                kc.wait_for_ready(timeout=30)
                for _ in range(executes):
                    began = time.perf_counter()
                    reply = kc.execute_interactive("describe identity", timeout=30, output_hook=lambda msg: None)
                    round_trips.append((time.perf_counter() - began) * 1000)
                    assert reply["content"]["status"] == "ok", reply
            kc.stop_channels()
        finally:
            km.shutdown_kernel(now=False)
    for name, values in (("start to kernel_info_reply", start_times), ("execute round trip (describe identity)", round_trips)):
        print(f"{name}: median {statistics.median(values):.1f} ms, min {min(values):.1f}, max {max(values):.1f} ({len(values)} runs)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
