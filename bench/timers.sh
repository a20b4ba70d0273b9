#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Timer benchmarks of doc/performance.md, read from the daemon's own
# "status".timers figures (lateness in microseconds from a timer's
# deadline to the moment the daemon handles the firing):
#   (a) 1000 "every: 1s" jobs spread over one second, while another
#       process writes and fsyncs a file beside the state folder:
#       lateness p50/p99/max (goal: p99 <= 1000 us), and, with the disk
#       kept busy the same way, the floor: bench/timerfloor's bare timer
#       loop waking as often, beside a process starting as many
#       /bin/true a second;
#   (b) 1000 "at" jobs due at the same second: none lost, the timer
#       handling p99 (goal: <= 1000 us), and how long until all had
#       started, against the time bench/ceiling needs for 1000 spawns with
#       the method schedd uses (vfork) and as many in flight as the
#       daemon's max_running (goal: <= 1.1x);
# (a) and (b) run BENCH_RUNS times and report medians;
#   (c) 50 "* * * * *" cron jobs over minute boundaries: lateness
#       (goal: p99 <= 300 us);
#   (d) idle: voluntary context switches of a daemon with one hourly job
#       over BENCH_IDLE_SECS (goal: 0).
# Prints figures with the commands that produced them, then key=value
# lines.  Asserts nothing.
#
# usage: bench/timers.sh BUILDDIR
# Environment: BENCH_RUNS (3), BENCH_TIMER_JOBS (1000), BENCH_TIMER_SECS
# (12), BENCH_TIMER_BUSY (1: keep the disk busy during (a); 0: do not),
# BENCH_BURST_JOBS (1000), BENCH_CRON_JOBS (50), BENCH_CRON_MINUTES (1; 0
# skips (c)), BENCH_IDLE_SECS (60; 0 skips (d)).

set -eu

BUILDDIR=${1:?usage: timers.sh BUILDDIR}
BUILDDIR=$(cd "$BUILDDIR" && pwd)
SCHEDD=$BUILDDIR/schedd
SCHEDCTL=$BUILDDIR/schedctl
CEILING=$BUILDDIR/bench/ceiling
FLOOR=$BUILDDIR/bench/timerfloor
RUNS=${BENCH_RUNS:-3}
NJOBS=${BENCH_TIMER_JOBS:-1000}
TSECS=${BENCH_TIMER_SECS:-12}
BUSY=${BENCH_TIMER_BUSY:-1}
NBURST=${BENCH_BURST_JOBS:-1000}
NCRON=${BENCH_CRON_JOBS:-50}
CMIN=${BENCH_CRON_MINUTES:-1}
IDLE=${BENCH_IDLE_SECS:-60}

for f in "$SCHEDD" "$SCHEDCTL"; do
	if [ ! -x "$f" ]; then
		echo "timers.sh: $f is missing: run make first" >&2
		exit 1
	fi
done
for tool in python3 jq; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "timers.sh: needs $tool" >&2
		exit 1
	fi
done

DIR=$(mktemp -d "${TMPDIR:-/tmp}/schedd-timers.XXXXXX")
SOCK=$DIR/schedd.sock
LOG=$DIR/schedd.log
KV=$DIR/kv
PID=
BUSY_PID=
: >"$KV"

. "$(dirname "$0")/lib.sh"

stop() {
	bench_stop "$PID"
	PID=
}
busy_stop() {
	[ -z "$BUSY_PID" ] || kill "$BUSY_PID" 2>/dev/null || true
	[ -z "$BUSY_PID" ] || wait "$BUSY_PID" 2>/dev/null || true
	BUSY_PID=
	rm -f "$DIR/busy"
}
cleanup() {
	busy_stop
	stop
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "timers.sh: $*" >&2
	echo "--- schedd log:" >&2
	tail -n 40 "$LOG" >&2 || true
	exit 1
}

kv() {
	echo "$1=$2" >>"$KV"
	echo "$1=$2"
}

# The client: sends request lines on one connection, paced, and reads
# the answers; "raw" mode prints them.
cat >"$DIR/client.py" <<'EOF_PY'
import json, socket, sys, time
mode, path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
f = s.makefile("rwb")
def call(req):
    f.write(json.dumps(req).encode() + b"\n"); f.flush()
    while True:
        a = json.loads(f.readline())
        if "event" not in a:
            return a
if mode == "raw":
    for r in sys.argv[3:]:
        print(json.dumps(call(json.loads(r))))
elif mode == "add":
    # add N SPREAD_SECONDS JSON-TEMPLATE (name gets a number appended)
    n, spread = int(sys.argv[3]), float(sys.argv[4])
    tmpl = json.loads(sys.argv[5])
    t0 = time.monotonic()
    bad = 0
    for i in range(n):
        if spread > 0:
            d = t0 + spread * i / n - time.monotonic()
            if d > 0:
                time.sleep(d)
        j = dict(tmpl); j["name"] = "%s%d" % (tmpl["name"], i)
        a = call({"cmd": "add", "job": j})
        if not a.get("ok"):
            bad += 1
            if bad == 1:
                sys.stderr.write("add: %s\n" % json.dumps(a))
    print("added=%d refused=%d seconds=%.3f" %
          (n - bad, bad, time.monotonic() - t0))
EOF_PY

raw() {
	python3 "$DIR/client.py" raw "$SOCK" "$@"
}

# start YAML: a fresh daemon and state folder.
start() {
	rm -rf "$DIR/state"
	printf '%s\n' "$1" >"$DIR/schedd.yaml"
	echo "\$ $SCHEDD -c $DIR/schedd.yaml -s $SOCK -d $DIR/state"
	"$SCHEDD" -c "$DIR/schedd.yaml" -s "$SOCK" -d "$DIR/state" 2>>"$LOG" &
	PID=$!
	i=0
	until [ -S "$SOCK" ] && raw '{"cmd":"hello"}' >/dev/null 2>&1; do
		kill -0 "$PID" 2>/dev/null || fail "schedd exited at start"
		[ $i -lt 100 ] || fail "no answer after 10 s"
		sleep 0.1
		i=$((i + 1))
	done
}

timers() {
	raw '{"cmd":"status"}' | jq -c .result.timers
}

# Print lateness figures of "status".timers with a key prefix.
report_timers() {
	t=$(timers)
	echo "status.timers: $t"
	kv "${1}_fired" "$(echo "$t" | jq .fired)"
	kv "${1}_samples" "$(echo "$t" | jq .samples)"
	kv "${1}_late_p50_us" "$(echo "$t" | jq .late_p50_us)"
	kv "${1}_late_p99_us" "$(echo "$t" | jq .late_p99_us)"
	kv "${1}_late_max_us" "$(echo "$t" | jq .late_max_us)"
}

MAX_RUNNING=64
daemon_conf="daemon:
  max_running: $MAX_RUNNING
  max_queued: 100000
  history: 20
  cgroup: off"

# Keep the disk busy: write and fsync 64 MiB again and again beside the
# state folder, in the background.
busy_start() {
	(
		while :; do
			dd if=/dev/zero of="$DIR/busy" bs=1M count=64 \
			    conv=fdatasync 2>/dev/null
		done
	) &
	BUSY_PID=$!
}

# median KEY: the median of KEY's values over the runs (in $KV.runs).
median() {
	bench_median $(sed -n "s/^$1=//p" "$KV.runs")
}

# run_kv KEY VALUE: one run's figure, for median.
run_kv() {
	echo "$1=$2" >>"$KV.runs"
	echo "  $1=$2"
}
: >"$KV.runs"

# Print one run's lateness figures of "status".timers with a key prefix.
run_timers() {
	t=$(timers)
	echo "status.timers: $t"
	run_kv "${1}_late_p50_us" "$(echo "$t" | jq .late_p50_us)"
	run_kv "${1}_late_p99_us" "$(echo "$t" | jq .late_p99_us)"
	run_kv "${1}_late_max_us" "$(echo "$t" | jq .late_max_us)"
}

busy=
[ "$BUSY" = 0 ] || busy=", the disk kept busy"
r=1
while [ $r -le "$RUNS" ]; do
	echo "== (a) run $r: $NJOBS 'every: 1s' jobs added over ~1 s," \
	    "max_runs 10, /bin/true$busy"
	start "$daemon_conf
jobs: {}"
	[ "$BUSY" = 0 ] || busy_start
	job='{"name":"ev","command":["/bin/true"],"every":"1s","max_runs":10}'
	echo "\$ client.py add $NJOBS 1.0 '$job'"
	python3 "$DIR/client.py" add "$SOCK" "$NJOBS" 1.0 "$job" ||
	    fail "add failed"
	sleep "$TSECS"
	echo "\$ schedctl --json status   # after $TSECS s"
	run_timers every
	stop
	if [ -x "$FLOOR" ]; then
		echo "\$ $FLOOR -p $((1000000 / NJOBS)) -r $NJOBS -s $TSECS"
		"$FLOOR" -p $((1000000 / NJOBS)) -r "$NJOBS" -s "$TSECS" \
		    >"$DIR/floor.out" || true
		cat "$DIR/floor.out"
		fl=$(bench_value floor_late_p99_us "$DIR/floor.out")
		[ -z "$fl" ] || run_kv every_floor_p99_us "$fl"
	fi
	busy_stop
	r=$((r + 1))
done
kv every_jobs "$NJOBS"
kv every_busy_disk "$BUSY"
kv every_late_p50_us "$(median every_late_p50_us)"
kv every_late_p99_us "$(median every_late_p99_us)"
kv every_late_max_us "$(median every_late_max_us)"
kv every_floor_p99_us "$(median every_floor_p99_us)"

r=1
while [ $r -le "$RUNS" ]; do
	echo "== (b) run $r: $NBURST 'at' jobs due at the same second"
	start "$daemon_conf
jobs: {}"
	at=$(date -u -d '+6 seconds' +%Y-%m-%dT%H:%M:%SZ)
	at_ms=$(($(date -d "$at" +%s) * 1000))
	job="{\"name\":\"at\",\"command\":[\"/bin/true\"],\"at\":\"$at\"}"
	echo "\$ client.py add $NBURST 0 '$job'"
	python3 "$DIR/client.py" add "$SOCK" "$NBURST" 0 "$job" ||
	    fail "add failed"
	now_ms=$(date +%s%3N)
	[ "$now_ms" -lt "$at_ms" ] || fail "adding took past the at time $at"
	# Wait for the instant and 2 s more without a process of our own
	# (a poll costs more CPU than a hundred spawns and would slow the
	# burst it measures), then until every task has ended (bounded).
	now_ms=$(date +%s%3N)
	sleep "$(awk -v d=$((at_ms + 2000 - now_ms)) \
	    'BEGIN { printf "%.3f", d / 1000 }')"
	i=0
	while :; do
		s=$(raw '{"cmd":"status"}')
		n=$(echo "$s" | jq .result.tasks_started)
		q=$(echo "$s" | jq '.result.running + .result.queued')
		[ "$(date +%s%3N)" -gt "$at_ms" ] && [ "$n" -ge "$NBURST" ] &&
		    [ "$q" -eq 0 ] && break
		[ $i -lt 600 ] || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "\$ schedctl --json history --limit $((NBURST * 2))" \
	    "  # started_at of the tasks"
	raw "{\"cmd\":\"history\",\"limit\":$((NBURST * 2))}" |
	    jq -r '.result.tasks[] | select(.trigger == "schedule") |
	    .started_at' >"$DIR/starts"
	started=0
	first=
	last=
	while read -r v; do
		[ "$v" != null ] || continue
		v=$(date -d "$v" +%s%3N)
		started=$((started + 1))
		if [ -z "$first" ] || [ "$v" -lt "$first" ]; then first=$v; fi
		if [ -z "$last" ] || [ "$v" -gt "$last" ]; then last=$v; fi
	done <"$DIR/starts"
	run_timers burst
	run_kv burst_started "$started"
	run_kv burst_lost $((NBURST - started))
	run_kv burst_first_start_after_ms $((${first:-$at_ms} - at_ms))
	run_kv burst_all_started_after_ms $((${last:-$at_ms} - at_ms))
	stop
	if [ -x "$CEILING" ]; then
		echo "\$ $CEILING -n $NBURST -j $MAX_RUNNING -m 0"
		"$CEILING" -n "$NBURST" -j "$MAX_RUNNING" -m 0 \
		    >"$DIR/ceiling.out" || true
		ceil=$(bench_value vfork_parallel "$DIR/ceiling.out")
		if [ -n "$ceil" ] && [ -n "$last" ]; then
			floor=$(awk -v n="$NBURST" -v c="$ceil" \
			    'BEGIN { printf "%.0f", 1000 * n / c }')
			run_kv burst_floor_ms "$floor"
			run_kv burst_vs_floor "$(awk -v a="$((last - at_ms))" \
			    -v b="$floor" 'BEGIN { printf "%.2f", a / b }')"
			echo "$NBURST vfork spawns, $MAX_RUNNING in flight," \
			    "take $floor ms; schedd started all $started in" \
			    "$((last - at_ms)) ms after the instant"
		fi
	fi
	r=$((r + 1))
done
kv burst_jobs "$NBURST"
kv burst_started "$(median burst_started)"
kv burst_lost "$(median burst_lost)"
kv burst_late_p99_us "$(median burst_late_p99_us)"
kv burst_late_max_us "$(median burst_late_max_us)"
kv burst_first_start_after_ms "$(median burst_first_start_after_ms)"
kv burst_all_started_after_ms "$(median burst_all_started_after_ms)"
kv burst_floor_ms "$(median burst_floor_ms)"
kv burst_vs_floor "$(median burst_vs_floor)"

# (c) and (d) as functions, so that a size of 0 skips them.
cron_run() {
	echo "== (c) $NCRON '* * * * *' cron jobs, $CMIN minute boundar(y/ies)"
	conf="$daemon_conf
jobs:"
	i=0
	while [ $i -lt "$NCRON" ]; do
		conf="$conf
  cr$i:
    command: [\"/bin/true\"]
    cron: \"* * * * *\""
		i=$((i + 1))
	done
	start "$conf"
	m=0
	while [ $m -lt "$CMIN" ]; do
		# Sleep past the next minute boundary, plus 2 s for the tasks.
		sleep $((62 - $(date +%s) % 60))
		m=$((m + 1))
	done
	echo "\$ schedctl --json status   # after $CMIN minute boundar(y/ies)"
	report_timers cron
	stop
}

vcsw() {
	cat /proc/"$PID"/task/*/status 2>/dev/null |
	    awk '/^voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

idle_run() {
	echo "== (d) idle: one hourly job, no clients, $IDLE s"
	start "daemon:
  cgroup: off
jobs:
  hourly:
    command: [\"/bin/true\"]
    cron: \"0 * * * *\""
	sleep 0.5
	a=$(vcsw)
	sleep "$IDLE"
	b=$(vcsw)
	echo "\$ grep voluntary_ctxt_switches /proc/$PID/task/*/status" \
	    "  # before/after: $a/$b"
	kv idle_secs "$IDLE"
	kv idle_voluntary_ctxt_switches $((b - a))
	stop
}

[ "$CMIN" -eq 0 ] || cron_run
[ "$IDLE" -eq 0 ] || idle_run

echo "== summary (medians of $RUNS runs for (a) and (b); goals: every p99 <="
echo "   1000 us; burst p99 <= 1000 us, lost 0, <= 1.1x the spawn floor;"
echo "   cron p99 <= 300 us; idle 0)"
cat "$KV"
