#!/bin/bash
# SPDX-License-Identifier: ISC
# queue_limit (per job) and max_queued (over all jobs): a run or add beyond
# them is refused with queue_full and nothing is half-created.
. "$(dirname "$0")/lib.sh"

gate=$(gate_cmd go)
start_daemon "daemon:
  max_running: 2
  max_queued: 3
jobs:
  q:
    queue_limit: 2
    command: |
      $gate
  r:
    command: |
      $gate
"

ids=
for n in 1 2 3; do
	must_succeed ctl run q
	ids="$ids $OUT"
done
set -- $ids
wait_for eval "[ \"\$(task_get $1 .state)\" = running ]"
before=$(cj history q | jq -c '[.result.tasks[].id]')

# Third waiting task of q: over its queue_limit.
must_exit 1 ctl run q
must_match queue_full "$OUT" "schedctl run q over queue_limit"
must_equal queue_full "$(raw_code '{"cmd":"run","name":"q"}')" "raw run q over queue_limit"
must_equal "$before" "$(cj history q | jq -c '[.result.tasks[].id]')" "tasks of q after the refused runs"
must_equal "1 2" "$(cj status q | jq -r '.result.job | "\(.running) \(.queued)"')" "running and queued of q"

# r takes the second slot and one place in the queue: max_queued (3) is
# reached, so the next run of r is refused although r's own limit is 30.
must_succeed ctl run r
r1=$OUT
wait_for eval "[ \"\$(task_get $r1 .state)\" = running ]"
must_succeed ctl run r
r2=$OUT
must_equal queued "$(task_get "$r2" .state)" "state of $r2"
must_exit 1 ctl run r
must_match queue_full "$OUT" "run r over max_queued"

# An ad-hoc add whose task would have to wait: refused, and no job is left.
must_equal queue_full "$(raw_code '{"cmd":"add","job":{"name":"adhoc","command":["true"]}}')" \
    "add over max_queued"
must_equal not_found "$(raw_code '{"cmd":"job","name":"adhoc"}')" "job of the refused add"
must_exit 1 ctl add adhoc2 -- true
must_match queue_full "$OUT" "schedctl add over max_queued"
must_equal not_found "$(raw_code '{"cmd":"job","name":"adhoc2"}')" "job of the refused schedctl add"

st=$(cj status)
must_equal "2 3" "$(json_get "$st" '"\(.result.running) \(.result.queued)"')" "running and queued"

touch "$T/go"
must_succeed ctl wait $ids "$r1" "$r2"
must_equal 0 "$(cj status | jq .result.queued)" "queued at the end"
exit 0
