#!/usr/bin/env bash
# End-to-end check of the interactive line editor (HSQLineEditor) in a real terminal, under tmux.
#
# Usage:  Tests/tmux/line_editor.sh [--no-build]
#   Builds `hsq-line-editor-demo` (through swiftlock), runs it in a detached tmux session with HOME set
#   to a fresh temporary directory, drives it with send-keys and checks the screen with capture-pane.
#   Exits non-zero with a message and the screen on the first failed check.
#
# Environment:
#   HSQ_TMUX_COMMAND  program to drive instead of the demo (already built; no build step)
#   HSQ_TMUX_PROMPT   its prompt (default "demo> ")
#   HSQ_TMUX_HISTORY  its history file name inside HOME (default ".hsq_history")
#   HSQ_TMUX_TIMEOUT  seconds to wait for each expected screen (default 10)
#
# Reuse: `source Tests/tmux/line_editor.sh` defines the helpers below (tmux_start, send_keys,
# type_text, wait_for_text, wait_for_regex, wait_for_cursor_line, expect_*) and the check_* functions
# without running anything; set PROMPT and call tmux_start "command" first.
set -euo pipefail

# Close every descriptor inherited beyond 0–2 (a test runner's pipes to its other children): the tmux
# server daemonizes with whatever it inherits, and a pipe it holds never reaches end-of-file.
for fd in $(ls /proc/$$/fd); do
  case $fd in 0 | 1 | 2 | 255) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
done

PROMPT=${HSQ_TMUX_PROMPT:-"demo> "}
HISTORY_NAME=${HSQ_TMUX_HISTORY:-.hsq_history}
TIMEOUT=${HSQ_TMUX_TIMEOUT:-10}
SOCKET="hsq-line-editor-$$"   # a private tmux server: never touches anyone else's sessions
SESSION="editor"
WORKDIR=""

# ---------------------------------------------------------------- helpers

tm() { tmux -L "$SOCKET" "$@"; }

# The visible screen, one line per row (trailing spaces trimmed by tmux).
screen() { tm capture-pane -p -t "$SESSION"; }

# The row the cursor is on, trailing spaces trimmed.
cursor_line() {
  local y
  y=$(tm display-message -p -t "$SESSION" '#{cursor_y}')
  screen | sed -n "$((y + 1))p" | sed 's/[[:space:]]*$//'
}

fail() {
  echo "FAIL: $*" >&2
  echo "----- screen -----" >&2
  screen >&2 2>/dev/null || true
  echo "------------------" >&2
  exit 1
}

pass() { echo "ok - $*"; }

# tmux key names: Tab, Up, Enter, C-c, C-d, C-r ...
send_keys() { tm send-keys -t "$SESSION" "$@"; }

# Literal text (no key-name interpretation), UTF-8 allowed.
type_text() { tm send-keys -t "$SESSION" -l -- "$1"; }

# wait_until DESCRIPTION COMMAND...: polls COMMAND every 0.1 s until it succeeds or TIMEOUT passes.
wait_until() {
  local what=$1; shift
  local deadline=$((SECONDS + TIMEOUT))
  until "$@"; do
    ((SECONDS < deadline)) || fail "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.1
  done
}

screen_has_text() { screen | grep -qF -- "$1"; }
screen_has_regex() { screen | grep -qE -- "$1"; }
cursor_line_is() { [[ "$(cursor_line)" == "$(sed 's/[[:space:]]*$//' <<<"$1")" ]]; }
count_text() { screen | grep -cF -- "$1" || true; }
text_count_is() { [[ "$(count_text "$1")" == "$2" ]]; }

wait_for_text() { wait_until "text '$1' on screen" screen_has_text "$1"; }
wait_for_regex() { wait_until "a line matching /$1/" screen_has_regex "$1"; }
wait_for_cursor_line() { wait_until "cursor line '$1' (now '$(cursor_line)')" cursor_line_is "$1"; }
wait_for_prompt() { wait_for_cursor_line "$PROMPT"; }
wait_for_count() { wait_until "$2 line(s) containing '$1'" text_count_is "$1" "$2"; }

expect_no_text() { ! screen_has_text "$1" || fail "unexpected text on screen: '$1'"; }

# Types a line and presses Enter.
enter_line() { type_text "$1"; send_keys Enter; }

# tmux_start COMMAND: runs COMMAND in a 120x40 detached session, HOME=$WORKDIR/home; keeps the pane
# after the program exits so its exit can be checked (until end_session or cleanup).
tmux_start() {
  tm new-session -d -s "$SESSION" -x 120 -y 40 \
    "env HOME='$WORKDIR/home' TERM=xterm-256color LANG=C.UTF-8 $1; echo '[exited]' \$?; sleep 600"
  wait_for_prompt
}

program_exited() { screen_has_text "[exited] 0"; }

# The test runner may leave SIGHUP ignored, and ignored signals survive exec, so a pane's shell does
# not die when its session does: end the panes' processes with SIGKILL first.
kill_panes() {
  local pids
  pids=$(tm list-panes -s -t "$SESSION" -F '#{pane_pid}' 2>/dev/null || true)
  if [[ -n "$pids" ]]; then kill -KILL $pids 2>/dev/null || true; fi
}

end_session() {
  kill_panes
  tm kill-session -t "$SESSION" 2>/dev/null || true
}

cleanup() {
  kill_panes
  tm kill-server 2>/dev/null || true
  if [[ -n "$WORKDIR" ]]; then
    # The program may still be saving its history as the server goes down.
    for _ in 1 2 3 4 5; do rm -rf "$WORKDIR" 2>/dev/null && break; sleep 0.2; done
  fi
}

# ---------------------------------------------------------------- checks (demo vocabulary)

check_prompt() {
  wait_for_prompt
  pass "the prompt '$PROMPT' appears"
}

check_completion() {
  type_text "he"
  send_keys Tab
  wait_for_cursor_line "${PROMPT}hel"
  pass "Tab completes 'he' to 'hel'"
  send_keys Tab
  wait_for_regex '^hello +help$'
  wait_for_cursor_line "${PROMPT}hel"
  pass "a second Tab lists 'hello help' and redraws the line"
  type_text "p"
  send_keys Tab
  type_text "me"
  wait_for_cursor_line "${PROMPT}help me"
  send_keys Enter
  wait_for_text "you typed: help me"
  pass "Tab finishes a unique word with a space"
  wait_for_prompt
}

check_history_recall() {
  enter_line "echo one"
  wait_for_text "you typed: echo one"
  enter_line "second line"
  wait_for_text "you typed: second line"
  wait_for_prompt
  send_keys Up
  wait_for_cursor_line "${PROMPT}second line"
  send_keys Up
  wait_for_cursor_line "${PROMPT}echo one"
  send_keys Down
  wait_for_cursor_line "${PROMPT}second line"
  send_keys C-c
  wait_for_prompt
  pass "Up/Down recall earlier lines"
}

check_incremental_search() {
  local before
  before=$(count_text "you typed: echo one")
  local shown
  shown=$(count_text "${PROMPT}echo one")
  send_keys C-r
  type_text "ech"
  wait_for_count "${PROMPT}echo one" $((shown + 1))  # the match is drawn on the prompt line
  send_keys Enter
  wait_for_count "you typed: echo one" $((before + 1))
  wait_for_prompt
  pass "Ctrl-R finds an earlier line"
}

check_ctrl_c_at_prompt() {
  type_text "abandoned"
  wait_for_cursor_line "${PROMPT}abandoned"
  send_keys C-b C-b C-b  # Ctrl-C with the cursor inside the line
  send_keys C-c
  wait_for_text "${PROMPT}abandoned^C"
  wait_for_prompt
  enter_line "kept"
  wait_for_text "you typed: kept"
  expect_no_text "you typed: abandonedkept"
  wait_for_prompt
  pass "Ctrl-C at the prompt clears the line and the session goes on"
}

check_ctrl_c_during_work() {
  enter_line "sleep-steps"
  wait_for_regex '^\.{3,}'
  send_keys C-c
  wait_for_regex '^interrupted after [0-9]+ steps$'
  expect_no_text "done after"
  wait_for_prompt
  pass "Ctrl-C during sleep-steps stops it between steps ($(screen | grep -oE 'interrupted after [0-9]+ steps'))"
}

check_utf8() {
  enter_line "héllo wörld 世界"
  wait_for_text "you typed: héllo wörld 世界"
  send_keys Up
  wait_for_cursor_line "${PROMPT}héllo wörld 世界"
  send_keys C-a C-f C-d
  wait_for_cursor_line "${PROMPT}hllo wörld 世界"
  send_keys Enter
  wait_for_text "you typed: hllo wörld 世界"
  wait_for_prompt
  pass "UTF-8 lines are read, recalled and edited by character"
}

check_ctrl_d_exits() {
  send_keys C-d
  wait_until "the program to exit with status 0" program_exited
  local file="$WORKDIR/home/$HISTORY_NAME"
  [[ -f "$file" ]] || fail "no history file at $file"
  local mode
  mode=$(stat -c %a "$file")
  [[ "$mode" == 600 ]] || fail "history file mode is $mode, expected 600"
  grep -q "sleep-steps" "$file" || fail "history file lacks 'sleep-steps': $(cat "$file")"
  pass "Ctrl-D exits; the history file exists with mode 600"
}

check_history_persists() {
  end_session
  tmux_start "$1"
  send_keys Up
  wait_for_cursor_line "${PROMPT}hllo wörld 世界"
  send_keys C-c
  wait_for_prompt
  enter_line "quit"
  wait_until "the program to exit after quit" program_exited
  pass "a new session recalls the previous session's history"
}

# ---------------------------------------------------------------- main

main() {
  local root command
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  WORKDIR=$(mktemp -d /tmp/hsq-line-editor-e2e.XXXXXX)
  mkdir -p "$WORKDIR/home"
  trap cleanup EXIT
  if [[ -n "${HSQ_TMUX_COMMAND:-}" ]]; then
    command=$HSQ_TMUX_COMMAND
  else
    if [[ "${1:-}" != "--no-build" ]]; then
      (cd "$root" && swiftlock build --product hsq-line-editor-demo) >"$WORKDIR/build.log" 2>&1 ||
        { cat "$WORKDIR/build.log" >&2; fail "swiftlock build --product hsq-line-editor-demo failed"; }
    fi
    # A private copy: a rebuild by someone else mid-run cannot swap the binary.
    cp "$root/.build/debug/hsq-line-editor-demo" "$WORKDIR/demo"
    command="$WORKDIR/demo"
  fi
  tmux_start "$command"
  check_prompt
  check_completion
  check_history_recall
  check_incremental_search
  check_ctrl_c_at_prompt
  check_ctrl_c_during_work
  check_utf8
  check_ctrl_d_exits
  check_history_persists "$command"
  echo "all line editor checks passed"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main "$@"; fi
