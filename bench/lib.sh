# SPDX-License-Identifier: ISC
# Shared by the benchmark scripts: sourced, not run.

# bench_stop PID [SECONDS]: stop a benchmark's daemon (SIGTERM, up to
# SECONDS, default 10, for a clean exit, then SIGKILL) and reap it.
bench_stop()
{
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
	kill "$1" 2>/dev/null || true
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt $((${2:-10} * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# bench_median VALUE...: the median of the numeric values, or "failed" if
# there is none.
bench_median()
{
	printf '%s\n' "$@" | grep -E '^[0-9]+(\.[0-9]*)?$' | sort -g |
	    awk '{ v[NR] = $1 } END {
		if (NR == 0) print "failed";
		else if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_value KEY FILE: the last value of KEY in a file of key=value lines.
bench_value()
{
	sed -n "s/^$1=//p" "$2" | tail -n 1
}

# bench_rss PID: the resident memory of a process in KiB.
bench_rss()
{
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# bench_cpu_ticks PID: user plus system clock ticks of a process.
bench_cpu_ticks()
{
	[ -r "/proc/$1/stat" ] || return 0
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# bench_percent A B [DECIMALS]: A as a percentage of B (DECIMALS digits
# after the point, default 0), or "n/a" unless both are numbers.
bench_percent()
{
	awk -v a="$1" -v b="$2" -v d="${3:-0}" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0)
			printf "%.*f", d, 100 * a / b;
		else
			print "n/a" }'
}

# bench_call OUT JSON [OPTION...]: one request (bench/request call, with
# the OPTIONs) to the daemon on $SOCK, at most $WATCHDOG seconds;
# key=value lines in OUT, errors in $LOG.  A failure is in OUT, not fatal.
bench_call()
{
	_out=$1
	_req=$2
	shift 2
	"$REQUEST" -s "$SOCK" -t "$WATCHDOG" "$@" call "$_req" >"$_out" \
	    2>>"$LOG" || true
}
