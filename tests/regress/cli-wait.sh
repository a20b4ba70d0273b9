#!/bin/bash
# SPDX-License-Identifier: ISC
# Waiting from schedctl: wait JOB waits for the job's newest task, wait
# --timeout gives up with exit 4, logs JOB shows the newest task's log and
# logs -f exits with the task's status; stop returns once the task has
# ended (--no-wait: once signalled); shutdown --wait returns once the
# daemon's process is gone.
. "$(dirname "$0")/lib.sh"

gate=$(gate_cmd go)
start_daemon "jobs:
  five:
    command: \"echo run \$\$; exit 5\"
  gated:
    command: |
      $gate
      echo gated
  stubborn:
    kill_grace: 5s
    command: |
      trap '' TERM
      touch $T/trapped
      $gate
  never:
    command: \"true\""

# --- wait JOB: the newest task
must_exit 1 ctl wait never
must_match "job \"never\" has no task" "$OUT" "wait for a job without tasks"
must_exit 1 ctl wait nosuch
must_match "no job \"nosuch\"" "$OUT" "wait for no job"
t1=$(ctl run five) || fail "run five"
wait_task "$t1"
t2=$(ctl run five) || fail "run five again"
must_exit 5 ctl wait five
must_match "^task $t2 \(five\): failed \(exit 5\)" "$OUT" "wait five"
must_equal "$t2" "$(cj wait five | jq .result.tasks[0].id)" "task waited for"
# Mixed ids and names, in the order given.
must_exit 5 ctl wait "$t1" five
must_equal "$t1 $t2" "$(cj wait "$t1" five | jq -r '[.result.tasks[].id] | join(" ")')" \
    "tasks of wait $t1 five"

# --- logs JOB and logs -f JOB
must_equal "run $(task_get "$t2" .pid)" "$(ctl logs five)" "logs five"
must_exit 5 ctl logs -f five
must_exit 5 ctl logs -f "$t2"

# --- wait --timeout: exit 4 while the task runs, naming it
tg=$(ctl run gated) || fail "run gated"
must_exit 4 ctl wait --timeout 200ms gated
must_match "timed out; not ended: $tg" "$OUT" "wait --timeout on a running task"
must_exit 4 ctl wait --timeout 0 "$t1" "$tg"
must_match "not ended: $tg\$" "$OUT" "wait --timeout 0"
cj wait --timeout 0 gated >"$T/out" 2>/dev/null
must_equal true "$(jq .result.timed_out "$T/out")" "--json wait that timed out"
must_equal running "$(task_get "$tg" .state)" "state after the waits gave up"
must_exit 2 ctl wait --timeout soon gated
# logs -f follows until the end and exits with the task's status (0).
bg "$SCHEDCTL" -s "$SOCK" logs -f gated >"$T/follow"
lpid=$BGPID
touch "$T/go"
wait "$lpid"
must_equal 0 "$?" "logs -f of a task that succeeded"
must_equal gated "$(cat "$T/follow")" "what logs -f printed"
must_exit 0 ctl wait --timeout 10s gated
rm -f "$T/go"

# --- stop waits for the end of a task that ignores TERM
ts=$(ctl run stubborn) || fail "run stubborn"
wait_for test -e "$T/trapped"
must_exit 0 ctl stop --no-wait "$ts"
must_equal "stopped $ts" "$OUT" "stop --no-wait output"
# TERM is ignored and KILL comes 5 s later: still running now.
must_equal running "$(task_get "$ts" .state)" "state right after stop --no-wait"
must_exit 0 ctl stop "$ts"
must_equal stopped "$(task_get "$ts" .state)" "state once stop returned"
must_equal "nothing to stop" "$(ctl stop stubborn)" "stop of nothing"

# --- shutdown --wait returns once the process is gone, with its status
must_exit 0 ctl shutdown --wait
must_match "schedd \(pid $DPID\) has exited with status 0" "$OUT" "shutdown --wait"
# The process has exited (a zombie until reaped): wait returns at once.
wait "$DPID"
must_equal 0 "$?" "the daemon's exit status"
DPID=
[ ! -S "$SOCK" ] || fail "the socket is still there after shutdown --wait"

# --json: the daemon's last line; a daemon that dies without saying how
# it exits makes shutdown --wait fail.
start_daemon "jobs:
  held:
    command: \"$(gate_cmd held)\""
must_exit 0 cj shutdown --wait
must_equal '{"event":"exit","status":0,"state_saved":true}' \
    "$(printf '%s\n' "$OUT" | tail -n 1)" "shutdown --wait --json"
wait "$DPID"
DPID=
start_daemon "jobs:
  held:
    command: \"$(gate_cmd held)\""
# held_running, shutting: the task $id runs; one more shutdown request
# than the $n before is in the log.
held_running()
{
	[ "$(task_get "$id" .state)" = running ]
}
shutting()
{
	[ "$(grep -c 'shutdown requested' "$LOG")" -gt "$n" ]
}
id=$(ctl run held)
wait_for held_running
n=$(grep -c 'shutdown requested' "$LOG")
ctl shutdown --wait >"$T/sw.out" 2>&1 &
sw=$!
wait_for shutting
kill -9 "$DPID"
wait "$DPID" 2>/dev/null
DPID=
wait "$sw"
must_equal 1 "$?" "exit status of shutdown --wait when the daemon dies"
must_match "exited without saying its exit status" "$(cat "$T/sw.out")" \
    "shutdown --wait of a daemon killed"
touch "$T/held"
exit 0
