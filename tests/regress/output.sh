#!/bin/bash
# SPDX-License-Identifier: ISC
# What a task gets and what it leaves: stdout and stderr captured in the
# record's output tail and in STATE/logs/JOB/ID.log; exit codes and signals
# in the record and in "run --wait"; log_max capping; a clean environment;
# stdin from /dev/null; workdir; no descriptor but 0, 1 and 2.
. "$(dirname "$0")/lib.sh"

mkdir "$T/wd"
start_daemon "daemon:
  log_max: 1KiB
  output_tail: 256
jobs:
  out:
    command: \"echo to-stdout; echo to-stderr >&2; exit 3\"
  sig:
    command: 'kill -USR1 \$\$'
  big:
    command: [\"$PYTHON\", \"-c\", \"import sys; sys.stdout.write('x' * 5000)\"]
  env:
    command: [\"/usr/bin/env\"]
    env:
      FOO: bar
      EMPTY: ''
  stdin:
    command: [\"/bin/readlink\", \"/proc/self/fd/0\"]
  wd:
    workdir: $T/wd
    command: [\"/bin/pwd\"]
  fds:
    command: [\"/bin/ls\", \"-l\", \"/proc/self/fd/\"]
"

# Exit code 3: state failed, exit_code 3, "run --wait" exits 3.
must_exit 3 ctl run out --wait
t=$(cj history out | jq -r '.result.tasks[0].id')
rec=$(raw "{\"cmd\":\"task\",\"task\":$t}" | jq -c .result.task)
must_equal "failed 3 null" "$(json_get "$rec" '"\(.state) \(.exit_code) \(.signal)"')" "state exit_code signal"
must_match to-stdout "$(json_get "$rec" .output)" "output tail has stdout"
must_match to-stderr "$(json_get "$rec" .output)" "output tail has stderr"
must_equal "$STATE/logs/out/$t.log" "$(json_get "$rec" .log)" "log path"
[ -f "$STATE/logs/out/$t.log" ] || fail "no log file $STATE/logs/out/$t.log"
grep -q to-stdout "$STATE/logs/out/$t.log" || fail "log file lacks stdout: $(cat "$STATE/logs/out/$t.log")"
grep -q to-stderr "$STATE/logs/out/$t.log" || fail "log file lacks stderr: $(cat "$STATE/logs/out/$t.log")"
must_equal 20 "$(json_get "$rec" .output_bytes)" "output_bytes"
must_succeed ctl logs "$t"
must_match to-stdout "$OUT" "schedctl logs"

# Killed by a signal: the signal number, 128+N from wait.
must_exit 138 ctl run sig --wait
t=$(cj history sig | jq -r '.result.tasks[0].id')
must_equal "failed null 10" "$(task_get "$t" '"\(.state) \(.exit_code) \(.signal)"')" "state exit_code signal of sig"
must_exit 138 ctl wait "$t"

# log_max 1KiB: the log keeps 1 KiB and says how much was dropped; the
# record counts every byte and keeps the last output_tail bytes.
must_succeed ctl run big --wait
t=$(cj history big | jq -r '.result.tasks[0].id')
rec=$(raw "{\"cmd\":\"task\",\"task\":$t}" | jq -c .result.task)
must_equal 5000 "$(json_get "$rec" .output_bytes)" "output_bytes of big"
must_equal 256 "$(json_get "$rec" '.output | length')" "length of the output tail"
f=$STATE/logs/big/$t.log
must_equal 1024 "$(head -n 1 "$f" | tr -d '\n' | wc -c)" "bytes of output kept in the log"
must_match '3976.*dropped|dropped.*3976' "$(tail -n +2 "$f")" "the log notes the 3976 dropped bytes"

# A clean environment: exactly these variables (list argv: no shell adds any).
must_succeed ctl run env --wait
t=$(cj history env | jq -r '.result.tasks[0].id')
out=$(task_get "$t" .output)
must_equal "EMPTY FOO HOME LOGNAME PATH SCHEDD_JOB SCHEDD_RESULT SCHEDD_TASK_ID SHELL USER" \
    "$(printf '%s\n' "$out" | sed -n 's/=.*//p' | sort | tr '\n' ' ' | sed 's/ $//')" \
    "environment variable names"
must_match '^FOO=bar$' "$out" "job env FOO"
must_match '^SCHEDD_JOB=env$' "$out" "SCHEDD_JOB"
must_match "^SCHEDD_TASK_ID=$t\$" "$out" "SCHEDD_TASK_ID"
must_match "^USER=$(id -un)\$" "$out" "USER"

# stdin is /dev/null.
must_succeed ctl run stdin --wait
t=$(cj history stdin | jq -r '.result.tasks[0].id')
must_equal /dev/null "$(task_get "$t" .output | tr -d '\n')" "stdin of a task"

# workdir.
must_succeed ctl run wd --wait
t=$(cj history wd | jq -r '.result.tasks[0].id')
must_equal "$(cd "$T/wd" && pwd -P)" "$(task_get "$t" .output | tr -d '\n')" "working folder"

# Only 0, 1 and 2 are open (ls itself opens one for reading /proc/self/fd).
must_succeed ctl run fds --wait
t=$(cj history fds | jq -r '.result.tasks[0].id')
out=$(task_get "$t" .output)
fds=$(printf '%s\n' "$out" | awk '$1 ~ /^l/ && $(NF) !~ /^\/proc\/[0-9]+\/fd$/ { print $(NF-2) }' | sort -n | tr '\n' ' ')
must_equal "0 1 2 " "$fds" "open descriptors of a task (ls -l: $out)"
exit 0
