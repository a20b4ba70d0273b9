#!/bin/bash
# SPDX-License-Identifier: ISC
# A forward wall-clock jump, faked with libfaketime (the real clock is never
# touched): the daemon starts at 2024-01-01 00:04:52 UTC (faked) with a
# "*/5 * * * *" catch_up job, then the fake clock jumps 32 minutes ahead.
# The firings the jump passed (00:05 ... 00:35) are counted in "missed",
# the job runs once for them (no burst), and its next run is 00:40.
#
# The kernel does not see a faked jump, so the daemon's CLOCK_REALTIME
# timerfd (TFD_TIMER_CANCEL_ON_SET) cannot fire: the daemon notices at its
# next timer instead (00:05 on the monotonic clock, which is not faked
# here), and runs that overdue firing (trigger schedule) rather than a
# catch_up task.  Either is accepted: one task, trigger catch_up or
# schedule.  Needs faketime; skipped without it.
. "$(dirname "$0")/lib.sh"

command -v faketime >/dev/null 2>&1 || skip "faketime is not installed"
FTLIB=
for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
    /usr/local/lib/faketime/libfaketime.so.1 /usr/lib64/faketime/libfaketime.so.1; do
	if [ -e "$f" ]; then
		FTLIB=$f
		break
	fi
done
[ -n "$FTLIB" ] || skip "libfaketime.so.1 not found"

# FAKETIME_TIMESTAMP_FILE with FAKETIME_NO_CACHE: the fake time is read
# from the file at every call, so rewriting it moves the daemon's clock.
echo "@2024-01-01 00:04:52" >"$T/faketime"
REAL_SCHEDD=$SCHEDD
SCHEDD=$T/schedd-faketime
cat >"$SCHEDD" <<EOF_W
#!/bin/sh
TZ=UTC LD_PRELOAD=$FTLIB FAKETIME_TIMESTAMP_FILE=$T/faketime \\
    FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \\
    ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0" \\
    exec "$REAL_SCHEDD" "\$@"
EOF_W
chmod +x "$SCHEDD"

epoch() { date -d "$1" +%s; }
# next_run to the nearest second (its milliseconds are checked elsewhere,
# in sched-next-run-wall.sh).
epoch_r() { echo $((($(date -d "$1" +%s%3N) + 500) / 1000)); }
idle() {
	[ "$(jf '"\(.running)|\(.queued)"')" = "0|0" ]
}
jf() {
	raw '{"cmd":"job","name":"cu"}' | jq -r ".result.job | $1"
}

t0=$(date +%s)
start_daemon "jobs:
  cu:
    command: [\"true\"]
    cron: \"*/5 * * * *\"
    catch_up: true
"
must_equal "$(epoch 2024-01-01T00:05:00Z)" "$(epoch_r "$(jf .next_run)")" \
    "next_run before the jump (is the clock faked?)"

echo "@2024-01-01 00:36:52" >"$T/faketime"
# The task, at once (timerfd) or at the 00:05 deadline (about 8 s after
# the start on the monotonic clock): wait up to 12 s after the start.
while [ "$(jf .runs)" -lt 1 ] && [ $(($(date +%s) - t0)) -lt 12 ]; do
	sleep 0.1
done
[ "$(jf .runs)" -ge 1 ] || fail "no run 12 s after the start: $(jf .)"
wait_for idle
# No burst: nothing more follows (the next time is 00:40, minutes away).
sleep 0.5
h=$(raw '{"cmd":"history","name":"cu"}')
must_equal 1 "$(json_get "$h" '.result.tasks | length')" "tasks after the jump: $h"
trig=$(json_get "$h" '.result.tasks[0].trigger')
must_match '^(catch_up|schedule)$' "$trig" "trigger of the task after the jump"
missed=$(jf .missed)
[ "$missed" -ge 6 ] || fail "missed after a 32-minute jump over */5: $missed (want >= 6)"
must_equal "$(epoch 2024-01-01T00:40:00Z)" "$(epoch_r "$(jf .next_run)")" \
    "next_run after the jump"
if grep -q 'wall clock changed' "$LOG"; then
	echo "clock jump seen by the timerfd: trigger $trig, missed $missed"
else
	echo "clock jump not seen by the timerfd (faked): noticed at the next" \
	    "timer; trigger $trig, missed $missed"
fi
exit 0
