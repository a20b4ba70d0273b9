#!/bin/bash
# SPDX-License-Identifier: ISC
# schedctl export --to systemd: every exported .service/.timer pair passes
# systemd-analyze verify; each key lands on its directive; a command with
# %, $HOME and quotes is escaped for systemd; for each cron job,
# systemd-analyze calendar gives the times schedctl next gives, across
# both daylight saving changes of America/New_York, and where the rules
# differ (a fixed time in the skipped hour, a "*" hour in the repeated
# one) the export says so, on stderr and in the units.  The same units
# come from -c FILE and from a running daemon, runtime jobs included.
. "$(dirname "$0")/lib.sh"

# Skipping is for machines without systemd-analyze, never for CI.
nosys()
{
	[ -n "${CI:-}" ] && fail "$* (CI must run this test)"
	skip "$*"
}
command -v systemd-analyze >/dev/null 2>&1 ||
    nosys "systemd-analyze is not installed"
mkdir "$T/probe"
printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$T/probe/probe.service"
out=$(cd "$T/probe" && systemd-analyze verify --man=no ./probe.service 2>&1) ||
    nosys "systemd-analyze verify cannot run here: $out"
export TZ=UTC SCHEDD_PROGRAM=$SCHEDD

# The next spring-forward and fall-back of America/New_York, as epochs.
read -r SPRING FALL < <($PYTHON - <<'PY'
import datetime, zoneinfo
z = zoneinfo.ZoneInfo("America/New_York")
t = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0,
    microsecond=0)
prev, found = t.astimezone(z).utcoffset(), {}
while len(found) < 2:
    t += datetime.timedelta(hours=1)
    o = t.astimezone(z).utcoffset()
    if o != prev:
        found.setdefault("spring" if o > prev else "fall", int(t.timestamp()))
    prev = o
print(found["spring"], found["fall"])
PY
)
[ -n "$FALL" ] || fail "no daylight saving change of America/New_York found"

config='jobs:
  weekdays:
    command: ["/bin/echo", "a b"]
    cron: "30 2 * * mon-fri"
    timezone: America/New_York
  early:
    command: "true"
    cron: "30 1 * * *"
    timezone: America/New_York
  thrice:
    command: "true"
    cron: "*/20 * * * *"
    timezone: America/New_York
  either-day:
    command: "true"
    cron: "0 9 1,15 * fri"
    timezone: Europe/Berlin
  steps:
    command: "true"
    cron: "5/20 8-18/2 * jan,jul,nov-dec 1/2"
    timezone: Asia/Tokyo
  monthly:
    command: "true"
    cron: "@monthly"
    timezone: UTC
  gap:
    command: "true"
    cron: "30 2 * * *"
    timezone: America/New_York
  hourly:
    command: "true"
    cron: "30 * * * *"
    timezone: America/New_York'
start_daemon "$config"
agree="weekdays early either-day steps monthly"

# Export from the daemon, with a runtime job; verify every pair.
ctl add rt --every 10m --catch-up -- /bin/true >/dev/null || fail "add rt"
mkdir "$T/d"
ctl export --to systemd -o "$T/d" 2>"$T/d.err" ||
    fail "export from the daemon failed: $(cat "$T/d.err")"
for job in $agree thrice gap hourly rt; do
	for ext in service timer; do
		[ -f "$T/d/schedd-$job.$ext" ] || fail "no schedd-$job.$ext"
	done
	if ! out=$(cd "$T/d" && systemd-analyze verify --man=no \
	    "./schedd-$job.service" "./schedd-$job.timer" 2>&1); then
		GOT=$out
		fail "systemd-analyze verify refused schedd-$job"
	fi
	must_equal "" "$out" "systemd-analyze verify of schedd-$job"
done

# The same units from the file, without asking the daemon.
mkdir "$T/f"
"$SCHEDCTL" -s "$T/nosock" export --to systemd -o "$T/f" -c "$CONF" \
    2>"$T/f.err" || fail "export -c failed: $(cat "$T/f.err")"
for job in $agree thrice gap hourly; do
	for ext in service timer; do
		must_equal "$(cat "$T/d/schedd-$job.$ext")" \
		    "$(cat "$T/f/schedd-$job.$ext")" "schedd-$job.$ext from -c"
	done
done

# cron: the times of systemd-analyze calendar against schedctl next.
sd_times()
{
	local expr
	# One OnCalendar= line, or two for the day fields' OR rule.
	mapfile -t expr < <(sed -n 's/^OnCalendar=//p' "$T/d/schedd-$1.timer")
	systemd-analyze calendar --iterations=5 \
	    --base-time="@$2" "${expr[@]}" |
	    sed -n 's/^ *\(Next elapse\|Iter\. #[0-9]*\): [A-Z][a-z]* //p' |
	    sort -u | head -5
}
sd_next()
{
	cj next "$1" -n 5 --from "$(date -u -d "@$2" +%Y-%m-%dT%H:%M:%SZ)" |
	    jq -r '.result.times[] | .[0:10] + " " + .[11:19] + " UTC"'
}
for job in $agree; do
	for base in $((SPRING - 10787)) $((SPRING - 172787)) \
	    $((FALL - 10787)) $((FALL - 172787)); do
		must_equal "$(sd_next "$job" "$base")" \
		    "$(sd_times "$job" "$base")" \
		    "times of $job from $(date -u -d "@$base")"
	done
done
# "*/20" hours agree across the spring gap (both skip it).
for base in $((SPRING - 10787)) $((SPRING - 3587)); do
	must_equal "$(sd_next thrice "$base")" "$(sd_times thrice "$base")" \
	    "times of thrice from $(date -u -d "@$base")"
done
grep -c '^OnCalendar=' "$T/d/schedd-either-day.timer" | grep -qx 2 ||
    fail "either-day: not two OnCalendar= lines for the OR of day fields"

# Where the rules differ, the difference is said and is exactly that.
for job in thrice gap hourly; do
	grep -q "^schedctl: export: $job: daylight saving time: schedd runs it at" \
	    "$T/d.err" || fail "export did not report the DST difference of $job"
	grep -q '^# daylight saving time: schedd runs it at' \
	    "$T/d/schedd-$job.timer" || fail "no DST comment in schedd-$job.timer"
done
for job in $agree; do
	grep -q "$job: daylight saving" "$T/d.err" &&
	    fail "a DST difference reported for $job, which has none"
done
b=$((SPRING - 172787))
must_equal "$(sd_next gap "$b" | grep -v "^$(date -u -d "@$SPRING" '+%Y-%m-%d %H'):")" \
    "$(sd_times gap "$b" | head -4)" "gap: only the end of the gap differs"
b=$((FALL - 10787))
must_equal "$(sd_next hourly "$b" | grep -vx "$(date -u -d "@$((FALL + 1800))" '+%Y-%m-%d %H:%M:%S UTC')" | head -4)" \
    "$(sd_times hourly "$b" | head -4)" "hourly: only the second 01:30 differs"

# Each key on its directive, the command escaped, unmapped keys reported.
cat >"$T/keys.yaml" <<'YAML'
jobs:
  keys:
    description: "all the keys, 100%"
    command: "echo \"100% of $HOME\" 'it''s' \\ done"
    every: 90s
    jitter: 30s
    timeout: 2h
    kill_signal: INT
    kill_grace: 5s
    user: root
    group: root
    workdir: /tmp
    env: { GREETING: "hi \"you\" 50% $USER" }
    umask: "027"
    nice: 5
    limits: { nofile: 1024, core: unlimited, memory: 1GiB }
    memory_max: 64MiB
    memory_high: 32MiB
    cpu_max: 50%
    cpu_weight: 50
    pids_max: 10
    retries: 2
    max_runs: 3
    ban_after_failures: 4
    on_overlap: replace
  once:
    command: ["/bin/true"]
    at: "2031-02-03T04:05:06Z"
    catch_up: true
  boot:
    command: ["/bin/true"]
    at: boot
YAML
mkdir "$T/k"
"$SCHEDCTL" export --to systemd -o "$T/k" -c "$T/keys.yaml" 2>"$T/k.err" ||
    fail "export of keys.yaml failed: $(cat "$T/k.err")"
for job in keys once boot; do
	out=$(cd "$T/k" && systemd-analyze verify --man=no \
	    "./schedd-$job.service" "./schedd-$job.timer" 2>&1)
	must_equal "" "$out" "systemd-analyze verify of schedd-$job"
done
svc=$T/k/schedd-keys.service
tmr=$T/k/schedd-keys.timer
while IFS='|' read -r file line; do
	grep -qxF -- "$line" "$file" || {
		EXPECTED=$line
		GOT=$(cat "$file")
		fail "$(basename "$file") lacks: $line"
	}
done <<EOF_LINES
$svc|Description=all the keys, 100%%
$svc|ExecStart=/bin/sh -c "echo \\"100%% of \$\$HOME\\" 'it''s' \\\\ done"
$svc|Environment="GREETING=hi \\"you\\" 50%% \$USER"
$svc|Environment="SCHEDD_JOB=keys"
$svc|User=root
$svc|Group=root
$svc|WorkingDirectory=/tmp
$svc|UMask=0027
$svc|Nice=5
$svc|LimitNOFILE=1024
$svc|LimitCORE=infinity
$svc|LimitAS=1073741824
$svc|RuntimeMaxSec=7200000ms
$svc|KillSignal=SIGINT
$svc|TimeoutStopSec=5000ms
$svc|MemoryMax=67108864
$svc|MemoryHigh=33554432
$svc|CPUQuota=50.00%
$svc|CPUWeight=50
$svc|TasksMax=10
$tmr|OnActiveSec=90000ms
$tmr|OnUnitActiveSec=90000ms
$tmr|RandomizedDelaySec=30000ms
$T/k/schedd-once.timer|OnCalendar=2031-02-03 04:05:06 UTC
$T/k/schedd-once.timer|Persistent=true
$T/k/schedd-boot.timer|OnBootSec=0
EOF_LINES
for what in "on_overlap replace" "max_runs 3" "retries 2" \
    "ban_after_failures 4"; do
	grep -q "^schedctl: export: keys: $what" "$T/k.err" ||
	    fail "\"$what\" not reported on stderr"
	grep -q "^# $what" "$svc" || fail "\"$what\" not a comment in the unit"
done

# Usage errors: no --to, no -o; an unknown job exits 1.
must_exit 2 "$SCHEDCTL" export -c "$T/keys.yaml"
must_exit 2 "$SCHEDCTL" export --to systemd -c "$T/keys.yaml"
must_exit 1 ctl export --to systemd -o "$T/k" nosuch
exit 0
