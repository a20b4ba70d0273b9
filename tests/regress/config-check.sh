#!/bin/bash
# SPDX-License-Identifier: ISC
# schedd -t: a good configuration exits 0; a bad one exits 1 and prints
# every error as FILE:LINE:COLUMN: message (also for included files).
. "$(dirname "$0")/lib.sh"

cat >"$T/good.yaml" <<'YAML'
daemon:
  max_running: 4
  default_timeout: 1h30m
  log_max: 4KiB
jobs:
  backup:
    command: ["/bin/true", "--all"]
    cron: "30 2 * * *"
    timeout: 2h
    on_overlap: skip
    retries: 2
    retry_delay: 5m
  fetch-prices:
    command: "echo prices"
    every: 5m
    jitter: 30s
    env:
      A: b
YAML
must_exit 0 "$SCHEDD" -t -c "$T/good.yaml"
[ -e "$SOCK" ] && fail "schedd -t created a socket"

# Several errors in one file: all printed, each with its position.
cat >"$T/bad.yaml" <<'YAML'
daemon:
  max_running: 4
jobs:
  typo:
    comand: ["true"]
  badtime:
    command: ["true"]
    timeout: 5x
  dk:
    command: ["true"]
    every: 1m
    every: 2m
  9bad:
    command: ["true"]
  neg:
    command: ["true"]
    concurrency: -1
YAML
must_exit 1 "$SCHEDD" -t -c "$T/bad.yaml"
errs=$OUT
must_match "^$T/bad.yaml:5:5: .*comand.*command" "$errs" "unknown key (with a suggestion)"
must_match "^$T/bad.yaml:4:3: .*command" "$errs" "missing command"
must_match "^$T/bad.yaml:8:14: .*5x" "$errs" "bad duration"
must_match "^$T/bad.yaml:12:5: .*duplicate.*every" "$errs" "duplicate key"
must_match "^$T/bad.yaml:13:3: .*9bad" "$errs" "bad job name"
must_match "^$T/bad.yaml:17:[0-9]+: " "$errs" "impossible concurrency"
must_equal 6 "$(printf '%s\n' "$errs" | grep -c "^$T/bad.yaml:[0-9]*:[0-9]*: ")" "number of errors printed"

# An error in an included file names that file; a job defined twice
# across files is an error; YAML aliases are refused.
mkdir "$T/jobs.d"
cat >"$T/main.yaml" <<YAML
include:
  - $T/jobs.d/*.yaml
jobs:
  twice:
    command: ["true"]
  anchored: &a
    command: ["true"]
  aliased: *a
YAML
cat >"$T/jobs.d/one.yaml" <<'YAML'
jobs:
  twice:
    command: ["true"]
  inc:
    command: ["true"]
    every: soon
YAML
must_exit 1 "$SCHEDD" -t -c "$T/main.yaml"
errs=$OUT
must_match "^$T/jobs.d/one.yaml:6:12: .*soon" "$errs" "error in an included file"
must_match "^$T/(main|jobs.d/one).yaml:[0-9]+:3: .*duplicate.*twice" "$errs" "job defined in two files"
must_match "^$T/main.yaml:8:[0-9]+: .*alias" "$errs" "YAML alias"

# The daemon does not start on a bad configuration.
must_fail "$SCHEDD" -c "$T/bad.yaml" -s "$SOCK" -d "$STATE"
[ -e "$SOCK" ] && fail "schedd made a socket with a bad configuration"

# Cron expressions are checked fully, each error at the bad field.
printf 'jobs:\n  c:\n    command: ["true"]\n    cron: "61 * * * *"\n  d:\n    command: ["true"]\n    cron: "* * * foo *"\n  e:\n    command: ["true"]\n    cron: "* * *"\n' >"$T/cron.yaml"
must_exit 1 "$SCHEDD" -t -c "$T/cron.yaml"
must_match "^$T/cron.yaml:4:12: .*minute 61 is out of range 0-59" "$OUT" "cron minute 61"
must_match "^$T/cron.yaml:7:18: .*unknown month name \"foo\"" "$OUT" "cron month foo"
must_match "^$T/cron.yaml:10:12: .*expected 5 fields, got 3" "$OUT" "cron with three fields"
exit 0
