#!/usr/bin/env bash
# End-to-end check of the interactive hsq-repl in a real terminal, under tmux.
#
# Usage:  Tests/tmux/repl.sh PATH-TO-hsq-repl
#   Runs the REPL in a private tmux server with HOME set to a fresh directory and checks, with
#   send-keys and capture-pane: the prompt, context-aware Tab completion, history recall, Ctrl-C
#   at the prompt, Ctrl-C during a long run (stops between steps, the experiment stays usable), during
#   k-means training, during a replay (stops at its line; later commands work) and during a sweep (its
#   progress is one line rewritten in place), and Ctrl-D leaving with the history saved (mode 600). Exits non-zero on the first failure.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=line_editor.sh
source "$here/line_editor.sh"
SOCKET="hsq-repl-$$"
PROMPT="hsq> "
TIMEOUT=${HSQ_TMUX_TIMEOUT:-30}

[[ $# -eq 1 && -x "$1" ]] || { echo "usage: $0 PATH-TO-hsq-repl" >&2; exit 2; }
WORKDIR=$(mktemp -d /tmp/hsq-repl-e2e.XXXXXX)
mkdir -p "$WORKDIR/home"
trap cleanup EXIT
cp "$1" "$WORKDIR/hsq-repl"

tmux_start "$WORKDIR/hsq-repl"
wait_for_text "Type 'tour' for a guided first experiment"
pass "the banner and the prompt '$PROMPT' appear"

type_text "ste"; send_keys Tab
wait_for_cursor_line "${PROMPT}step"
send_keys C-u
type_text "help hsq-un"; send_keys Tab
wait_for_cursor_line "${PROMPT}help hsq-unbiased"
send_keys C-u
type_text "describe hsq:dim=4,no"; send_keys Tab
wait_for_cursor_line "${PROMPT}describe hsq:dim=4,norm-bits="
send_keys C-u
pass "Tab completes commands, components and parameter names"

type_text "experiment e dataset=linear:d=8,n=256 model=least-squares workers=2 compressor=hsq:dim=4,k=16,codebook=gaussian"
send_keys Enter
PROMPT="hsq[e]> "
wait_for_text "uplink: hsq:dim=4,k=16"
wait_for_prompt
type_text "set compressor qs"; send_keys Tab
wait_for_cursor_line "${PROMPT}set compressor qsgd"
send_keys C-u
pass "an experiment is created and 'set' completes compressor names"

send_keys Up
wait_for_cursor_line "${PROMPT}experiment e dataset=linear:d=8,n=256 model=least-squares workers=2 compressor=hsq:dim=4,k=16,codebook=gaussian"
send_keys C-u
pass "Up recalls the previous line"

type_text "this line is abandoned"; send_keys C-c
wait_for_prompt
expect_no_text "Unknown command 'this'"
pass "Ctrl-C at the prompt clears the line"

# A Ctrl-C that lands while the editor is still drawing the keys before it (the terminal drops the
# rest) once left the prompt waiting for another key: type and interrupt at once, many times.
long_line=$(printf 'abandoned %.0s' $(seq 1 40))
for i in $(seq 1 20); do
  type_text "$long_line $i"; send_keys C-c
  TIMEOUT=5 wait_for_prompt
done
pass "Ctrl-C right after typing always gives a fresh prompt (20 times)"

type_text "run --steps 100000000"; send_keys Enter
wait_for_regex "^step [0-9]+ "
send_keys C-c
wait_for_text "Interrupted after"
wait_for_prompt
type_text "step 2"; send_keys Enter
wait_for_regex "^step [0-9]+ .*total"
wait_for_prompt
pass "Ctrl-C stops a run between steps and the experiment goes on"

# Issue 11: a command that would run for minutes stops within a couple of seconds of Ctrl-C.
type_text "codebook kmeans:dim=2,k=65536 --samples 100"; send_keys Enter
sleep 1
send_keys C-c
TIMEOUT=3 wait_for_text "error: Interrupted."
wait_for_prompt
pass "Ctrl-C stops k-means training with K = 65536 within seconds"

printf 'run --steps 100000000\nsave %s/after.json\n' "$WORKDIR" > "$WORKDIR/long.hsq"
type_text "replay $WORKDIR/long.hsq"; send_keys Enter
sleep 1
send_keys C-c
TIMEOUT=3 wait_for_text "Interrupted at $WORKDIR/long.hsq:1"
wait_for_prompt
[[ ! -e "$WORKDIR/after.json" ]] || fail "the replay went on after Ctrl-C"
type_text "step 3"; send_keys Enter
wait_for_regex "^step [0-9]+ .*total"
wait_for_prompt
pass "Ctrl-C stops a replay at its line, and the next 'step' steps"

# Issue 14: a sweep reports on one line, rewritten in place (not a line every half second), and Ctrl-C
# stops every run and keeps the sweep's name for the runs that finished.
type_text "sweep sw dataset=linear:d=8,n=256 model=least-squares workers=2 seeds=0..3 --steps 100000000 --jobs 1"; send_keys Enter
wait_for_regex "^sweep sw: 0/4 runs done, 1 running, [0-9]+%"
sleep 2
[[ "$(count_text "sweep sw: ")" == 1 ]] || fail "the sweep's progress took $(count_text "sweep sw: ") lines, not one"
send_keys C-c
TIMEOUT=5 wait_for_text "Interrupted: 0 of 4 runs finished and are kept in 'sw'"
wait_for_prompt
expect_no_text "sweep sw: 0/4"
pass "a sweep's progress is one line, cleared when it ends; Ctrl-C stops the sweep"

type_text "stpe"; send_keys Enter
wait_for_text "Did you mean 'step'?"
wait_for_prompt
pass "an error leaves the session alive"

send_keys C-d
wait_until "the REPL to exit" program_exited
file="$WORKDIR/home/.hsq_history"
[[ -f "$file" ]] || fail "no history file at $file"
[[ "$(stat -c %a "$file")" == 600 ]] || fail "history mode is $(stat -c %a "$file")"
grep -q "run" "$file" || fail "history lacks the run command"
pass "Ctrl-D leaves and saves the history with mode 600"
echo "all hsq-repl terminal checks passed"
