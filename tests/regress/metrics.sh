#!/bin/bash
# SPDX-License-Identifier: ISC
# Metrics (schedd.8 METRICS): "schedctl metrics" and metrics_file give
# the Prometheus text, which promtool accepts without a warning; the
# numbers follow tasks that succeed and fail, anyone may read them, job
# counters survive a restart, a long text streams whole, and a real
# node_exporter serves the file through its textfile collector.  The
# file follows reloads, and a failure to write it is logged once.
. "$(dirname "$0")/lib.sh"

# Needed here: tools/deps.sh installs them (prometheus, its node exporter).
for p in promtool prometheus-node-exporter curl; do
	command -v "$p" >/dev/null 2>&1 ||
	    fail "$p is missing: run tools/deps.sh"
done

PROM=$T/prom
FILE=$PROM/schedd.prom
mkdir "$PROM"
add_user
chmod 755 "$T"

conf()
{
	printf 'daemon:\n  socket_mode: "0666"\n  log_level: debug\n'
	[ -z "$1" ] || printf '  metrics_file: %s\n  metrics_interval: 1s\n' "$1"
	printf 'jobs:\n  ok: {command: "true"}\n  bad: {command: "false"}\n'
	printf '  idle: {command: "true", every: 1h}\n'
}

# lint FILE: promtool accepts it, with no warning at all.
lint()
{
	must_succeed promtool check metrics <"$1"
	must_equal "" "$OUT" "promtool check metrics on $1"
}

# value TEXT SAMPLE: the value of the sample (name and labels) in TEXT.
value()
{
	printf '%s\n' "$1" | awk -v s="$2" '$1 == s { print $2 }'
}

metrics()
{
	must_succeed ctl metrics
	M=$OUT
	printf '%s\n' "$M" >"$T/m.prom"
	lint "$T/m.prom"
}

# failed_again N: have N failed writes of the file been logged (at debug)?
failed_again()
{
	[ "$(grep -c 'metrics_file .*, again$' "$LOG")" -ge "$1" ]
}

T_OK='schedd_job_tasks_total{job="ok",state="succeeded"}'
T_BAD='schedd_job_tasks_total{job="bad",state="failed"}'

start_daemon "$(conf "$FILE")"
wait_for test -s "$FILE"
lint "$FILE"

metrics
must_equal 1 "$(value "$M" schedd_up)" schedd_up
must_equal 1 "$(value "$M" schedd_state_ok)" schedd_state_ok
must_equal 0 "$(value "$M" "$T_OK")" "ok succeeded before a run"
must_equal 0 "$(value "$M" schedd_tasks_started_total)" "tasks started"
must_equal "" "$(value "$M" 'schedd_job_last_success_timestamp_seconds{job="ok"}')" \
    "last success before one"
must_match '^[0-9]+\.[0-9]{3}$' \
    "$(value "$M" 'schedd_job_next_run_timestamp_seconds{job="idle"}')" \
    "next run of a scheduled job"
must_equal "" "$(value "$M" 'schedd_job_next_run_timestamp_seconds{job="ok"}')" \
    "next run of a job without a schedule"
must_match '^# TYPE schedd_timer_lateness_seconds summary$' "$M" "summary"

run_task id ok
wait_task "$id"
run_task id bad
wait_task "$id"
run_task id bad
wait_task "$id"
metrics
must_equal 1 "$(value "$M" "$T_OK")" "ok succeeded"
must_equal 0 "$(value "$M" 'schedd_job_tasks_total{job="ok",state="failed"}')" \
    "ok failed"
must_equal 2 "$(value "$M" "$T_BAD")" "bad failed"
must_equal 2 "$(value "$M" 'schedd_job_consecutive_failures{job="bad"}')" \
    "bad consecutive failures"
must_equal 0 "$(value "$M" 'schedd_job_consecutive_failures{job="ok"}')" \
    "ok consecutive failures"
must_equal 3 "$(value "$M" schedd_tasks_started_total)" "tasks started"
must_equal 0 "$(value "$M" 'schedd_job_running{job="ok"}')" "ok running"
success=$(value "$M" 'schedd_job_last_success_timestamp_seconds{job="ok"}')
must_match '^[0-9]+\.[0-9]{3}$' "$success" "ok last success"
now=$(date +%s)
[ "${success%.*}" -le "$now" ] && [ "${success%.*}" -ge $((now - 60)) ] ||
    fail "last success $success is not about now ($now)"
must_equal "" "$(value "$M" 'schedd_job_last_success_timestamp_seconds{job="bad"}')" \
    "bad never succeeded"
must_match '^[0-9]+\.[0-9]{3}$' \
    "$(value "$M" 'schedd_job_last_duration_seconds{job="bad"}')" "bad duration"

# The file catches up at its interval, and stays valid.
wait_for grep -qxF "$T_BAD 2" "$FILE"
lint "$FILE"
must_equal 644 "$(stat -c %a "$FILE")" "mode of the file"

# Anyone who may read status may read the metrics: the same jobs.
must_succeed uctl metrics
must_equal 2 "$(value "$OUT" "$T_BAD")" "bad failed, as a user"

# A real node_exporter serves the file through its textfile collector.
port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bg prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
    --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$PROM" 2>"$T/node-exporter.log"
wait_for curl -fsS -o "$T/scrape" "http://127.0.0.1:$port/metrics"
must_succeed grep -F "$T_BAD 2" "$T/scrape"
must_succeed grep -F "$T_OK 1" "$T/scrape"
if grep -qx 'node_textfile_scrape_error 1' "$T/scrape"; then
	cat "$T/node-exporter.log" >&2
	fail "node_exporter could not read the file"
fi

# Job counters and the last success survive a restart; the daemon's
# own counters start over; the file goes with the daemon.
stop_daemon
[ ! -e "$FILE" ] || fail "$FILE left behind by a stopped daemon"
start_daemon "$(conf "$FILE")"
metrics
must_equal 1 "$(value "$M" "$T_OK")" "ok succeeded after a restart"
must_equal 2 "$(value "$M" "$T_BAD")" "bad failed after a restart"
must_equal "$success" \
    "$(value "$M" 'schedd_job_last_success_timestamp_seconds{job="ok"}')" \
    "last success after a restart"
must_equal 0 "$(value "$M" schedd_tasks_started_total)" \
    "tasks started after a restart"

# A reload to a folder that does not exist: the old file goes, the
# failure is logged once however many intervals fail, then the file
# comes once the folder does.
conf "$T/later/schedd.prom" >"$CONF"
must_succeed ctl reload
[ ! -e "$FILE" ] || fail "$FILE left behind after metrics_file changed"
wait_for failed_again 2
must_equal 1 "$(grep -c 'warning: metrics_file .*later/schedd.prom' "$LOG")" \
    "warnings for a file that cannot be written"
mkdir "$T/later"
wait_for test -s "$T/later/schedd.prom"
wait_for grep -q "metrics_file $T/later/schedd.prom: written again" "$LOG"
must_equal 1 "$(grep -c 'warning: metrics_file .*later/schedd.prom' "$LOG")" \
    "warnings once the file is written"

# Without the setting, nothing is kept.
conf "" >"$CONF"
must_succeed ctl reload
[ ! -e "$T/later/schedd.prom" ] || fail "the file stays without metrics_file"

# A long text goes out in parts as the client reads it, whole and valid.
{
	conf ""
	for i in $(seq 1 3000); do
		printf '  job-%04d: {command: "true", every: 1h}\n' "$i"
	done
} >"$CONF"
must_succeed ctl reload
metrics
must_equal 3003 "$(value "$M" schedd_jobs)" "jobs"
must_equal 3003 "$(printf '%s\n' "$M" | grep -c '^schedd_job_running{')" \
    "running samples"
must_equal 0 "$(value "$M" 'schedd_job_tasks_total{job="job-3000",state="failed"}')" \
    "the last job"
must_equal 2 "$(value "$M" "$T_BAD")" "bad failed, in a long text"
exit 0
