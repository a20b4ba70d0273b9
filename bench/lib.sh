# Shared by the benchmark scripts: sourced, not run.

# bench_stop PID: stop a benchmark's daemon (SIGTERM, up to 10 s for a
# clean exit, then SIGKILL) and reap it.
bench_stop()
{
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
	kill "$1" 2>/dev/null || true
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
