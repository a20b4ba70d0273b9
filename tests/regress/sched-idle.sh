#!/bin/bash
# SPDX-License-Identifier: ISC
# Idle means idle: a daemon with one hourly cron job and no clients makes
# no wake-ups at all over 5 seconds (its voluntary context switches, all
# threads, do not increase).  Not a timing threshold: the expected count
# of wake-ups is zero.  No connection is opened during the window.
. "$(dirname "$0")/lib.sh"

[ -r /proc/self/status ] || skip "no /proc"

# Voluntary context switches of all the daemon's threads.
vcsw() {
	cat /proc/"$DPID"/task/*/status 2>/dev/null |
	    awk '/^voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

# The hourly firing must not fall in the window: start clear of it.
near_hour() {
	local ms

	ms=$(date +%M%S)
	[ "$ms" -ge 5945 ] || [ "$ms" -le 2 ]
}
while near_hour; do
	sleep 1
done

start_daemon "jobs:
  hourly:
    command: [\"true\"]
    cron: \"0 * * * *\"
"
must_match '^[0-9]{4}-' "$(raw '{"cmd":"job","name":"hourly"}' |
    jq -r .result.job.next_run)" "hourly is armed"
# Let the daemon finish with the last client (its close is a wake-up).
sleep 0.5
a=$(vcsw)
sleep 5
b=$(vcsw)
kill -0 "$DPID" 2>/dev/null || fail "the daemon died"
must_equal "$a" "$b" "voluntary context switches of an idle daemon over 5 s"
exit 0
