#!/bin/bash
# SPDX-License-Identifier: ISC
# Bounded history: with history 3, a job keeps its last three task records
# and the log files of older tasks are deleted.
. "$(dirname "$0")/lib.sh"

start_daemon "daemon:
  history: 3
jobs:
  h:
    command: 'echo task \$SCHEDD_TASK_ID'
"

ids=
for n in 1 2 3 4 5 6; do
	must_succeed ctl run h
	ids="$ids $OUT"
	wait_task "$OUT"
done
set -- $ids

must_equal "[$6,$5,$4]" "$(cj history h | jq -c '[.result.tasks[].id]')" "history of h (newest first)"
must_equal 3 "$(ctl history h | grep -c ' h ')" "rows of schedctl history h"
for t in $1 $2 $3; do
	[ -e "$STATE/logs/h/$t.log" ] && fail "log of pruned task $t is still there"
	must_equal not_found "$(raw_code "{\"cmd\":\"task\",\"task\":$t}")" "task record of pruned task $t"
done
for t in $4 $5 $6; do
	[ -e "$STATE/logs/h/$t.log" ] || fail "log of kept task $t is missing"
	must_equal "task $t" "$(task_get "$t" .output | tr -d '\n')" "output of task $t"
done
must_equal 3 "$(ls "$STATE/logs/h" | wc -l | tr -d ' ')" "log files of h"
# Counters go on counting all runs.
must_equal 6 "$(cj status h | jq .result.job.runs)" "runs of h"
exit 0
