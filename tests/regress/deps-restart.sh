#!/bin/bash
# SPDX-License-Identifier: ISC
# A task waiting for others (run --after) is still waiting after a crash
# (kill -9) and after a graceful restart, and starts once they succeed;
# one whose dependency was lost while schedd was down is cancelled at
# start, and so are the tasks waiting for it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

gate_a=$(gate_cmd a)
start_daemon "jobs:
  gated:
    command: '$gate_a'
    env:
      REGRESS_DIR: $T
  ok:
    command: 'echo ok'
"

state() { task_get "$1" '.state + " " + (.waiting | tostring)'; }
running() { [ "$(task_get "$1" .state)" = running ]; }

# a runs; a2 is queued behind it (concurrency 1); b waits for a2, c for
# a, d for c.
run_task a gated
run_task a2 gated
run_task b ok --after "$a2"
run_task c ok --after "$a"
run_task d ok --after "$c"
must_equal "running" "$(task_get "$a" .state)" "the first dependency"
must_equal "queued true" "$(state "$b")" "waiting before the crash"

kill9_daemon
restart_daemon
must_equal lost "$(task_get "$a" .state)" "running at the crash"
must_equal "cancelled|dependency $a was lost" \
    "$(task_get "$c" '.state + "|" + .error')" "waiting for a lost task"
must_equal "cancelled|dependency $c was cancelled" \
    "$(task_get "$d" '.state + "|" + .error')" "waiting for a cancelled one"
wait_for running "$a2"
must_equal "queued true" "$(state "$b")" "still waiting after kill -9"
must_equal "[$a2]" "$(task_get "$b" '.after | tostring')" \
    "after kept across kill -9"

# a2 runs now; lost at a second crash, it cancels b.
kill9_daemon
restart_daemon
must_equal lost "$(task_get "$a2" .state)" "a2 running at the second crash"
must_equal "cancelled|dependency $a2 was lost" \
    "$(task_get "$b" '.state + "|" + .error')" "b after a2 was lost"

# A clean shutdown (--force: the running task is stopped) and restart:
# the queued task and the one waiting for it are queued again.
run_task e gated
run_task e2 gated
run_task f ok --after "$e2"
must_succeed ctl shutdown --force
wait "$DPID"
must_equal 0 "$?" "exit status of schedd after shutdown --force"
DPID=
restart_daemon
must_equal "queued true" "$(state "$f")" "waiting after a graceful restart"
touch "$T/a"
wait_task "$f"
must_equal "stopped succeeded succeeded" "$(task_get "$e" .state) \
$(task_get "$e2" .state) $(task_get "$f" .state)" "after the restart"

# A dependency that succeeded before a crash is satisfied at once.
kill9_daemon
restart_daemon
run_task g ok --after "$e2"
wait_task "$g"
must_equal succeeded "$(task_get "$g" .state)" "after a task that succeeded"
exit 0
