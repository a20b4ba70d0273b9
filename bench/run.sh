#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Runs the benchmarks of doc/performance.md ("make bench") and prints the
# table of its targets: for each, the measured figure, the goal, their
# ratio (measured / goal) and whether it meets it.  Each script prints its
# figures and ends with key=value lines, which this one collects; none
# asserts anything, and a script that fails leaves its rows "not
# measured" while the others go on.
#
# usage: bench/run.sh BUILDDIR
# Environment: BENCH_ONLY (the scripts to run, of "dispatch timers
# durability scale cgroup metrics"; all by default), BENCH_RUNS (runs per figure,
# of which the median is reported: 3), and each script's own variables
# (see the top of each).

set -u

BUILDDIR=${1:?usage: run.sh BUILDDIR}
BUILDDIR=$(cd "$BUILDDIR" && pwd)
SRCDIR=$(cd "$(dirname "$0")" && pwd)
ONLY=${BENCH_ONLY:-dispatch timers durability scale cgroup metrics}

OUT=$(mktemp -d "${TMPDIR:-/tmp}/schedd-bench-run.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
trap 'exit 130' INT TERM

: >"$OUT/kv"
for s in $ONLY; do
	if [ ! -f "$SRCDIR/$s.sh" ]; then
		echo "run.sh: no benchmark $s" >&2
		continue
	fi
	echo "######## bench/$s.sh"
	t0=$(date +%s)
	sh "$SRCDIR/$s.sh" "$BUILDDIR" 2>&1 </dev/null | tee "$OUT/$s.out"
	echo "######## bench/$s.sh took $(($(date +%s) - t0)) s"
	grep -E '^[a-z][a-z0-9_]*=' "$OUT/$s.out" >>"$OUT/kv" || true
done

# The table.  A row's value is a key's figure; its goal is a number (or a
# key holding one), and "<=" or ">=" says which side meets it.  "info" rows
# have no goal.
awk -F= '
NR == FNR { v[$1] = substr($0, length($1) + 2); next }
function num(x) { return x ~ /^[0-9]+(\.[0-9]*)?$/ }
function row(label, key, unit, goal, dir, note,   m, g, ratio, verdict) {
	if (!(key in v) || v[key] == "") {
		m = "not measured"
		ratio = "-"
		verdict = "-"
	} else if (!num(v[key])) {
		m = v[key]
		ratio = "-"
		verdict = dir == "info" ? "info" : "misses"
	} else {
		m = v[key] " " unit
		if (dir == "info") {
			ratio = "-"
			verdict = "info"
		} else if (!num(goal)) {
			ratio = "-"
			verdict = "-"
		} else {
			ratio = goal + 0 == 0 ? "-" : \
			    sprintf("%.2f", v[key] / goal)
			# + 0: compare as numbers, never as strings
			verdict = (dir == "<=" ? v[key] + 0 <= goal + 0 : \
			    v[key] + 0 >= goal + 0) ? "meets" : "misses"
		}
	}
	g = dir == "info" ? "-" : dir " " goal " " unit
	if (note != "")
		g = g " " note
	printf "%-44s %-22s %-24s %-6s %s\n", label, m, g, ratio, verdict
}
# The ratio of two figures, as a new key.
function quot(key, a, b) {
	if (num(v[a]) && num(v[b]) && v[b] > 0)
		v[key] = sprintf("%.2f", v[a] / v[b])
	else if (a in v && b in v)
		v[key] = "failed"
}
END {
	jobs = v["scale_jobs"] != "" ? v["scale_jobs"] : "?"
	recs = v["scale_rec_records"] != "" ? v["scale_rec_records"] : "?"
	list = v["scale_list_jobs"] != "" ? v["scale_list_jobs"] : "?"
	quot("rt_rss", "scale_rt_rss_after_kib", "scale_rt_rss_before_kib")
	quot("rec_rss", "scale_rec_rss_after_kib", "scale_rec_rss_before_kib")
	quot("adds8", "durability_adds8_disk", "durability_adds1_disk")

	printf "\n== summary: medians of the runs; ratio = measured / goal\n"
	printf "%-44s %-22s %-24s %-6s %s\n", "row", "measured", "goal", \
	    "ratio", "verdict"
	row(jobs " config jobs: first answer", \
	    "scale_config_first_answer_s", "s", 1, "<=")
	row(jobs " config jobs: resident per job", \
	    "scale_config_kib_per_job", "KiB", 1, "<=")
	row("reload, 1 of " jobs " changed", "scale_reload_one_s", "s", \
	    v["scale_reload_goal_s"], "<=", "(parse " v["scale_parse_s"] \
	    " s + 0.1)")
	row("jobs at " jobs ": whole answer", "scale_jobs_all_s", "s", 1, \
	    "<=")
	row("jobs at " list ": per request", "scale_list_request_ms", "ms", \
	    "", "info")
	row("jobs at " list ": per entry", "scale_list_us_per_entry", "us", \
	    3, "<=")
	row("restart, " jobs " runtime jobs: first answer", \
	    "scale_rt_restart_s", "s", 1, "<=")
	row("restart, " jobs " runtime jobs: RSS before", \
	    "scale_rt_rss_before_kib", "KiB", "", "info")
	row("restart, " jobs " runtime jobs: RSS after", \
	    "scale_rt_rss_after_kib", "KiB", "", "info")
	row("restart, " jobs " runtime jobs: RSS after/before", "rt_rss", \
	    "x", 1, "<=")
	row("restart, " recs " records: first answer", "scale_rec_restart_s", \
	    "s", 3, "<=")
	row("restart, " recs " records: RSS before", \
	    "scale_rec_rss_before_kib", "KiB", "", "info")
	row("restart, " recs " records: RSS after", \
	    "scale_rec_rss_after_kib", "KiB", "", "info")
	row("restart, " recs " records: RSS after/before", "rec_rss", "x", 1, \
	    "<=")
	row("acked adds/s, disk: 1 client", "durability_adds1_disk", "/s", \
	    "", "info")
	row("acked adds/s, disk: 8 clients", "durability_adds8_disk", "/s", \
	    "", "info")
	row("acked adds, disk: 8 clients vs 1", \
	    "durability_adds8_ratio_disk", "x", 3, ">=")
	row("acked adds/s, tmpfs: 1 client", "durability_adds1_tmpfs", "/s", \
	    "", "info")
	row("acked adds/s, tmpfs: 8 clients", "durability_adds8_tmpfs", "/s", \
	    "", "info")
	row("acked adds, tmpfs: 8 clients vs 1", \
	    "durability_adds8_ratio_tmpfs", "x", "", "info")
	row("drain, concurrency 1: % of vfork ceiling", "drain_c1_percent", \
	    "%", 90, ">=")
	row("drain, concurrency 8: % of vfork ceiling", "drain_c8_percent", \
	    "%", 90, ">=")
	row("daemon CPU per task, concurrency 1", "drain_c1_cpu_us", "us", 40, \
	    "<=")
	row("daemon CPU per task, concurrency 8", "drain_c8_cpu_us", "us", 40, \
	    "<=")
	row("burst of " v["burst_jobs"] ": timer handling p99", \
	    "burst_late_p99_us", "us", 1000, "<=")
	row("burst of " v["burst_jobs"] ": last start vs spawn floor", \
	    "burst_vs_floor", "x", 1.1, "<=")
	ev = v["every_jobs"] " every-1s jobs, disk " \
	    (v["every_busy_disk"] == "0" ? "quiet" : "busy")
	quot("every_vs_floor", "every_late_p99_us", "every_floor_p99_us")
	row(ev ": lateness p99", "every_late_p99_us", "us", 1000, "<=")
	row(ev ": bare timer loop p99 (floor)", "every_floor_p99_us", \
	    "us", "", "info")
	row(ev ": lateness p99 vs floor", "every_vs_floor", "x", "", \
	    "info")
	row(ev ": lateness max", "every_late_max_us", "us", "", "info")
	row(v["cron_fired"] " cron firings: lateness p99", \
	    "cron_late_p99_us", "us", 300, "<=")
	row("idle for " v["idle_secs"] " s: voluntary context switches", \
	    "idle_voluntary_ctxt_switches", "", 0, "<=")
	row("schedctl status vs /bin/true", "cli_status_cost", "x", 1.5, "<=")
	for (i = 1; i <= 2; i++) {
		n = i == 1 ? 1000 : 100000
		quot("mvj" n, "metrics_scrape_" n "_s", "metrics_jobs_" n "_s")
		row("metrics at " n " jobs: scrape", "metrics_scrape_" n "_s", \
		    "s", "", "info")
		row("metrics at " n " jobs: per job", \
		    "metrics_scrape_" n "_us_per_job", "us", "", "info")
		row("metrics at " n " jobs: vs jobs listing", "mvj" n, "x", 2, \
		    "<=")
	}
	mt = v["metrics_timer_jobs"] " every-1s jobs beside " \
	    v["metrics_big_jobs"]
	quot("mscr", "metrics_scraped_p99", "metrics_listed_p99")
	row(mt ", alone: lateness p99", "metrics_quiet_p99", "us", "", \
	    "info")
	row(mt ", jobs asked: lateness p99", "metrics_listed_p99", "us", "", \
	    "info")
	row(mt ", metrics asked: lateness p99", "metrics_scraped_p99", "us", \
	    "", "info")
	row(mt ", metrics_file every 1s: lateness p99", "metrics_filed_p99", \
	    "us", "", "info")
	row(mt ": p99 metrics vs jobs asked", "mscr", "x", 1, "<=")
	row(mt ", metrics asked: lateness max", "metrics_scraped_max", "us", \
	    "", "info")
	row(mt ", jobs asked: lateness max", "metrics_listed_max", "us", "", \
	    "info")
}' "$OUT/kv" /dev/null
