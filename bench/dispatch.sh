#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Dispatch and control plane benchmarks of doc/performance.md, judged
# against figures measured on this machine in this run.  BENCH_RUNS
# rounds, each of:
#   - bench/ceiling: fork+exec+wait of /bin/true, serial and 8 in flight,
#     with fork, vfork and posix_spawn (and, in the first round, fork
#     after touching BENCH_MB of memory);
#   - bench/dispatch at concurrency 1 (BENCH_N1 tasks) and 8 (BENCH_N
#     tasks): pipelined "run"s of one job drained, with schedd's CPU time
#     per task from /proc.
# Each drain rate is compared with the ceiling of the same round, the same
# concurrency and the spawn method schedd uses with "cgroup: off" (vfork);
# the figures are the medians over the rounds.  Then the cost of schedctl
# calls.  Prints figures, then key=value lines; asserts nothing.
#
# usage: bench/dispatch.sh BUILDDIR
# Environment: BENCH_RUNS (3), BENCH_N (5000), BENCH_N1 (2000),
# BENCH_CEILING_N (2000), BENCH_CLI_N (schedctl calls, 200), BENCH_MB
# (fork test memory, 200).

set -eu

BUILDDIR=${1:?usage: dispatch.sh BUILDDIR}
BUILDDIR=$(cd "$BUILDDIR" && pwd)
SCHEDD=$BUILDDIR/schedd
SCHEDCTL=$BUILDDIR/schedctl
CEILING=$BUILDDIR/bench/ceiling
DISPATCH=$BUILDDIR/bench/dispatch
RUNS=${BENCH_RUNS:-3}
N=${BENCH_N:-5000}
N1=${BENCH_N1:-2000}
CEILING_N=${BENCH_CEILING_N:-2000}
CLI_N=${BENCH_CLI_N:-200}
MB=${BENCH_MB:-200}
WATCHDOG=600

for f in "$SCHEDD" "$SCHEDCTL" "$CEILING" "$DISPATCH"; do
	if [ ! -x "$f" ]; then
		echo "dispatch.sh: $f is missing: run make bench" >&2
		exit 1
	fi
done

. "$(dirname "$0")/lib.sh"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/schedd-bench.XXXXXX")
SOCK=$DIR/schedd.sock
LOG=$DIR/schedd.log
KV=$DIR/kv
PID=
: >"$KV"

cleanup() {
	bench_stop "$PID"
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Fail with the daemon's log.
fail() {
	echo "dispatch.sh: $*" >&2
	echo "--- schedd log:" >&2
	tail -n 40 "$LOG" >&2 || true
	exit 1
}

kv() {
	echo "$1=$2" >>"$KV"
}

# Seconds since the epoch, with nanoseconds.
now() {
	date +%s.%N
}

# Rate of COUNT things in the time between two now() stamps.
rate() {
	awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'
}

# Show a tool's output without its key=value lines (kept in the file).
show() {
	grep -v '^[a-z_0-9]*=' "$1" || true
}


# drain CONCURRENCY COUNT: one bench/dispatch run; prints "RATE CPU_US".
drain() {
	c0=$(bench_cpu_ticks "$PID")
	if ! timeout $WATCHDOG "$DISPATCH" -s "$SOCK" -n "$2" -c "$1" \
	    -t $WATCHDOG >"$DIR/dispatch.out" 2>>"$LOG"; then
		echo "failed failed"
		return
	fi
	c1=$(bench_cpu_ticks "$PID")
	failures=$(($(bench_value dispatch_refused "$DIR/dispatch.out") + \
	    $(bench_value dispatch_task_failures "$DIR/dispatch.out")))
	[ $failures -eq 0 ] || echo "dispatch: $failures failures" >&2
	awk -v a="$c0" -v b="$c1" -v n="$2" -v hz="$(getconf CLK_TCK)" \
	    -v r="$(bench_value dispatch_drain_rate "$DIR/dispatch.out")" \
	    'BEGIN { printf "%s %.1f\n", r, (b - a) / hz * 1e6 / n }'
}

cat >"$DIR/schedd.yaml" <<EOF
daemon:
  max_running: 8
  max_queued: 100000
  history: 60
  cgroup: off
EOF

echo "\$ $SCHEDD -c $DIR/schedd.yaml -s $SOCK -d $DIR/state"
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

c1_rate= c8_rate= c1_pct= c8_pct= c1_cpu= c8_cpu= ser= par= best=
r=1
while [ $r -le "$RUNS" ]; do
	mb=0
	[ $r -gt 1 ] || mb=$MB
	echo "== round $r: ceiling (fork+exec+wait of /bin/true," \
	    "$CEILING_N runs)"
	echo "\$ $CEILING -n $CEILING_N -j 8 -m $mb"
	timeout $WATCHDOG "$CEILING" -n "$CEILING_N" -j 8 -m "$mb" \
	    >"$DIR/ceiling.out" || fail "ceiling failed"
	show "$DIR/ceiling.out"
	s=$(bench_value vfork_serial "$DIR/ceiling.out")
	p=$(bench_value vfork_parallel "$DIR/ceiling.out")
	b=$(awk -F= '/^(fork|vfork|posix_spawn)_parallel=/ {
		if ($2 > m) m = $2 } END { print m }' "$DIR/ceiling.out")

	echo "== round $r: dispatch ($N1 runs of /bin/true, concurrency 1;" \
	    "$N runs, concurrency 8)"
	set -- $(drain 1 "$N1")
	pct=$(bench_percent "$1" "$s" 1)
	echo "concurrency 1: $1 tasks/s = $pct% of vfork serial ($s/s);" \
	    "schedd cpu $2 us/task"
	c1_rate="$c1_rate $1" c1_cpu="$c1_cpu $2" c1_pct="$c1_pct $pct"
	set -- $(drain 8 "$N")
	pct=$(bench_percent "$1" "$p" 1)
	echo "concurrency 8: $1 tasks/s = $pct% of vfork 8 in flight" \
	    "($p/s); schedd cpu $2 us/task"
	c8_rate="$c8_rate $1" c8_cpu="$c8_cpu $2" c8_pct="$c8_pct $pct"
	ser="$ser $s" par="$par $p" best="$best $(bench_percent "$1" "$b" 1)"
	r=$((r + 1))
done
kv drain_ceiling_vfork_serial "$(bench_median $ser)"
kv drain_ceiling_vfork_parallel8 "$(bench_median $par)"
kv drain_c1_rate "$(bench_median $c1_rate)"
kv drain_c8_rate "$(bench_median $c8_rate)"
kv drain_c1_percent "$(bench_median $c1_pct)"
kv drain_c8_percent "$(bench_median $c8_pct)"
kv drain_c8_percent_of_best_method "$(bench_median $best)"
kv drain_c1_cpu_us "$(bench_median $c1_cpu)"
kv drain_c8_cpu_us "$(bench_median $c8_cpu)"

echo "== schedctl ($CLI_N calls each)"
# The calls measured; $i is the call's number.
call_true() {
	/bin/true
}
call_status() {
	"$SCHEDCTL" -s "$SOCK" status >/dev/null
}
call_run() {
	"$SCHEDCTL" -s "$SOCK" run clibench >/dev/null
}
call_add() {
	"$SCHEDCTL" -s "$SOCK" add "adhoc$i" -- /bin/true >/dev/null
}

# calls FUNCTION: calls per second of CLI_N calls of it, one at a time.
calls() {
	t0=$(now)
	i=0
	while [ $i -lt "$CLI_N" ]; do
		"$1" || fail "$1 failed"
		i=$((i + 1))
	done
	rate "$CLI_N" "$t0" "$(now)"
}

true_rate=$(calls call_true)
# status first, while the daemon is idle and holds few jobs.
status_rate=$(calls call_status)
timeout $WATCHDOG "$SCHEDCTL" -s "$SOCK" add clibench --concurrency 8 \
    --queue-limit $((CLI_N + 10)) --every 1d -- /bin/true >/dev/null ||
    fail "schedctl add clibench failed"
run_rate=$(calls call_run)
add_rate=$(calls call_add)

echo "/bin/true: $true_rate runs/s"
echo "schedctl run: $run_rate calls/s (tasks submitted/s)"
echo "schedctl add (ad-hoc, no schedule): $add_rate calls/s"
echo "schedctl status: $status_rate calls/s"
status_cost=$(awk -v a="$true_rate" -v b="$status_rate" \
    'BEGIN { printf "%.2f", a / b }')
echo "schedctl status costs ${status_cost}x /bin/true (goal <= 1.5x)"
kv cli_true_rate "$true_rate"
kv cli_run_rate "$run_rate"
kv cli_add_rate "$add_rate"
kv cli_status_rate "$status_rate"
kv cli_status_cost "$status_cost"

echo "== summary (medians of $RUNS rounds; goals: drain >= 90% of the" \
    "same-method ceiling, <= 40 us of schedd cpu per task)"
cat "$KV"
