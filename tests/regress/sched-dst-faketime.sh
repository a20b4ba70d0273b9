#!/bin/bash
# SPDX-License-Identifier: ISC
# Spring forward under libfaketime: the daemon runs in America/New_York
# from 2024-03-10 01:59:56 EST (faked), four seconds before the clocks
# jump to 03:00 EDT.  A minutely job ("* * * * *") fires exactly once, at
# 03:00:00 EDT, and a fixed-hour job ("30 2 * * *", whose 02:30 does not
# exist that day) fires once at the first valid instant after it, also
# 03:00:00 EDT; nothing else in the first ten seconds.
# Needs faketime (Debian package "faketime"); skipped without it.
. "$(dirname "$0")/lib.sh"

command -v faketime >/dev/null 2>&1 || skip "faketime is not installed"
[ -e /usr/share/zoneinfo/America/New_York ] || skip "no tzdata"
FTLIB=
for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
    /usr/local/lib/faketime/libfaketime.so.1 /usr/lib64/faketime/libfaketime.so.1; do
	if [ -e "$f" ]; then
		FTLIB=$f
		break
	fi
done
[ -n "$FTLIB" ] || skip "libfaketime.so.1 not found"

# faketime(1) forks and waits for its child, so the test's signals would
# reach faketime, not schedd: preload the library as faketime does, in
# its default start-at mode ("@": the clock starts there and runs on),
# and exec schedd so that $DPID is the daemon.  CLOCK_MONOTONIC is faked
# consistently (it runs on from the same start); an ASan build must accept
# the preloaded library.
REAL_SCHEDD=$SCHEDD
SCHEDD=$T/schedd-faketime
cat >"$SCHEDD" <<EOF_W
#!/bin/sh
TZ=America/New_York LD_PRELOAD=$FTLIB FAKETIME="@2024-03-10 01:59:56" \\
    ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0" \\
    exec "$REAL_SCHEDD" "\$@"
EOF_W
chmod +x "$SCHEDD"

hist() {
	raw "{\"cmd\":\"history\",\"name\":\"$1\"}" | jq -c '.result.tasks'
}
nfinished() {
	[ "$(jq -c "select(.event == \"task.finished\" and .job == \"$1\")" \
	    "$T/ev" | wc -l)" -ge "$2" ]
}

t0=$(date +%s)
start_daemon "jobs:
  minutely:
    command: [\"true\"]
    cron: \"* * * * *\"
  fixed:
    command: [\"true\"]
    cron: \"30 2 * * *\"
"
watch_to "$T/ev" task.finished
n=$(raw '{"cmd":"next","name":"minutely","count":1}' | jq -r '.result.times[0]')
[ "$(date -d "$n" +%s)" -eq "$(date -d 2024-03-10T03:00:00-04:00 +%s)" ] ||
    fail "the faked clock is not at 2024-03-10 01:59:5x EST: next of minutely is $n"
must_equal "$(date -d 2024-03-10T03:00:00-04:00 +%s)" \
    "$(date -d "$(raw '{"cmd":"next","name":"fixed","count":1}' |
    jq -r '.result.times[0]')" +%s)" "next of fixed (30 2 * * *)"

wait_for nfinished minutely 1
wait_for nfinished fixed 1
for j in minutely fixed; do
	t=$(hist "$j" | jq -c '.[0]')
	must_match '^2024-03-10T03:00:00\.[0-9]{3}-04:00$' "$(json_get "$t" .queued_at)" "$j: queued_at"
	must_match '^2024-03-10T03:00:00\.[0-9]{3}-04:00$' "$(json_get "$t" .started_at)" "$j: started_at"
	must_equal "schedule|succeeded" "$(json_get "$t" '"\(.trigger)|\(.state)"')" "$j: trigger|state"
done

# Nothing more in the first ten seconds (the next minutely firing is at
# 03:01:00): only waiting shows that nothing happens.
while [ $(($(date +%s) - t0)) -lt 10 ]; do
	sleep 0.2
done
must_equal 1 "$(hist minutely | jq length)" "tasks of minutely in the first 10 s"
must_equal 1 "$(hist fixed | jq length)" "tasks of fixed in the first 10 s"
must_equal "$(date -d 2024-03-11T02:30:00-04:00 +%s)" \
    "$(date -d "$(raw '{"cmd":"next","name":"fixed","count":1}' |
    jq -r '.result.times[0]')" +%s)" "next of fixed after it ran"
exit 0
