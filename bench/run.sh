#!/bin/sh
#
# Benchmarks of doc/performance.md that need a running daemon, judged
# against figures measured on this machine in this run: the raw spawn
# ceiling (bench/ceiling) and schedd's dispatch rate (bench/dispatch),
# plus the cost of schedctl calls.  Prints figures; asserts nothing.
# Timer figures are bench/timers.sh's ("make bench" runs both).
#
# usage: bench/run.sh BUILDDIR
# Environment: BENCH_N (dispatch tasks, 5000), BENCH_CEILING_N (2000),
# BENCH_CLI_N (schedctl calls, 200), BENCH_MB (fork test memory, 200).

set -eu

BUILDDIR=${1:?usage: run.sh BUILDDIR}
BUILDDIR=$(cd "$BUILDDIR" && pwd)
SCHEDD=$BUILDDIR/schedd
SCHEDCTL=$BUILDDIR/schedctl
CEILING=$BUILDDIR/bench/ceiling
DISPATCH=$BUILDDIR/bench/dispatch
N=${BENCH_N:-5000}
CEILING_N=${BENCH_CEILING_N:-2000}
CLI_N=${BENCH_CLI_N:-200}
MB=${BENCH_MB:-200}
WATCHDOG=600

for f in "$SCHEDD" "$SCHEDCTL" "$CEILING" "$DISPATCH"; do
	if [ ! -x "$f" ]; then
		echo "run.sh: $f is missing: run make first" >&2
		exit 1
	fi
done

DIR=$(mktemp -d "${TMPDIR:-/tmp}/schedd-bench.XXXXXX")
SOCK=$DIR/schedd.sock
LOG=$DIR/schedd.log
PID=

cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		"$SCHEDCTL" -s "$SOCK" shutdown --force >/dev/null 2>&1 ||
		    kill "$PID" 2>/dev/null || true
		i=0
		while kill -0 "$PID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Fail with the daemon's log.
fail() {
	echo "run.sh: $*" >&2
	echo "--- schedd log:" >&2
	tail -n 40 "$LOG" >&2 || true
	exit 1
}

# Seconds since the epoch, with nanoseconds.
now() {
	date +%s.%N
}

# Rate of COUNT things in the time between two now() stamps.
rate() {
	awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'
}

# User plus system clock ticks of a process, where /proc tells.
cpu_ticks() {
	[ -r "/proc/$1/stat" ] || return 0
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# The value of KEY in a file of key=value lines.
value() {
	sed -n "s/^$1=//p" "$2" | tail -n 1
}

cat >"$DIR/schedd.yaml" <<EOF
daemon:
  max_running: 8
  max_queued: 100000
  history: 60
EOF

echo "== ceiling (fork+exec+wait of /bin/true, $CEILING_N runs)"
timeout $WATCHDOG "$CEILING" -n "$CEILING_N" -j 8 -m "$MB" |
    tee "$DIR/ceiling.out"

echo "== schedd"
"$SCHEDD" -c "$DIR/schedd.yaml" -s "$SOCK" -d "$DIR/state" 2>"$LOG" &
PID=$!
# Wait for the socket to appear; there is no event to wait on from here.
i=0
until [ -S "$SOCK" ]; do
	kill -0 "$PID" 2>/dev/null || fail "schedd exited at start"
	[ $i -lt 100 ] || fail "no socket after 10 s"
	sleep 0.1
	i=$((i + 1))
done
"$SCHEDCTL" -s "$SOCK" status >/dev/null || fail "schedd does not answer"

echo "== dispatch ($N runs of /bin/true, concurrency 8)"
cpu0=$(cpu_ticks "$PID")
timeout $WATCHDOG "$DISPATCH" -s "$SOCK" -n "$N" -c 8 -t $WATCHDOG |
    tee "$DIR/dispatch.out" || fail "dispatch failed"
cpu1=$(cpu_ticks "$PID")
if [ -n "$cpu0" ] && [ -n "$cpu1" ]; then
	awk -v a="$cpu0" -v b="$cpu1" -v n="$N" -v hz="$(getconf CLK_TCK)" \
	    'BEGIN { printf "schedd cpu: %.1f us per task\n",
	    (b - a) / hz * 1e6 / n; printf "dispatch_daemon_cpu_us=%.1f\n",
	    (b - a) / hz * 1e6 / n }'
fi

echo "== schedctl ($CLI_N calls each)"
t0=$(now)
i=0
while [ $i -lt "$CLI_N" ]; do
	/bin/true
	i=$((i + 1))
done
t1=$(now)
true_rate=$(rate "$CLI_N" "$t0" "$t1")

# status first, while the daemon is idle and holds few jobs.
t0=$(now)
i=0
while [ $i -lt "$CLI_N" ]; do
	"$SCHEDCTL" -s "$SOCK" status >/dev/null ||
	    fail "schedctl status failed"
	i=$((i + 1))
done
t1=$(now)
status_rate=$(rate "$CLI_N" "$t0" "$t1")

timeout $WATCHDOG "$SCHEDCTL" -s "$SOCK" add clibench --concurrency 8 \
    --queue-limit $((CLI_N + 10)) --every 1d -- /bin/true >/dev/null ||
    fail "schedctl add clibench failed"
t0=$(now)
i=0
while [ $i -lt "$CLI_N" ]; do
	"$SCHEDCTL" -s "$SOCK" run clibench >/dev/null ||
	    fail "schedctl run failed"
	i=$((i + 1))
done
t1=$(now)
run_rate=$(rate "$CLI_N" "$t0" "$t1")

t0=$(now)
i=0
while [ $i -lt "$CLI_N" ]; do
	"$SCHEDCTL" -s "$SOCK" add "adhoc$i" -- /bin/true >/dev/null ||
	    fail "schedctl add failed"
	i=$((i + 1))
done
t1=$(now)
add_rate=$(rate "$CLI_N" "$t0" "$t1")

echo "/bin/true: $true_rate runs/s"
echo "schedctl run: $run_rate calls/s (tasks submitted/s)"
echo "schedctl add (ad-hoc, no schedule): $add_rate calls/s"
echo "schedctl status: $status_rate calls/s"

echo "== summary"
ceil=$(value ceiling_parallel "$DIR/ceiling.out")
best=$(awk -F= '/^(fork|vfork|posix_spawn)_parallel=/ {
	if ($2 > m) m = $2 } END { print m }' "$DIR/ceiling.out")
drain=$(value dispatch_drain_rate "$DIR/dispatch.out")
failures=$(( $(value dispatch_refused "$DIR/dispatch.out") + \
    $(value dispatch_task_failures "$DIR/dispatch.out") ))
ratio=$(awk -v a="$drain" -v b="$ceil" 'BEGIN { printf "%.0f", 100 * a / b }')
ratio_best=$(awk -v a="$drain" -v b="$best" \
    'BEGIN { printf "%.0f", 100 * a / b }')
status_cost=$(awk -v a="$true_rate" -v b="$status_rate" \
    'BEGIN { printf "%.2f", a / b }')
echo "dispatch: $drain tasks/s; parallel ceiling: $ceil spawns/s;" \
    "ratio: $ratio% (goal >= 80%)"
echo "dispatch vs best spawn method ($best spawns/s): $ratio_best%"
echo "dispatch failures: $failures"
echo "schedctl status costs ${status_cost}x /bin/true (goal <= 2x)"
echo "bench_dispatch_rate=$drain"
echo "bench_ceiling_parallel=$ceil"
echo "bench_ratio_percent=$ratio"
echo "bench_ratio_best_percent=$ratio_best"
echo "bench_schedctl_run_rate=$run_rate"
echo "bench_schedctl_add_rate=$add_rate"
echo "bench_schedctl_status_rate=$status_rate"
echo "bench_true_rate=$true_rate"
