#!/bin/bash
# SPDX-License-Identifier: ISC
# schedctl export --to kubernetes: every document is a batch/v1 CronJob
# that the Kubernetes API schema accepts (the npm package
# kubernetes-models, tests/k8s/validate.js), and each job key lands on
# its field (a table below).  Jobs that cannot be a CronJob are reported
# and make the exit status 1; the others are still written.  The same
# objects come from -c FILE and from a running daemon (runtime jobs and
# paused jobs too).
. "$(dirname "$0")/lib.sh"

# Skipping is for machines without node and npm, never for CI.
nonode()
{
	[ -n "${CI:-}" ] && fail "$* (CI must run this test)"
	skip "$*"
}
command -v node >/dev/null 2>&1 || nonode "node is not installed"
command -v npm >/dev/null 2>&1 || nonode "npm is not installed"
# The packages, installed once per build folder from tests/k8s into
# tests/k8s-node ("make clean" removes it; never the source folder).
NODEDIR=$(cd "$(dirname "$SCHEDD")" && pwd)/tests/k8s-node
if [ ! -f "$NODEDIR/node_modules/kubernetes-models/package.json" ] ||
    ! cmp -s "$SRCDIR/tests/k8s/package-lock.json" "$NODEDIR/package-lock.json"; then
	mkdir -p "$NODEDIR"
	cp "$SRCDIR/tests/k8s/package.json" "$SRCDIR/tests/k8s/package-lock.json" \
	    "$NODEDIR/"
	chmod u+w "$NODEDIR"/package*.json
	(cd "$NODEDIR" && npm ci --no-audit --no-fund) >"$T/npm.log" 2>&1 ||
	    nonode "npm ci failed: $(tail -5 "$T/npm.log")"
fi
validate()
{
	NODE_PATH=$NODEDIR/node_modules node "$SRCDIR/tests/k8s/validate.js"
}
export SCHEDD_PROGRAM=$SCHEDD

cat >"$T/jobs.yaml" <<'YAML'
jobs:
  weekdays:
    command: "echo \"100% of $HOME\" 'it''s'"
    cron: "30 2 * * mon-fri"
    timezone: America/New_York
    on_overlap: skip
    start_deadline: 2m
    history: 5
    retries: 3
    timeout: 1h
    kill_grace: 1500ms
    workdir: /srv/data
    env: { GREETING: "hi \"you\" 50% $USER" }
    memory_max: 64MiB
    cpu_max: 50%
  either-day:
    command: ["/bin/echo", "a b", "--x=$y"]
    cron: "0 9 1,15 * fri"
    on_overlap: replace
    enabled: false
  steps:
    command: "true"
    cron: "5/20 8-18/2 * jan,jul * "
  sunday:
    command: "true"
    cron: "0 0 * * 7"
  monthly:
    command: "true"
    cron: "@monthly"
    timezone: UTC
  every15m:
    command: "true"
    every: 15m
    jitter: 10s
  every1h:
    command: "true"
    every: 1h
  every6h:
    command: "true"
    every: 6h
  every1d:
    command: "true"
    every: 1d
  Odd_Name.x:
    command: "true"
    cron: "* * * * *"
    nice: 5
    limits: { nofile: 10 }
YAML
must_succeed "$SCHEDCTL" export --to kubernetes --image reg.example/tool:1 \
    -c "$T/jobs.yaml"
"$SCHEDCTL" export --to kubernetes --image reg.example/tool:1 -c "$T/jobs.yaml" \
    >"$T/jobs.out" 2>"$T/jobs.err" || fail "export failed"
objs=$(validate <"$T/jobs.out") || fail "a document did not validate"
must_equal 10 "$(json_get "$objs" 'length')" "documents written"

# Mapping table: job | jq path in its CronJob | expected value (JSON).
while IFS='|' read -r job path want; do
	got=$(printf '%s\n' "$objs" | jq -c ".[] |
	    select(.metadata.annotations[\"schedd/job\"] == \"$job\") | $path")
	must_equal "$want" "$got" "$job: $path"
done <<'TABLE'
weekdays|.apiVersion + " " + .kind|"batch/v1 CronJob"
weekdays|.metadata.name|"weekdays"
weekdays|.spec.schedule|"30 2 * * 1-5"
weekdays|.spec.timeZone|"America/New_York"
weekdays|.spec.concurrencyPolicy|"Forbid"
weekdays|.spec.startingDeadlineSeconds|120
weekdays|.spec.suspend|false
weekdays|.spec.successfulJobsHistoryLimit|5
weekdays|.spec.failedJobsHistoryLimit|5
weekdays|.spec.jobTemplate.spec.backoffLimit|3
weekdays|.spec.jobTemplate.spec.activeDeadlineSeconds|3600
weekdays|.spec.jobTemplate.spec.template.spec.restartPolicy|"Never"
weekdays|.spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds|2
weekdays|.spec.jobTemplate.spec.template.spec.containers[0].image|"reg.example/tool:1"
weekdays|.spec.jobTemplate.spec.template.spec.containers[0].command|["/bin/sh","-c","echo \"100% of $HOME\" 'it''s'"]
weekdays|.spec.jobTemplate.spec.template.spec.containers[0].env|[{"name":"SCHEDD_JOB","value":"weekdays"},{"name":"GREETING","value":"hi \"you\" 50% $USER"}]
weekdays|.spec.jobTemplate.spec.template.spec.containers[0].workingDir|"/srv/data"
weekdays|.spec.jobTemplate.spec.template.spec.containers[0].resources.limits|{"memory":"67108864","cpu":"500m"}
either-day|.spec.schedule|"0 9 1,15 * 5"
either-day|.spec.timeZone|null
either-day|.spec.concurrencyPolicy|"Replace"
either-day|.spec.suspend|true
either-day|.spec.jobTemplate.spec.backoffLimit|0
either-day|.spec.jobTemplate.spec.activeDeadlineSeconds|null
either-day|.spec.jobTemplate.spec.template.spec.containers[0].command|["/bin/echo","a b","--x=$y"]
steps|.spec.schedule|"5/20 8,10,12,14,16,18 * 1,7 *"
sunday|.spec.schedule|"0 0 * * 0"
monthly|.spec.schedule|"0 0 1 * *"
every15m|.spec.schedule|"*/15 * * * *"
every1h|.spec.schedule|"0 * * * *"
every6h|.spec.schedule|"0 */6 * * *"
every1d|.spec.schedule|"0 0 * * *"
Odd_Name.x|.metadata.name|"odd-name-x"
Odd_Name.x|.spec.jobTemplate.spec.template.spec.containers[0].name|"odd-name-x"
TABLE

# What has no equivalent: on stderr and as a comment of the document.
while IFS='|' read -r job what; do
	grep -qF "schedctl: export: $job: $what" "$T/jobs.err" ||
	    fail "\"$job: $what\" not reported on stderr"
	grep -qF "# $what" "$T/jobs.out" || fail "\"$what\" not a comment"
done <<'NOTES'
every15m|jitter has no equivalent
every15m|every is written as "*/15 * * * *"
Odd_Name.x|named "odd-name-x" in Kubernetes
Odd_Name.x|nice has no equivalent
Odd_Name.x|limits: nofile has no equivalent
steps|on_overlap queue has no equivalent
NOTES

# Jobs that cannot be CronJobs: reported, left out, exit 1.
cat >"$T/bad.yaml" <<'YAML'
jobs:
  fine:
    command: "true"
    cron: "0 * * * *"
  every7m:
    command: "true"
    every: 7m
  once:
    command: "true"
    at: "2031-01-01T00:00:00Z"
  both-days:
    command: "true"
    cron: "0 0 */2 * mon"
  odd.name:
    command: "true"
    cron: "0 * * * *"
  odd-name:
    command: "true"
    cron: "0 * * * *"
YAML
must_exit 1 "$SCHEDCTL" export --to kubernetes --image i -c "$T/bad.yaml"
"$SCHEDCTL" export --to kubernetes --image i -c "$T/bad.yaml" >"$T/bad.out" \
    2>"$T/bad.err"
objs=$(validate <"$T/bad.out") || fail "a document did not validate"
must_equal '["fine","odd-name"]' "$(printf '%s\n' "$objs" | jq -c '[.[].metadata.name]')" \
    "the jobs written"
for what in "every7m: every 7m does not divide an hour or a day evenly" \
    "once: at: a one-shot has no CronJob equivalent" \
    "both-days: cron \"0 0 */2 * mon\": a day must match both" \
    "odd-name: its Kubernetes name \"odd-name\" is taken by job \"odd.name\"" \
    "4 jobs not exported"; do
	grep -qF "schedctl: export: $what" "$T/bad.err" ||
	    fail "not reported: $what (got: $(cat "$T/bad.err"))"
done

# From a running daemon: runtime and paused jobs too; the file's jobs
# give the same objects as with -c.
start_daemon "$(sed '/memory_max\|cpu_max/d' "$T/jobs.yaml")"
ctl add rt --cron "*/5 * * * *" -- /bin/true >/dev/null || fail "add rt"
ctl pause rt >/dev/null || fail "pause rt"
ctl export --to kubernetes --image i >"$T/d.out" 2>"$T/d.err" ||
    fail "export from the daemon failed: $(cat "$T/d.err")"
objs=$(validate <"$T/d.out") || fail "a document did not validate"
must_equal 11 "$(json_get "$objs" 'length')" "documents from the daemon"
must_equal '"*/5 * * * *" true' \
    "$(json_get "$objs" '.[] | select(.metadata.name == "rt") |
    (.spec.schedule | tojson) + " " + (.spec.suspend | tojson)')" "rt"
"$SCHEDCTL" export --to kubernetes --image i -c "$CONF" weekdays \
    >"$T/f1.out" 2>/dev/null || fail "export -c weekdays"
ctl export --to kubernetes --image i weekdays >"$T/d1.out" 2>/dev/null ||
    fail "export weekdays"
must_equal "$(cat "$T/f1.out")" "$(cat "$T/d1.out")" "weekdays: -c and daemon"

# Usage: --image is required; -o is for systemd.
must_exit 2 "$SCHEDCTL" export --to kubernetes -c "$T/jobs.yaml"
must_exit 2 "$SCHEDCTL" export --to kubernetes --image i -o "$T" -c "$T/jobs.yaml"
exit 0
