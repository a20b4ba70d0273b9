#!/bin/bash
# SPDX-License-Identifier: ISC
# watch shows what changes jobs: job.added, job.changed, job.removed
# (from add, add --replace, remove and reload), job.paused, job.resumed,
# task.retry; and when the daemon goes away, says so and exits 3.
. "$(dirname "$0")/lib.sh"

start_daemon "jobs:
  flaky:
    retries: 1
    retry_delay: 1h
    command: \"exit 5\"
  keep:
    every: 1h
    command: \"true\"
  gone:
    every: 1h
    command: \"true\""

EV=$T/events
watch_to "$EV"
jpid=$BGPID
"$SCHEDCTL" -s "$SOCK" watch >"$T/human" 2>"$T/human.err" &
wpid=$!
# subscribed N: N subscribe requests have been taken in (the daemon's
# debug log), so both watches get every later event.
subscribed()
{
	[ "$(grep -c 'client uid [0-9]*: subscribe' "$LOG")" -ge "$1" ]
}
wait_for subscribed 2

# ev_wait CONDITION: wait until an event line meets the jq CONDITION.
ev_wait()
{
	wait_for jq -s -e "any(.[]; $1)" "$EV" >/dev/null
}

ctl add rt --every 1h -- true >/dev/null || fail "add rt"
ev_wait '.event == "job.added" and .job == "rt"'
ctl add rt --every 2h --replace -- true >/dev/null || fail "add rt --replace"
ev_wait '.event == "job.changed" and .job == "rt"'
ctl pause rt >/dev/null || fail "pause rt"
ev_wait '.event == "job.paused" and .job == "rt"'
ctl resume rt >/dev/null || fail "resume rt"
ev_wait '.event == "job.resumed" and .job == "rt"'
ctl remove rt >/dev/null || fail "remove rt"
ev_wait '.event == "job.removed" and .job == "rt"'

t=$(ctl run flaky) || fail "run flaky"
ev_wait ".event == \"task.retry\" and .task == $t and .job == \"flaky\" and .attempt == 2 and .state == \"failed\" and (.at | type) == \"string\""

# A reload: one job changed, one added, one removed.
cat >"$CONF" <<'EOC'
jobs:
  flaky:
    retries: 1
    retry_delay: 1h
    command: "exit 5"
  keep:
    every: 2h
    command: "true"
  new:
    every: 1h
    command: "true"
EOC
ctl reload >/dev/null || fail "reload"
ev_wait '.event == "job.changed" and .job == "keep"'
ev_wait '.event == "job.added" and .job == "new"'
ev_wait '.event == "job.removed" and .job == "gone"'

# The human view names each of them.
for want in "job rt added" "job rt changed" "job rt paused" \
    "job rt resumed" "job rt removed" "task $t failed: flaky retried (attempt 2) in 1h" \
    "job keep changed" "job new added" "job gone removed"; do
	wait_for grep -qF -- "$want" "$T/human"
done

# The daemon goes away: watch says so and exits 3.
kill "$jpid"
ctl shutdown >/dev/null || fail "shutdown"
wait "$wpid"
must_equal 3 "$?" "exit status of watch when the daemon stopped"
must_match "schedd closed the connection" "$(cat "$T/human.err")" \
    "what watch said when the daemon stopped"
wait "$DPID"
DPID=
exit 0
