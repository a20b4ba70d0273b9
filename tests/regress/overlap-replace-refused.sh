#!/bin/bash
# SPDX-License-Identifier: ISC
# on_overlap: replace stops the running task only for a new task that is
# then queued.  Here the job's queue is full (queue_limit 1, one task
# waiting), so every firing is refused: the running task must go on.
. "$(dirname "$0")/lib.sh"

gate=$(gate_cmd go)
start_daemon "jobs:
  r:
    command: |
      $gate
    every: 1s
    on_overlap: replace
    queue_limit: 1"

# The first firing starts a task; a manual run fills the queue.
wait_for eval "[ \"\$(cj status r | jq .result.job.running)\" = 1 ]"
first=$(cj status r | jq '.result.job.recent[0].id')
must_succeed ctl run r
queued=$OUT
must_equal queued "$(task_get "$queued" .state)" "the manual task"
# Wait for two more firings, both refused for the full queue.
skipped0=$(cj status r | jq .result.job.skipped)
wait_for eval "[ \"\$(cj status r | jq .result.job.skipped)\" -ge $((skipped0 + 2)) ]"
must_equal running "$(task_get "$first" .state)" "the running task after refused replacing firings"
must_equal null "$(task_get "$first" .signal)" "signal sent to the running task"
touch "$T/go"
wait_task "$first" "$queued"
must_equal succeeded "$(task_get "$first" .state)" "the first task in the end"
exit 0
