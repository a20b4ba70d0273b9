#!/bin/bash
# SPDX-License-Identifier: ISC
# Priorities for the journal (schedd.8 LOGGING): when $JOURNAL_STREAM
# names the device and inode of schedd's stderr, every line starts with
# its syslog priority, "<N>": a failed or timed-out task at <4>, a task
# found lost after a crash at <4>, a success at <6>, a start and debug at
# <7>.  When $JOURNAL_STREAM names another file (stderr inherited by
# something else: a file, a terminal), or is unset, lines are as always,
# with no prefix.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

# The entries of the journal's own socket would not be in the file: with
# such a socket on this machine, task lines are kept on stderr.
[ -S /run/systemd/journal/socket ] && export SCHEDD_LOG_FIELDS=0

gate=$(gate_cmd go)
conf="jobs:
  bad:
    command: \"exit 7\"
  good:
    command: \"true\"
  slow:
    timeout: 200ms
    command: \"exec sleep 60\"
  long:
    command: |
      touch $T/long.\$SCHEDD_TASK_ID
      $gate"

# stream_of FILE: what systemd would put in JOURNAL_STREAM for it.
stream_of()
{
	stat -c '%d:%i' "$1"
}

: >"$LOG"
JOURNAL_STREAM=$(stream_of "$LOG")
export JOURNAL_STREAM
start_daemon "$conf"

must_succeed ctl run bad
bad=$OUT
must_succeed ctl run good
good=$OUT
must_succeed ctl run slow
slow=$OUT
wait_task "$bad"
wait_task "$good"
wait_task "$slow"
must_equal "failed timeout" \
    "$(task_get "$bad" .state) $(task_get "$slow" .state)" \
    "states of tasks $bad and $slow"

# A task running when schedd is killed is lost, at warning, at start.
must_succeed ctl run long
long=$OUT
wait_for test -e "$T/long.$long"
kill9_daemon
restart_daemon
must_equal lost "$(task_get "$long" .state)" "state of task $long"
stop_daemon

bad_lines=$(grep -v '^<[0-7]>' "$LOG")
must_equal "" "$bad_lines" "lines without a priority"
must_match "^<4>task $bad \(bad\) failed after [0-9.]+m?s: exit code 7\$" \
    "$(grep "task $bad " "$LOG" | grep failed)" "line of the failed task"
must_match \
    "^<4>task $slow \(slow\) timed out after [0-9.]+m?s: killed by SIGTERM\$" \
    "$(grep "task $slow .*timed out" "$LOG")" "line of the timed-out task"
must_match "^<6>task $good \(good\) succeeded after [0-9.]+m?s\$" \
    "$(grep "task $good .*succeeded" "$LOG")" "line of the task that succeeded"
must_match "^<7>task $good \(good\) started, pid [0-9]+\$" \
    "$(grep "task $good .*started" "$LOG")" "line of the task's start"
must_match "^<4>task $long \(long\) lost: " \
    "$(grep "task $long .*lost" "$LOG")" "line of the lost task"
must_match "^<5>schedd .* started: " \
    "$(grep 'started: pid' "$LOG" | head -n 1)" \
    "line of the daemon's start"
grep -q '^<7>' "$LOG" || fail "no debug line at <7> (schedd runs with -v)"

# plain_run WHAT: restart schedd (with $JOURNAL_STREAM as it is now), run
# a failing task, stop: its lines have no prefix.
plain_run()
{
	restart_daemon
	must_succeed ctl run bad
	bad=$OUT
	wait_task "$bad"
	stop_daemon
	must_equal "" "$(grep '^<' "$LOG")" "lines with a priority $1"
	must_match "^schedd: warning: task $bad \(bad\) failed after " \
	    "$(grep "task $bad " "$LOG" | grep failed)" \
	    "line of the failed task $1"
}

# $JOURNAL_STREAM inherited, but stderr is another file: no prefixes.
mv "$LOG" "$T/journal.log"
JOURNAL_STREAM=$(stream_of "$T/journal.log")
plain_run "when stderr is not the journal"

# No $JOURNAL_STREAM at all: no prefixes either.
unset JOURNAL_STREAM
: >"$LOG"
plain_run "without JOURNAL_STREAM"
exit 0
