#!/bin/bash
# SPDX-License-Identifier: ISC
# Ad-hoc add: "add NAME -- CMD" prints the new task's id; with --wait it
# exits with the command's status; with a schedule there is no task.
. "$(dirname "$0")/lib.sh"

start_daemon

must_succeed ctl add a1 -- /bin/echo hello
must_match '^[0-9]+$' "$OUT" "output of add (the task id)"
t=$OUT
wait_task "$t"
must_equal "a1 add succeeded" "$(task_get "$t" '"\(.job) \(.trigger) \(.state)"')" "task of add a1"
must_equal hello "$(task_get "$t" .output | tr -d '\n')" "output of a1"
must_equal runtime "$(cj status a1 | jq -r .result.job.origin)" "origin of a1"

must_exit 7 ctl add a2 --wait -- sh -c 'exit 7'
must_exit 0 ctl add a3 --wait -- true
must_exit 0 ctl add a4 --shell --wait -- 'test "$SCHEDD_JOB" = a4'

ans=$(cj add a5 -- true)
must_equal a5 "$(json_get "$ans" .result.job)" "job of add --json"
must_match '^[0-9]+$' "$(json_get "$ans" .result.task)" "task of add --json"

ans=$(cj add a6 --every 1h -- true)
must_equal "a6 null" "$(json_get "$ans" '"\(.result.job) \(.result.task)"')" "add with a schedule"

# The same name again is refused (exists), --replace replaces.
must_exit 1 ctl add a6 --every 1h -- true
must_match exists "$OUT" "second add a6"
must_exit 0 ctl add a6 --replace --wait -- sh -c 'exit 0'
exit 0
