#!/bin/bash
# SPDX-License-Identifier: ISC
# Define without running: "add NAME --no-run -- CMD" (protocol "run":
# false) defines a job with no schedule and starts no task; "run" then
# runs it once per request.
. "$(dirname "$0")/lib.sh"

start_daemon

# jobs_count NAME: "runs queued running" of a job's summary.
jobs_count()
{
	cj status "$1" | jq -r '.result.job | "\(.runs) \(.queued) \(.running)"'
}

ans=$(cj add report --no-run -- /bin/echo report)
must_equal "report null" "$(json_get "$ans" '"\(.result.job) \(.result.task)"')" \
    "answer of add --no-run"
# An ad-hoc task would be queued before add answers: nothing is.
must_equal "0 0 0" "$(jobs_count report)" "runs queued running after add --no-run"
must_succeed ctl add other --no-run -- true
must_equal "" "$OUT" "output of add --no-run (no task id)"

# The README tour: define, then run on demand, once per run.
must_exit 0 ctl run report --wait
must_equal "1 0 0" "$(jobs_count report)" "after one run"
must_equal 1 "$(cj history report | jq '.result.tasks | length')" \
    "records of report"

# --replace --no-run redefines without a task; without --no-run it runs.
must_succeed ctl add report --replace --no-run -- /bin/echo again
must_equal "" "$OUT" "output of add --replace --no-run"
must_equal 1 "$(cj history report | jq '.result.tasks | length')" \
    "records of report after add --replace --no-run"

# The protocol argument: false defines only, true is the default, a
# non-boolean is refused and defines nothing.
must_equal "ok null" "$(raw '{"cmd":"add","run":false,"job":{"name":"p1","command":["true"]}}' |
    jq -r '"\(if .ok then "ok" else .error.code end) \(.result.task)"')" \
    "add with run false"
must_equal "0 0 0" "$(jobs_count p1)" "runs queued running of p1"
t=$(raw '{"cmd":"add","run":true,"job":{"name":"p2","command":["true"]}}' |
    jq -r .result.task)
must_match '^[0-9]+$' "$t" "task of add with run true"
must_equal bad_request "$(raw_code '{"cmd":"add","run":"no","job":{"name":"p3","command":["true"]}}')" \
    "add with a non-boolean run"
must_exit 1 ctl status p3

# Nothing to wait for: a usage error, and nothing is defined.
must_exit 2 ctl add w --no-run --wait -- true
must_match 'no-run' "$OUT" "message of add --no-run --wait"
must_exit 1 ctl status w

# A banned name is refused, as for a scheduled job.
must_succeed ctl ban 'b*'
must_exit 1 ctl add b1 --no-run -- true
must_match banned "$OUT" "add --no-run of a banned name"

# A scheduled job with --no-run is the same as without.
ans=$(cj add s1 --no-run --every 1h -- true)
must_equal "s1 null" "$(json_get "$ans" '"\(.result.job) \(.result.task)"')" \
    "add --no-run with a schedule"
exit 0
