#!/bin/bash
# SPDX-License-Identifier: ISC
# The first snapshot of a large state is written at start by a forked
# child, beside the loop (SCHEDD_START_FORK makes every state large
# here): the daemon answers meanwhile and journals what changes, the
# child's snapshot then replaces the journals, a crash right after a
# start loses nothing acknowledged, and task ids never go back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

conf="jobs:
  quick:
    command: [\"true\"]
"
start_daemon "$conf"
ids=
for i in $(seq 1 20); do
	ids="$ids $(ctl run quick)"
done
wait_task $ids
shutdown_daemon

export SCHEDD_START_FORK=1
gen=$(jq .generation "$STATE/state.json")
restart_daemon
must_succeed ctl add during --every 1h -- true
wait_for test ! -e "$STATE/journal.new"
grep -q 'compacting in process' "$LOG" ||
    fail "the start's snapshot was not written by a child"
must_equal $((gen + 1)) "$(jq .generation "$STATE/state.json")" \
    "generation of the snapshot the start wrote"
grep -q '"name":"during"' "$STATE/journal" ||
    fail "a job added while the child wrote is not in the journal"
last=$(ctl run quick)
wait_task "$last"

# A crash just after each start: whichever step was last on disk, nothing
# acknowledged is lost and ids never go back.
for round in 1 2 3 4 5; do
	kill9_daemon
	restart_daemon
	must_succeed ctl add "crash$round" --every 1h -- true
	id=$(ctl run quick)
	[ "$id" -gt "$last" ] || fail "task id $id after $last: ids went back"
	last=$id
done
kill9_daemon
restart_daemon
for name in during crash1 crash2 crash3 crash4 crash5; do
	must_equal "$name" "$(raw "{\"cmd\":\"job\",\"name\":\"$name\"}" |
	    jq -r .result.job.name)" "job $name after the crashes"
done
for id in $ids; do
	must_equal succeeded "$(task_get "$id" .state)" "task $id at the end"
done
grep -q 'STATE LOST' "$LOG" && fail "a state did not load"
exit 0
