#!/bin/bash
# SPDX-License-Identifier: ISC
# Reload does not parse again an include file whose text did not change
# since it was last read: "reload" reports how many files it parsed and
# how many were unchanged (files.parsed, files.unchanged), and the debug
# log names each one skipped.  A changed file (even at the same size), a
# new one and a removed one are noticed; touching a file without changing
# its text is not a change.  The main file is always parsed.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/jobs.d"
printf 'jobs:\n  a1:\n    command: [echo, a]\n    every: 1h\n' >"$T/jobs.d/a.yaml"
printf 'jobs:\n  b1:\n    command: [echo, b]\n' >"$T/jobs.d/b.yaml"
start_daemon "include: [\"$T/jobs.d/*.yaml\"]
jobs:
  m1:
    command: [\"true\"]
"
# job_field NAME FILTER: a field of the job's answer, as jq -c prints it.
job_field()
{
	raw "{\"cmd\":\"job\",\"name\":\"$1\"}" | jq -c ".result.job.$2"
}
next_a=$(job_field a1 next_run)

# reload [--dry-run]: the answer's result on one line.
reload()
{
	if [ "${1:-}" = --dry-run ]; then
		raw '{"cmd":"reload","dry_run":true}' | jq -c .result
	else
		raw '{"cmd":"reload"}' | jq -c .result
	fi
}
# files PARSED UNCHANGED: what the last reload read.
files()
{
	must_equal "{\"parsed\":$1,\"unchanged\":$2}" \
	    "$(printf '%s' "$R" | jq -c .files)" "files of: $R"
}
# names LIST WHAT: the job names the last reload says it added, removed
# or changed.
names()
{
	must_equal "$1" "$(printf '%s' "$R" | jq -c ".$2")" "$2 in: $R"
}

# Nothing changed: only the main file is parsed.
R=$(reload --dry-run)
files 1 2
names '[]' changed
R=$(reload)
files 1 2
grep -q "a.yaml: unchanged, not parsed again" "$LOG" ||
    fail "no debug line for the unchanged a.yaml in $LOG"

# Same size, other text.
printf 'jobs:\n  b1:\n    command: [echo, c]\n' >"$T/jobs.d/b.yaml"
R=$(reload)
files 2 1
names '["b1"]' changed
must_equal '["echo","c"]' "$(job_field b1 definition.command)" \
    "b1's new command"

# A new file.
printf 'jobs:\n  c1:\n    command: [echo, c]\n' >"$T/jobs.d/c.yaml"
R=$(reload)
files 2 2
names '["c1"]' added

# Touched, not changed; then a file removed.
touch -d '2001-01-01' "$T/jobs.d/a.yaml"
R=$(reload)
files 1 3
rm "$T/jobs.d/b.yaml"
R=$(reload)
files 1 2
names '["b1"]' removed

# The unchanged job kept its schedule all along.
must_equal "$next_a" "$(job_field a1 next_run)" "a1's next run"
