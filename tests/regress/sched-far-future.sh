#!/bin/bash
# SPDX-License-Identifier: ISC
# Times far ahead or before 1970.  An "at" after 2554 (past what uint64
# nanoseconds hold) used to wrap and fire at once, one before 1970 wrapped
# the other way, and "next" near the end of the calendar failed with
# "internal".  Times are bounded to 1970-01-01..9999-12-31 UTC: outside is
# a clear error (at in the file and in add, next --from); inside, a far
# time waits, next_run and next show it exactly and agree, and next -n 1000
# near the end returns the times there are.
. "$(dirname "$0")/lib.sh"

range='is out of range \(1970-01-01 to 9999-12-31 UTC\)'

# --- Refused in the file, with the position of the value.
for t in 1969-12-31T23:59:59Z 1960-01-01T00:00:00 0000-01-01T00:00:00Z \
    9999-12-31T23:59:59-01:00; do
	printf 'jobs:\n  x:\n    command: ["true"]\n    at: "%s"\n' "$t" \
	    >"$T/bad.yaml"
	must_fail "$SCHEDD" -t -c "$T/bad.yaml"
	must_match "bad.yaml:4:9: time \"$t\" $range" "$OUT" "schedd -t, at $t"
done
# A local time is checked in the job's own zone: 19:00 in New York on the
# last day is already year 10000 in UTC.
if [ -e /usr/share/zoneinfo/America/New_York ]; then
	printf 'jobs:\n  x:\n    command: ["true"]\n    at: "%s"\n    timezone: %s\n' \
	    9999-12-31T19:00:00 America/New_York >"$T/bad.yaml"
	must_fail "$SCHEDD" -t -c "$T/bad.yaml"
	must_match "bad.yaml:4:9: time \"9999-12-31T19:00:00\" $range" "$OUT" \
	    "schedd -t, local at in New York"
fi

# --- Far, but in range: nothing fires.  "now" has passed and runs at once,
# in the same timer run as a wrapped far time would.
start_daemon 'jobs:
  now:
    command: ["true"]
    at: "2020-01-01T00:00:00Z"
  far:
    command: ["true"]
    at: "2600-01-01T00:00:00Z"
  end:
    command: ["true"]
    at: "9999-12-31T00:00:00Z"
  last:
    command: ["true"]
    cron: "* * * * *"
    timezone: UTC
'
wait_for sh -c "\"$SCHEDCTL\" -s \"$SOCK\" --json jobs |
    jq -e '.result.jobs[] | select(.name == \"now\") | .last_state == \"succeeded\"'"
jobs=$(cj jobs)
for j in far end; do
	must_equal 0 "$(json_get "$jobs" ".result.jobs[] | select(.name == \"$j\") | .runs")" \
	    "runs of $j (its time is far ahead): $jobs"
done
# next_run and next: the same instant, to the millisecond.
for j in far:2600-01-01T00:00:00Z end:9999-12-31T00:00:00Z; do
	name=${j%%:*}
	want=$(date -u -d "${j#*:}" +%s%3N)
	got=$(json_get "$jobs" ".result.jobs[] | select(.name == \"$name\") | .next_run")
	must_equal "$want" "$(date -d "$got" +%s%3N)" "next_run of $name ($got)"
	got=$(raw "{\"cmd\":\"next\",\"name\":\"$name\"}" | jq -r '.result.times | join(" ")')
	must_equal "$want" "$(date -d "$got" +%s%3N)" "next of $name ($got)"
done

# --- add and next --from refuse times outside, with the same words.
must_fail ctl add early --at 1960-01-01T00:00:00Z -- true
must_match "time \"1960-01-01T00:00:00Z\" $range" "$OUT" "add --at 1960"
must_equal bad_request "$(raw_code '{"cmd":"add","job":{"name":"late","command":["true"],"at":"9999-12-31T23:59:59-05:00"}}')" \
    "add at past 9999 in UTC"
must_succeed ctl add fine --at 9999-12-31T23:59:59Z -- true
must_fail ctl next last --from 1900-01-01T00:00:00Z
must_match "next: \"1900-01-01T00:00:00Z\" $range" "$OUT" "next --from 1900"
must_equal bad_request \
    "$(raw_code '{"cmd":"next","name":"last","from":"9999-12-31T23:59:59-00:30"}')" \
    "next from past 9999 in UTC"

# --- The end of the calendar: what there is, not "internal".
a=$(raw '{"cmd":"next","name":"last","count":1000,"from":"9999-12-31T23:50:00Z"}')
must_equal true "$(json_get "$a" .ok)" "next -n 1000 near the end: $a"
must_equal 9 "$(json_get "$a" '.result.times | length')" "times left in 9999: $a"
must_equal "$(date -u -d 9999-12-31T23:59:00Z +%s)" \
    "$(date -d "$(json_get "$a" '.result.times[8]')" +%s)" "the last one: $a"
a=$(raw '{"cmd":"next","name":"last","count":5,"from":"9999-12-31T23:59:59Z"}')
must_equal '[]' "$(json_get "$a" '.result.times | tostring')" "none after the last: $a"
must_succeed ctl next last -n 1000 --from 9999-12-31T23:58:00Z
exit 0
