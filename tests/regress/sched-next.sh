#!/bin/bash
# SPDX-License-Identifier: ISC
# next: previews of cron schedules, compared as instants.  */15 in UTC;
# a day-of-week step "1/1" that reaches Sunday;
# count bounds (1..1000, else bad_request); unknown job not_found; and
# cron across DST in America/New_York: a fixed-hour job fires at the
# first valid instant after a skipped time (spring forward) and once, at
# the first pass, in a repeated hour (fall back); a job whose hour is "*"
# follows real time, in both passes of the repeated hour.
. "$(dirname "$0")/lib.sh"

[ -e /usr/share/zoneinfo/America/New_York ] || skip "no tzdata"

# must_times JOB FROM COUNT TIME...: next of JOB gives these instants.
must_times() {
	local job=$1 from=$2 count=$3 a want= got= t

	shift 3
	a=$(raw "{\"cmd\":\"next\",\"name\":\"$job\",\"count\":$count,\"from\":\"$from\"}")
	[ "$(json_get "$a" .ok)" = true ] || fail "next $job from $from: $a"
	for t in "$@"; do
		want="$want $(date -d "$t" +%s)"
	done
	for t in $(json_get "$a" '.result.times[]'); do
		got="$got $(date -d "$t" +%s)"
	done
	must_equal "$want" "$got" "next $job from $from (epoch seconds; answer $a)"
}

start_daemon "jobs:
  q:
    command: [\"true\"]
    cron: \"*/15 * * * *\"
    timezone: UTC
  ny:
    command: [\"true\"]
    cron: \"30 2 * * *\"
    timezone: America/New_York
  ny_back:
    command: [\"true\"]
    cron: \"30 1 * * *\"
    timezone: America/New_York
  ny_half:
    command: [\"true\"]
    cron: \"0,30 * * * *\"
    timezone: America/New_York
  plain:
    command: [\"true\"]
  dow:
    command: [\"true\"]
    cron: \"0 9 * * 1/1\"
    timezone: UTC
"

must_times q 2030-01-01T00:07:00Z 5 2030-01-01T00:15:00Z \
    2030-01-01T00:30:00Z 2030-01-01T00:45:00Z 2030-01-01T01:00:00Z \
    2030-01-01T01:15:00Z
# "from" in another offset is the same instant.
must_times q 2030-01-01T01:07:00+01:00 2 2030-01-01T00:15:00Z \
    2030-01-01T00:30:00Z
must_equal 5 "$(raw '{"cmd":"next","name":"q"}' | jq '.result.times | length')" \
    "default count"
must_equal 1000 "$(raw '{"cmd":"next","name":"q","count":1000}' |
    jq '.result.times | length')" "count 1000"
must_equal 1 "$(raw '{"cmd":"next","name":"q","count":1}' |
    jq '.result.times | length')" "count 1"
must_equal bad_request "$(raw_code '{"cmd":"next","name":"q","count":0}')" "count 0"
must_equal bad_request "$(raw_code '{"cmd":"next","name":"q","count":1001}')" "count 1001"
must_equal bad_request "$(raw_code '{"cmd":"next","name":"q","count":"5"}')" "count as a string"
must_equal bad_request "$(raw_code '{"cmd":"next","name":"q","from":"yesterday-ish"}')" "bad from"
must_equal bad_request "$(raw_code '{"cmd":"next","name":"q","bogus":1}')" "unknown argument"
must_equal bad_request "$(raw_code '{"cmd":"next"}')" "no name"
must_equal not_found "$(raw_code '{"cmd":"next","name":"nope"}')" "unknown job"
must_equal "[]" "$(raw '{"cmd":"next","name":"plain"}' | jq -c .result.times)" \
    "next of a job with no schedule"

# Day-of-week "a/n" runs to 7, Sunday: "1/1" is every day (2030-01-05 is a
# Saturday).
must_times dow 2030-01-05T12:00:00Z 3 2030-01-06T09:00:00Z \
    2030-01-07T09:00:00Z 2030-01-08T09:00:00Z

# Spring forward (2024-03-10, 02:00 EST -> 03:00 EDT): 02:30 does not
# exist, so the fixed-hour job runs at 03:00 EDT, then 02:30 as usual.
must_times ny 2024-03-09T12:00:00-05:00 2 2024-03-10T03:00:00-04:00 \
    2024-03-11T02:30:00-04:00
# Hour "*" follows real time: no 02:00 or 02:30 that day.
must_times ny_half 2024-03-10T01:00:00-05:00 3 2024-03-10T01:30:00-05:00 \
    2024-03-10T03:00:00-04:00 2024-03-10T03:30:00-04:00
# Fall back (2024-11-03, 02:00 EDT -> 01:00 EST): 01:30 comes twice; the
# fixed-hour job runs at the first pass only.
must_times ny_back 2024-11-02T12:00:00-04:00 2 2024-11-03T01:30:00-04:00 \
    2024-11-04T01:30:00-05:00
# ... and the hour-"*" job in both passes.
must_times ny_half 2024-11-03T00:50:00-04:00 5 2024-11-03T01:00:00-04:00 \
    2024-11-03T01:30:00-04:00 2024-11-03T01:00:00-05:00 \
    2024-11-03T01:30:00-05:00 2024-11-03T02:00:00-05:00
exit 0
