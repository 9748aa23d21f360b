"""Drives the hsq kernel through jupyter_client and checks every message type it answers.

Run by KernelProtocolTests (Swift) with JUPYTER_DATA_DIR pointing at a temporary kernelspec.
Prints one line per check; exits 1 at the first failed check. The last line is `PIDS <pid> ...`:
every kernel process started, for the caller to check that none survives.
"""
import os
import queue
import re
import sys
import time

from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

pids = []


def check(condition, what):
    if not condition:
        print("FAIL", what, flush=True)
        raise SystemExit(1)
    print("ok  ", what, flush=True)


def collect(kc, msg_id, timeout=30):
    """iopub messages caused by msg_id, up to and including its status: idle."""
    messages = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.01, deadline - time.time()))
        except queue.Empty:
            break
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages
    raise AssertionError(f"no status: idle for {msg_id} within {timeout} s; got {[m['msg_type'] for m in messages]}")


def execute(kc, code, timeout=60):
    msg_id = kc.execute(code)
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    return reply["content"], collect(kc, msg_id, timeout)


def types(messages):
    return [m["msg_type"] for m in messages]


def text_of(messages):
    return "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")


def request(kc, channel, msg_type, content):
    msg = kc.session.msg(msg_type, content)
    channel.send(msg)
    reply = channel.get_msg(timeout=10)
    check(reply["parent_header"]["msg_id"] == msg["header"]["msg_id"], f"{msg_type}: the reply answers the request")
    statuses = [m["content"]["execution_state"] for m in collect(kc, msg["header"]["msg_id"]) if m["msg_type"] == "status"]
    check(statuses == ["busy", "idle"], f"{msg_type}: wrapped in busy/idle on iopub (got {statuses})")
    return reply


def main():
    km = KernelManager(kernel_name="hsq")
    try:
        km.start_kernel(cwd=os.getcwd())
        pids.append(km.provisioner.process.pid)
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=30)

        info = request(kc, kc.shell_channel, "kernel_info_request", {})
        content = info["content"]
        check(content["status"] == "ok" and content["protocol_version"] >= "5.3", "kernel_info: status ok, protocol 5.3")
        check(content["language_info"]["name"] == "hsq" and content["language_info"]["pygments_lexer"] == "bash", "kernel_info: language_info hsq, lexer bash")
        check(request(kc, kc.control_channel, "kernel_info_request", {})["content"]["implementation"] == "hsq", "kernel_info on control")

        reply, messages = execute(kc, "experiment e1 dataset=gaussian-mixture workers=2 compressor=hsq\nstep 3")
        check(reply["status"] == "ok" and reply["execution_count"] == 1, "execute: ok, execution_count 1")
        check(types(messages)[:2] == ["status", "execute_input"] and messages[1]["content"]["execution_count"] == 1, "execute: busy, execute_input")
        check("step 3" in text_of(messages), "execute: stream output holds the REPL's text")

        reply, messages = execute(kc, "frobnicate")
        check(reply["status"] == "error" and reply["execution_count"] == 2, "execute error: status error, execution_count 2")
        errors = [m["content"] for m in messages if m["msg_type"] == "error"]
        check(len(errors) == 1 and "frobnicate" in errors[0]["evalue"] and errors[0]["traceback"][0].startswith("error: "), "execute error: the REPL's message")

        reply, messages = execute(kc, "show")
        check(reply["status"] == "ok" and reply["execution_count"] == 3, f"the session survives an error: the experiment is still there ({reply})")
        results = [m["content"] for m in messages if m["msg_type"] == "execute_result"]
        check(len(results) == 1 and "<table>" in results[0]["data"]["text/html"] and "step 3" in results[0]["data"]["text/plain"], "tables: execute_result with text/plain and text/html")
        check(results[0]["execution_count"] == 3, "execute_result carries the execution count")

        reply, messages = execute(kc, "plot loss --svg loss.svg")
        displays = [m["content"] for m in messages if m["msg_type"] == "display_data"]
        check(reply["status"] == "ok" and len(displays) == 1 and "<svg" in displays[0]["data"]["image/svg+xml"]
              and "loss.svg" in displays[0]["data"]["text/plain"], "plots: image/svg+xml with the text plot as text/plain")

        reply, messages = execute(kc, "experiment e2 dataset=gaussian-mixture workers=2 compressor=hsq\nrun --steps 1000")
        check(reply["status"] == "ok", "a long run finishes")
        progress = [m for m in messages if m["msg_type"] in ("display_data", "update_display_data") and m["content"]["metadata"].get("hsq", {}).get("progress")]
        ids = {m["content"]["transient"]["display_id"] for m in progress}
        check(len(progress) >= 2 and types(progress)[0] == "display_data" and set(types(progress)[1:]) == {"update_display_data"} and len(ids) == 1,
              f"progress: one display, then updates ({len(progress)} messages)")
        check(all(re.search(r"step \d+ .*epoch .*loss .*up .*ETA ", m["content"]["data"]["text/plain"]) for m in progress[:-1]), "progress: step, epoch, loss, bits, ETA")
        check("ETA" not in progress[-1]["content"]["data"]["text/plain"], "progress: the finished run's display keeps its last step, without an ETA")
        check(len([m for m in messages if m["msg_type"] == "stream"]) == 1, "progress: not thousands of lines")

        code = "help e\u0301\nexp"
        reply = request(kc, kc.shell_channel, "complete_request", {"code": code, "cursor_pos": len(code)})["content"]
        check(reply["status"] == "ok" and "experiment" in reply["matches"] and reply["cursor_start"] == len(code) - 3 and reply["cursor_end"] == len(code),
              "complete: the REPL's candidates, cursor in code points")
        code = "experiment e3 compressor=e1 dataset=gaussian-mixture workers=2"
        reply = request(kc, kc.shell_channel, "complete_request", {"code": code[:26], "cursor_pos": 26})["content"]
        check("e1" in reply["matches"] or any(m.startswith("compressor=") for m in reply["matches"]), "complete: settings and variables")

        code = "experiment e3 compressor=hsq workers=2"
        reply = request(kc, kc.shell_channel, "inspect_request", {"code": code, "cursor_pos": code.index("hsq") + 1, "detail_level": 1})["content"]
        check(reply["status"] == "ok" and reply["found"] and "hsq" in reply["data"]["text/plain"], "inspect: the ?? help of the word at the cursor")
        reply = request(kc, kc.shell_channel, "inspect_request", {"code": "zzzz", "cursor_pos": 2, "detail_level": 0})["content"]
        check(reply["status"] == "ok" and not reply["found"], "inspect: an unknown word is not found")

        check(request(kc, kc.shell_channel, "is_complete_request", {"code": 'describe "hsq'})["content"]["status"] == "incomplete", "is_complete: an open quote is incomplete")
        check(request(kc, kc.shell_channel, "is_complete_request", {"code": "describe hsq"})["content"]["status"] == "complete", "is_complete: a command is complete")
        check(request(kc, kc.shell_channel, "comm_info_request", {})["content"]["comms"] == {}, "comm_info: no comms")
        history = request(kc, kc.shell_channel, "history_request", {"hist_access_type": "tail", "n": 2, "output": False, "raw": True})["content"]["history"]
        check([h[1:] for h in history] == [[4, "plot loss --svg loss.svg"], [5, "experiment e2 dataset=gaussian-mixture workers=2 compressor=hsq\nrun --steps 1000"]], "history: the last cells")

        # A message signed with another key is dropped: no reply, no status, no effect.
        forged = Session(key=b"not-the-key", session=kc.session.session, username="intruder")
        msg = forged.msg("execute_request", {"code": "experiment intruder dataset=gaussian-mixture", "silent": False, "store_history": True,
                                             "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        forged.send(kc.shell_channel.socket, msg)
        try:
            kc.get_shell_msg(timeout=1.5)
            check(False, "bad signature: no reply")
        except queue.Empty:
            check(True, "bad signature: no reply")
        reply, messages = execute(kc, "list variables")
        listed = str([m["content"] for m in messages])
        check(reply["status"] == "ok" and "e1" in listed and "intruder" not in listed and reply["execution_count"] == 6, "bad signature: the message had no effect")

        # Interrupt a run that would take hours: idle within 2 s, the experiment consistent.
        msg_id = kc.execute("run --steps 100000000\nstep")
        shown = False
        deadline = time.time() + 30
        while not shown and time.time() < deadline:
            msg = kc.get_iopub_msg(timeout=30)
            shown = msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "display_data" and msg["content"]["metadata"].get("hsq", {}).get("progress")
        check(shown, "interrupt: the run is under way (its progress display appeared)")
        started = time.time()
        km.interrupt_kernel()
        messages = collect(kc, msg_id, timeout=10)
        elapsed = time.time() - started
        check(elapsed < 2, f"interrupt: idle {elapsed:.3f} s after interrupt_request")
        reply = kc.get_shell_msg(timeout=5)["content"]
        check(reply["status"] == "error" and reply["ename"] == "Interrupted", "interrupt: the cell ends as interrupted; its next line did not run")
        found = re.search(r"consistent at step (\d+)", text_of(messages))
        check(found is not None, "interrupt: the run says where it stopped")
        reply, messages = execute(kc, "step")
        check(f"step {int(found.group(1)) + 1} " in text_of(messages), "interrupt: the experiment goes on from the step it stopped at")

        # stop_on_error: a cell queued behind a failing one is aborted, not run.
        failed = kc.execute("step 200\nfrobnicate")
        queued = kc.execute("experiment queued dataset=gaussian-mixture workers=2")
        replies = {}
        while len(replies) < 2:
            msg = kc.get_shell_msg(timeout=30)
            replies[msg["parent_header"]["msg_id"]] = msg["content"]
        collect(kc, queued)
        check(replies[failed]["status"] == "error" and replies[queued]["status"] == "aborted", "stop_on_error: the cell queued behind a failed one is aborted")
        reply, messages = execute(kc, "list variables")
        check("queued" not in str([m["content"] for m in messages]), "stop_on_error: the aborted cell did not run")

        # Restart: a new process, a new session.
        km.restart_kernel(now=False)
        pids.append(km.provisioner.process.pid)
        kc.wait_for_ready(timeout=30)
        reply, messages = execute(kc, "list variables")
        check(reply["status"] == "ok" and reply["execution_count"] == 1 and "No variables yet" in text_of(messages), f"restart: a fresh session ({reply}, {text_of(messages)!r})")
        kc.stop_channels()
        process = km.provisioner.process
        km.shutdown_kernel(now=False)
        check(not km.is_alive() and process.returncode == 0, f"shutdown: the kernel process left by itself (status {process.returncode})")
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        print("PIDS", *pids, flush=True)


if __name__ == "__main__":
    main()
