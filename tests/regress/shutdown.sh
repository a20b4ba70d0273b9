#!/bin/bash
# SPDX-License-Identifier: ISC
# shutdown waits for running tasks (and does not start queued ones), then
# exits 0; shutdown --force stops running tasks at once and exits 0.
# What survives the restart is in shutdown-restart.sh.
. "$(dirname "$0")/lib.sh"

config="daemon:
  shutdown_timeout: 100s
jobs:
  short:
    command: |
      echo started >$T/started.\$SCHEDD_TASK_ID
      $(gate_cmd go)
  long:
    command: |
      echo \$\$ >$T/long.pid
      exec sleep 1000
"
start_daemon "$config"

must_succeed ctl run short
t1=$OUT
must_succeed ctl run short
t2=$OUT
wait_for test -e "$T/started.$t1"
watch_to "$T/events1"
w1=$BGPID

must_succeed ctl shutdown
# Graceful: the daemon waits for the running task.  Nothing announces that
# it is waiting, so give it a moment to (wrongly) exit before checking.
sleep 0.3
kill -0 "$DPID" 2>/dev/null || fail "schedd exited while a task was running"
touch "$T/go"
wait "$DPID"
must_equal 0 "$?" "exit status of schedd after shutdown"
DPID=
# The watcher saw the task end well before the daemon went away.
wait "$w1"
must_equal "succeeded" \
    "$(grep '"event"' "$T/events1" | jq -r "select(.event == \"task.finished\" and .task == $t1) | .state")" \
    "task.finished of the task shutdown waited for"
[ -e "$T/started.$t2" ] && fail "the queued task $t2 started during shutdown"

# Forced: a long task is stopped and the daemon exits without waiting for
# shutdown_timeout (100 s, beyond the wait below).
start_daemon "$config"
must_succeed ctl run long
t3=$OUT
wait_for test -s "$T/long.pid"
pid=$(cat "$T/long.pid")
watch_to "$T/events2"
w2=$BGPID
must_succeed ctl shutdown --force
for i in $(seq 1 200); do
	kill -0 "$DPID" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$DPID" 2>/dev/null && fail "schedd still running 10 s after shutdown --force"
wait "$DPID"
must_equal 0 "$?" "exit status of schedd after shutdown --force"
DPID=
wait "$w2"
must_equal "stopped" \
    "$(grep '"event"' "$T/events2" | jq -r "select(.event == \"task.finished\" and .task == $t3) | .state")" \
    "task.finished of the task shutdown --force stopped"
kill -0 "$pid" 2>/dev/null && fail "process $pid of the long task survived shutdown --force"
exit 0
