#!/bin/bash
# SPDX-License-Identifier: ISC
# One writer of the state at a time.  A shutdown while the compaction child
# is writing its snapshot: the child is caught with its temporary file open
# and stopped, the daemon is told to stop, and the child is let go again
# the moment the daemon writes its own snapshot.  Caught, the child holds
# no descriptor but its state files: no client connection, no listening
# socket, no task pipe, no lock.  Whatever the two would
# have made of a shared temporary file, the state must load afterwards
# with every record.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

on_exit()
{
	[ -z "${child:-}" ] || kill -KILL "$child" 2>/dev/null
}

export SCHEDD_JOURNAL_MAX=100000
conf="daemon:
  output_tail: 64KiB
  history: 5000
  max_queued: 5000
jobs:
  big:
    command: head -c 60000 /dev/zero | tr '\\\\0' x
    concurrency: 4
    queue_limit: 5000"
start_daemon "$conf"
ids=
for i in $(seq 1 150); do
	ids="$ids $(ctl run big)"
done
# A few at a time: an answer with every record would be too big to read.
set -- $ids
while [ $# -gt 0 ]; do
	wait_task "${@:1:20}"
	shift $(( $# < 20 ? $# : 20 ))
done

# catch.py DAEMON_PID: stop the compaction child once it has its temporary
# file open (compactions come and go as records are written); print its pid.
cat >"$T/catch.py" <<'EOF_PY'
import os, signal, sys, time
daemon = sys.argv[1]
end = time.time() + 30
while time.time() < end:
    for task in os.listdir(f"/proc/{daemon}/task"):
        try:
            kids = open(f"/proc/{daemon}/task/{task}/children").read().split()
        except OSError:
            continue
        for kid in kids:
            try:
                fds = os.listdir(f"/proc/{kid}/fd")
                targets = [os.readlink(f"/proc/{kid}/fd/{f}") for f in fds]
            except OSError:
                continue
            if any("/state.json.tmp" in t for t in targets):
                os.kill(int(kid), signal.SIGSTOP)
                print(kid)
                for f in sorted(os.listdir(f"/proc/{kid}/fd"), key=int):
                    print(f, os.readlink(f"/proc/{kid}/fd/{f}"))
                sys.exit(0)
sys.exit(1)
EOF_PY
# release.py DAEMON_PID CHILD_PID: wait until the daemon itself has a
# temporary state file open (or has exited), then let the child go on.
cat >"$T/release.py" <<'EOF_PY'
import os, signal, sys, time
daemon, child = sys.argv[1], int(sys.argv[2])
end = time.time() + 30
while time.time() < end:
    try:
        fds = os.listdir(f"/proc/{daemon}/fd")
        targets = []
        for f in fds:
            try:
                targets.append(os.readlink(f"/proc/{daemon}/fd/{f}"))
            except OSError:
                pass
    except OSError:
        break
    if any("/state.json.tmp" in t for t in targets):
        break
try:
    os.kill(child, signal.SIGCONT)
except OSError:
    pass
EOF_PY

# More records make compactions happen, with a client connected all
# along (a subscriber); catch one.
watch_to "$T/events"
bg "$PYTHON" "$T/catch.py" "$DPID" >"$T/child"
for i in $(seq 1 40); do
	ctl run big >/dev/null
	[ -s "$T/child" ] && break
done
wait_for test -s "$T/child"
child=$(head -n 1 "$T/child")
# The child holds its state files and nothing else: a client connection
# the daemon closes ends then, not when the child exits.
must_equal 0 "$(tail -n +2 "$T/child" | grep -c 'socket:')" \
    "sockets held by the compaction child"
must_equal 0 "$(tail -n +2 "$T/child" | awk '$1 > 2' | grep -c -v "$STATE")" \
    "descriptors of the compaction child outside $STATE"
bg "$PYTHON" "$T/release.py" "$DPID" "$child"
stop_daemon
[ -z "$DAEMON_BAD" ] || fail "schedd $DAEMON_BAD"
for i in $(seq 1 100); do
	proc_gone "$child" && break
	sleep 0.05
done
proc_gone "$child" || fail "the compaction child outlived the daemon"

restart_daemon "$conf"
grep -q 'STATE LOST' "$LOG" && fail "the state did not load after a shutdown during compaction"
must_equal null "$(cj status | jq .result.state_error)" "state_error after the restart"
for id in $ids; do
	must_equal succeeded "$(task_get "$id" .state)" "task $id after the restart"
done
exit 0
