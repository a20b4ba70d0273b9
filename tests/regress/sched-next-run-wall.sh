#!/bin/bash
# SPDX-License-Identifier: ISC
# next_run of a cron or at job is its wall-clock time, to the millisecond:
# the same instant "next" gives, not one millisecond before it (the timer
# runs on the monotonic clock, but the time shown is the schedule's).
# Many jobs, since a rounding error shows on only some of them.
. "$(dirname "$0")/lib.sh"

conf="jobs:"
for i in $(seq 1 20); do
	conf="$conf
  c$i:
    command: [\"true\"]
    cron: \"0 0 1 1 *\"
  a$i:
    command: [\"true\"]
    at: \"2099-01-01T00:00:00Z\""
done
start_daemon "$conf"

jobs=$(cj jobs)
for i in $(seq 1 20); do
	for j in c$i a$i; do
		want=$(raw "{\"cmd\":\"next\",\"name\":\"$j\",\"count\":1}" |
		    jq -r '.result.times[0]')
		got=$(json_get "$jobs" ".result.jobs[] | select(.name == \"$j\") | .next_run")
		must_equal "$(date -d "$want" +%s%3N)" "$(date -d "$got" +%s%3N)" \
		    "$j: next_run ($got) vs next ($want), epoch ms"
	done
done
exit 0
