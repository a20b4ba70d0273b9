#!/bin/bash
# SPDX-License-Identifier: ISC
# ban_after_failures on a scheduled job: after 2 consecutive failures the
# job is banned automatically (bans shows auto: true); its later firings
# are dropped and counted in "skipped", and no more tasks start.
. "$(dirname "$0")/lib.sh"

jtest() {
	[ "$(raw "{\"cmd\":\"job\",\"name\":\"$1\"}" |
	    jq -r ".result.job | $2")" = true ]
}

start_daemon "jobs:
  flaky:
    command: [\"false\"]
    every: 1s
    ban_after_failures: 2
  other:
    command: [\"true\"]
"
watch_to "$T/ev" job.banned

wait_for grep -q '"event": *"job.banned"' "$T/ev"
b=$(cj bans)
must_equal 1 "$(json_get "$b" '.result.bans | length')" "number of bans: $b"
must_equal "flaky|true" "$(json_get "$b" '.result.bans[0] | "\(.name)|\(.auto)"')" "ban entry name|auto"
must_match '.' "$(json_get "$b" '.result.bans[0].reason')" "reason of the automatic ban"

# The next firings are dropped.
wait_for jtest flaky '.skipped >= 2'
j=$(raw '{"cmd":"job","name":"flaky"}')
must_equal "true|2|2|0|0" \
    "$(json_get "$j" '.result.job | "\(.banned)|\(.runs)|\(.failed)|\(.running)|\(.queued)"')" \
    "flaky: banned|runs|failed|running|queued"
must_equal 2 "$(raw '{"cmd":"history","name":"flaky"}' |
    jq '.result.tasks | length')" "tasks of flaky"
must_equal "schedule schedule" "$(raw '{"cmd":"history","name":"flaky"}' |
    jq -r '[.result.tasks[].trigger] | join(" ")')" "triggers of flaky"
# Other jobs are not affected.
must_succeed ctl run other --wait
exit 0
