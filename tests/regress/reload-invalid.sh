#!/bin/bash
# SPDX-License-Identifier: ISC
# A bad configuration never replaces a good one: "schedctl
# reload" of a file with three errors exits 1 and prints every error as
# FILE:LINE:COL; the old jobs stay and run; SIGHUP with the broken file
# logs the errors and keeps the configuration too.  A burst of SIGHUPs
# with a valid changed file is one reload.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

conf1="jobs:
  a:
    command: [\"echo\", \"a-old\"]
  b:
    command: [\"true\"]
    every: 1h
"
# Errors on lines 4, 9 and 12.
bad="jobs:
  a:
    command: [\"echo\", \"a-new\"]
    descripton: \"typo\"
  b:
    command: [\"true\"]
    every: 1h
  c:
    cron: \"61 * * * *\"
    command: [\"true\"]
  d:
    timeout: 5x
    command: [\"true\"]
"
conf2="jobs:
  a:
    command: [\"echo\", \"a-new\"]
  b:
    command: [\"true\"]
    every: 1h
  e:
    command: [\"true\"]
"
start_daemon "$conf1"
watch_to "$T/ev" config.reloaded
next_b=$(raw '{"cmd":"job","name":"b"}' | jq -r .result.job.next_run)

# --- schedctl reload: every error, with FILE:LINE:COL.
printf '%s\n' "$bad" >"$CONF"
must_exit 1 ctl reload
for re in "$CONF:4:[0-9]+: .*descripton" "$CONF:9:[0-9]+: .*61" "$CONF:12:[0-9]+: .*5x"; do
	must_match "$re" "$OUT" "schedctl reload output for a file with three errors"
done
must_equal 3 "$(printf '%s\n' "$OUT" | grep -Ec "$CONF:[0-9]+:[0-9]+: ")" \
    "number of FILE:LINE:COL lines printed by schedctl reload"
ans=$(cj reload 2>/dev/null)
must_equal "invalid_config|3" "$(json_get "$ans" '"\(.error.code)|\(.error.errors | length)"')" \
    "error code and number of errors in the reload answer"
# The old configuration stays, and runs.
must_equal "a b" "$(job_names | tr '\n' ' ' | sed 's/ $//')" "jobs after the refused reload"
must_equal "$next_b" "$(raw '{"cmd":"job","name":"b"}' | jq -r .result.job.next_run)" \
    "next run of b after the refused reload"
must_succeed ctl run a
wait_task "$OUT"
must_equal "succeeded|a-old" "$(task_get "$OUT" '"\(.state)|\(.output | rtrimstr("\n"))"')" \
    "task of a after the refused reload"

# --- SIGHUP with the broken file: errors logged, configuration kept.
# (The reload command above logged the errors too: count the new lines.)
nerr() { grep -c "$CONF:$1:[0-9]*: " "$LOG"; }
more() { [ "$(nerr "$1")" -gt "$2" ]; }
n4=$(nerr 4) n9=$(nerr 9) n12=$(nerr 12)
kill -HUP "$DPID"
wait_for more 12 "$n12"
[ "$(nerr 4)" -gt "$n4" ] || fail "the log lacks the error of line 4 after SIGHUP"
[ "$(nerr 9)" -gt "$n9" ] || fail "the log lacks the error of line 9 after SIGHUP"
must_succeed ctl run a
wait_task "$OUT"
must_equal "succeeded|a-old" "$(task_get "$OUT" '"\(.state)|\(.output | rtrimstr("\n"))"')" \
    "task of a after SIGHUP with a broken file"
must_equal "a b" "$(job_names | tr '\n' ' ' | sed 's/ $//')" "jobs after SIGHUP with a broken file"
grep -q '"event": *"config.reloaded"' "$T/ev" && fail "a refused reload sent config.reloaded"

# --- A burst of five SIGHUPs with a valid changed file: one reload.
printf '%s\n' "$conf2" >"$CONF"
before=$(grep -c 'configuration reloaded' "$LOG")
for i in 1 2 3 4 5; do
	kill -HUP "$DPID"
done
wait_for grep -q '"event": *"config.reloaded"' "$T/ev"
# Nothing announces that no second reload follows: give one time to happen
# (the burst is coalesced over ~100 ms).
sleep 1
must_equal 1 "$(($(grep -c 'configuration reloaded' "$LOG") - before))" \
    "\"configuration reloaded\" log lines after a burst of 5 SIGHUPs"
must_equal 1 "$(grep -c '"event": *"config.reloaded"' "$T/ev")" \
    "config.reloaded events after a burst of 5 SIGHUPs"
must_equal "e||a" "$(grep '"event": *"config.reloaded"' "$T/ev" |
    jq -r '"\(.added | join(","))|\(.removed | join(","))|\(.changed | join(","))"')" \
    "added|removed|changed of the reload"
must_succeed ctl run a
wait_task "$OUT"
must_equal "a-new" "$(task_get "$OUT" '.output | rtrimstr("\n")')" "output of a after the reload"
exit 0
