#!/bin/bash
# SPDX-License-Identifier: ISC
# schedd -t --print-jobs: the jobs of a file, each exactly as a daemon
# that loaded the same file answers "job" (name, paused, definition);
# a bad file prints nothing on stdout and exits 1.
. "$(dirname "$0")/lib.sh"

config='daemon:
  default_timeout: 1h
  kill_grace: 7s
jobs:
  backup:
    command: ["/bin/true", "--all"]
    cron: "30 2 * * mon-fri"
    timezone: America/New_York
    on_overlap: skip
    retries: 2
    retry_delay: 5m
    limits: { nofile: 1024, core: 0 }
    umask: "027"
    nice: 5
    env: { A: "b c", HOME: /tmp }
  prices:
    command: "echo 100% $HOME"
    every: 5m
    jitter: 30s
    timeout: 1m
    enabled: false
    history: 5
    start_deadline: 2m
  once:
    command: "true"
    at: "2030-01-02T03:04:05Z"
    catch_up: true'
start_daemon "$config"
must_succeed "$SCHEDD" -t --print-jobs -c "$CONF"
out=$("$SCHEDD" -t --print-jobs -c "$CONF") || fail "--print-jobs failed"
must_equal "backup prices once" "$(json_get "$out" '[.jobs[].name] | join(" ")')" \
    "jobs in file order"
for job in backup prices once; do
	want=$(raw "{\"cmd\":\"job\",\"name\":\"$job\"}" |
	    jq -cS '.result.job | {name, paused, definition}')
	got=$(json_get "$out" ".jobs[] | select(.name == \"$job\") |
	    {name, paused, definition}" | jq -cS .)
	must_equal "$want" "$got" "job $job from --print-jobs"
done
must_equal true "$(json_get "$out" '.jobs[1].paused')" "enabled: false is paused"

printf 'jobs:\n  x:\n    command: true\n    cron: "61 * * * *"\n' >"$T/bad.yaml"
must_exit 1 "$SCHEDD" -t --print-jobs -c "$T/bad.yaml"
must_equal "" "$("$SCHEDD" -t --print-jobs -c "$T/bad.yaml" 2>/dev/null)" \
    "stdout of --print-jobs for a bad file"
exit 0
