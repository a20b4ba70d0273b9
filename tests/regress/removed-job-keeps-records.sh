#!/bin/bash
# SPDX-License-Identifier: ISC
# Removing a job keeps its task records: "status ID" and "history JOB"
# still answer, the queued tasks it cancelled show "cancelled", across a
# restart too; records of removed jobs are dropped oldest first beyond
# removed_history.  A new job of the same name does not take them over.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

gate=$(gate_cmd go)
start_daemon "daemon:
  removed_history: 5"

# Two finished tasks, one running, one queued; then remove.
must_succeed ctl add x --every 1h --shell -- "echo out; $gate"
touch "$T/go"
must_succeed ctl run x
a=$OUT
wait_task "$a"
must_succeed ctl run x
b=$OUT
wait_task "$b"
rm "$T/go"
must_succeed ctl run x
c=$OUT
must_succeed ctl run x
d=$OUT
wait_for eval "[ \"\$(task_get $c .state)\" = running ]"
must_equal queued "$(task_get "$d" .state)" "the second task behind the running one"
must_succeed cj remove x
must_equal "[$d]" "$(json_get "$OUT" .result.cancelled | jq -c .)" "tasks cancelled by the removal"
must_equal cancelled "$(task_get "$d" .state)" "the queued task after the removal"
must_equal succeeded "$(task_get "$a" .state)" "status of an old task of the removed job"
must_equal "$d $c $b $a" "$(cj history x | jq -r '[.result.tasks[].id] | join(" ")')" "history of the removed job"
must_equal not_found "$(raw_code '{"cmd":"job","name":"x"}')" "the removed job itself"
touch "$T/go"
wait_task "$c"
must_equal succeeded "$(task_get "$c" .state)" "the running task, ended after the removal"
must_match '^out' "$(ctl logs "$a")" "log of a task of the removed job"

# A new job of that name starts its own records; the old ones stay.
must_exit 0 ctl add x --wait -- true
e=$(cj history x | jq '.result.tasks[0].id')
must_equal "$e $d $c $b $a" "$(cj history x | jq -r '[.result.tasks[].id] | join(" ")')" "history of the name after a new job took it"
must_equal 1 "$(cj status x | jq '.result.job.recent | length')" "records of the new job itself"

# Across a restart.
shutdown_daemon
restart_daemon
must_equal succeeded "$(task_get "$a" .state)" "an old task of the removed job after a restart"
must_equal cancelled "$(task_get "$d" .state)" "the cancelled task after a restart"
must_equal 1 "$(cj status x | jq '.result.job.recent | length')" "records of the new job after a restart"

# removed_history: 5 records of removed jobs at most, the oldest go first.
must_succeed ctl remove x
for n in 1 2; do
	must_exit 0 ctl add "y$n" --wait -- true
	must_succeed ctl remove "y$n"
done
must_equal not_found "$(raw_code "{\"cmd\":\"task\",\"task\":$a}")" "the oldest record beyond removed_history"
must_equal not_found "$(raw_code "{\"cmd\":\"task\",\"task\":$b}")" "the second oldest record beyond removed_history"
must_equal ok "$(raw_code "{\"cmd\":\"task\",\"task\":$c}")" "a newer record within removed_history"
[ ! -e "$STATE/logs/x/$a.log" ] || fail "the log of a dropped record is still there"
exit 0
