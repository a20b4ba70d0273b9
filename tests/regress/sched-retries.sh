#!/bin/bash
# SPDX-License-Identifier: ISC
# retries + retry_delay: a failing job with retries: 2 run once by hand
# gives three tasks, attempts 1, 2, 3, triggers manual, retry, retry, each
# retry starting no sooner than retry_delay after the failure before it;
# then nothing more.  A retry that succeeds ends the chain: a job failing
# twice then succeeding, with retries: 5, gives three tasks.
. "$(dirname "$0")/lib.sh"

ms() { date -d "$1" +%s%3N; }
nfinished() {
	[ "$(jq -c "select(.event == \"task.finished\" and .job == \"$1\")" \
	    "$T/ev" | wc -l)" -ge "$2" ]
}
hist() {
	raw "{\"cmd\":\"history\",\"name\":\"$1\"}" |
	    jq -c '.result.tasks | sort_by(.id)'
}

start_daemon "jobs:
  bad:
    command: [\"false\"]
    retries: 2
    retry_delay: 1s
  third:
    command: |
      n=\$(cat $T/count 2>/dev/null || echo 0)
      n=\$((n + 1))
      echo \$n >$T/count
      [ \$n -ge 3 ]
    retries: 5
    retry_delay: 200ms
"
watch_to "$T/ev" task.finished

must_succeed ctl run bad
must_succeed ctl run third
wait_for nfinished bad 3
wait_for nfinished third 3

h=$(hist bad)
must_equal "manual/1/failed retry/2/failed retry/3/failed" \
    "$(json_get "$h" '[.[] | "\(.trigger)/\(.attempt)/\(.state)"] | join(" ")')" \
    "bad: trigger/attempt/state of its tasks"
for i in 1 2; do
	end=$(ms "$(json_get "$h" ".[$((i - 1))].finished_at")")
	start=$(ms "$(json_get "$h" ".[$i].queued_at")")
	[ "$start" -ge $((end + 1000)) ] ||
	    fail "bad: attempt $((i + 1)) queued $((start - end)) ms after attempt $i failed (retry_delay 1s)"
done
must_equal "manual/1/failed retry/2/failed retry/3/succeeded" \
    "$(json_get "$(hist third)" '[.[] | "\(.trigger)/\(.attempt)/\(.state)"] | join(" ")')" \
    "third: trigger/attempt/state of its tasks"

# No more retries: a little over the longest retry_delay later (only a
# sleep shows that nothing happens) there are still three tasks each.
sleep 1.2
must_equal 3 "$(hist bad | jq length)" "tasks of bad after the retries"
must_equal 3 "$(hist third | jq length)" "tasks of third after its success"
must_equal 3 "$(cat "$T/count")" "runs of third"
exit 0
