#!/bin/bash
# SPDX-License-Identifier: ISC
# Damaged and foreign state: a state.json that does not parse is
# moved aside as state.json.corrupt-TIME, the daemon starts empty and says
# so loudly in its log and in status.state_error; a state.json (or journal)
# of a newer format version makes schedd refuse to start, saying why, and
# leaves the file byte for byte as it was; a torn last journal line (a
# write cut short) is ignored and the records before it are kept.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

conf="jobs:
  cfg:
    command: [\"true\"]
"

# schedd_fg: run a daemon in the foreground on the test's socket and state
# folder; it must exit by itself (refusing to start).  Output in $OUT.
schedd_fg()
{
	must_fail timeout 10 "$SCHEDD" -c "$CONF" -s "$SOCK" -d "$STATE"
}

# --- Garbage in state.json.
start_daemon "$conf"
must_succeed ctl add before --every 1h -- true
shutdown_daemon
test -s "$STATE/state.json" || fail "no state.json after a graceful stop"
printf 'this is {not "json\n' >"$STATE/state.json"
cp "$STATE/state.json" "$T/garbage"
restart_daemon
n=$(find "$STATE" -maxdepth 1 -name 'state.json.corrupt-*' | wc -l)
must_equal 1 "$n" "number of state.json.corrupt-* files"
moved=$(find "$STATE" -maxdepth 1 -name 'state.json.corrupt-*')
cmp -s "$T/garbage" "$moved" ||
    fail "$moved does not hold the unparsable state.json as it was"
err=$(cj status | jq -r '.result.state_error | if type == "string" then . else "NOT A STRING: \(.)" end')
must_match 'state\.json' "$err" "status.state_error after a corrupt state.json"
grep -q "corrupt" "$LOG" || fail "the log does not say the state was moved aside"
must_match '^(STATE LOST|.*state.*(corrupt|does not parse))' \
    "$(grep -i 'state' "$LOG" | grep -i 'corrupt')" "log line about the corrupt state"
must_equal "cfg" "$(job_names | tr '\n' ' ' | sed 's/ $//')" \
    "jobs after starting without the corrupt state"
# It works on from the empty state, and a new state.json loads again.
must_succeed ctl add after --every 1h -- true
shutdown_daemon
restart_daemon
must_equal "after cfg" "$(job_names | tr '\n' ' ' | sed 's/ $//')" \
    "jobs after a restart on the new state"
must_equal null "$(cj status | jq -r .result.state_error)" \
    "status.state_error after a restart on a good state"
shutdown_daemon

# --- A newer format version: refuse to start, touch nothing.
cp "$STATE/state.json" "$T/good.json"
jq -c '.version = 99' "$T/good.json" >"$STATE/state.json"
cp "$STATE/state.json" "$T/v99.json"
cp "$STATE/journal" "$T/journal.before"
schedd_fg
must_match 'version' "$OUT" "message of schedd refusing a state.json of version 99"
cmp -s "$T/v99.json" "$STATE/state.json" ||
    fail "state.json of version 99 was changed by the daemon that refused it"
cmp -s "$T/journal.before" "$STATE/journal" ||
    fail "the journal was changed by the daemon that refused to start"
[ -z "$(find "$STATE" -maxdepth 1 -name 'state.json.corrupt-*' -newer "$T/v99.json")" ] ||
    fail "a state of a newer version was moved aside"
[ -e "$SOCK" ] && [ "$(find "$SOCK" -newer "$T/v99.json")" ] &&
    fail "the daemon that refused to start created its socket"

# ... and a journal of a newer version, the same.
cp "$T/good.json" "$STATE/state.json"
printf '{"journal":7,"generation":%s}\n' "$(jq .generation "$T/good.json")" \
    >"$STATE/journal"
cp "$STATE/journal" "$T/j7"
schedd_fg
must_match 'version' "$OUT" "message of schedd refusing a journal of version 7"
cmp -s "$T/j7" "$STATE/journal" || fail "the journal of version 7 was changed"
cmp -s "$T/good.json" "$STATE/state.json" ||
    fail "state.json was changed by the daemon that refused the journal"
cp "$T/journal.before" "$STATE/journal"

# --- A torn last journal line.
restart_daemon
must_succeed ctl add j1 --every 1h -- true
must_succeed ctl add j2 --every 1h -- true
must_succeed ctl ban j2 --reason "kept"
kill9_daemon
head -c 60 <<EOF >>"$STATE/journal"
{"t":"job","name":"torn","origin":"runtime","uid":0,"paused":false,"def":{"name":"torn","command":["true"],"every":"1h"}}
EOF
tail -c 60 "$STATE/journal" | grep -q torn || fail "test setup: no torn line written"
restart_daemon
must_equal "after cfg j1 j2" "$(job_names | tr '\n' ' ' | sed 's/ $//')" \
    "jobs after a restart with a torn journal line"
must_equal "j2|kept" "$(raw '{"cmd":"bans"}' | jq -r '.result.bans[] | "\(.name)|\(.reason)"')" \
    "bans after a restart with a torn journal line"
must_equal true "$(cj status | jq -r .result.state_ok)" "status.state_ok"
must_equal null "$(cj status | jq -r .result.state_error)" \
    "status.state_error after a torn journal line (not an error)"
# And the next restart is clean.
must_succeed ctl add j3 --every 1h -- true
kill9_daemon
restart_daemon
must_equal "after cfg j1 j2 j3" "$(job_names | tr '\n' ' ' | sed 's/ $//')" \
    "jobs after one more crash"
exit 0
