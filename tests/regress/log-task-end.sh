#!/bin/bash
# SPDX-License-Identifier: ISC
# The daemon's log: each ended task once, a failure or a timeout at
# warning with its exit code or signal; durations as "1.0s", never as
# "1000ms".
. "$(dirname "$0")/lib.sh"

gate=$(gate_cmd go)
start_daemon "jobs:
  five:
    command: \"exit 5\"
  killed:
    command: \"kill -KILL \$\$\"
  slow:
    timeout: 300ms
    command: |
      $gate
  again:
    retries: 1
    retry_delay: 1s
    command: \"exit 1\""

t=$(ctl run five) || fail "run five"
wait_task "$t"
must_match "warning: task $t \(five\) failed after [0-9.]+m?s: exit code 5\$" \
    "$(grep "task $t " "$LOG")" "log of a task that exited 5"

t=$(ctl run killed) || fail "run killed"
wait_task "$t"
must_match "warning: task $t \(killed\) failed after [0-9.]+m?s: killed by SIGKILL\$" \
    "$(grep "task $t " "$LOG")" "log of a task killed by a signal"

t=$(ctl run slow) || fail "run slow"
wait_task "$t"
# Once above debug (the tests run the daemon with -v).
must_equal 1 "$(grep -v ': debug: ' "$LOG" | grep -c "task $t .*time")" \
    "lines on task $t: $(grep "task $t " "$LOG")"
must_match "warning: task $t \(slow\) timed out after [0-9.]+m?s: killed by SIGTERM\$" \
    "$(grep "task $t .*timed out" "$LOG")" "log of a task that timed out"

t=$(ctl run again) || fail "run again"
wait_task "$t"
must_match "task $t \(again\) failed: attempt 2 in 1\.0s\$" \
    "$(grep "task $t (again) failed:" "$LOG")" "log of a retry"

stop_daemon
must_match "shutting down: waiting for 0 running tasks \(up to 30\.0s\)" \
    "$(grep 'shutting down' "$LOG")" "log of the shutdown"
grep -E '[0-9]{4,}ms' "$LOG" && fail "durations in milliseconds in the log"
exit 0
