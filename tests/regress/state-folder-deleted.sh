#!/bin/bash
# SPDX-License-Identifier: ISC
# The state folder deleted under a running daemon: the next change is not
# acknowledged (persist_failed), status says state_ok false with a
# state_error, the folder is made again with everything in memory, and
# from then on changes are kept again -- also across a crash.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

start_daemon "jobs: {}"
must_succeed ctl add x --every 1h -- true
rm -rf "$STATE"

ans=$(cj add y --every 1h -- true)
must_equal persist_failed "$(json_get "$ans" .error.code)" "add after the state folder was deleted"
must_equal not_found "$(raw_code '{"cmd":"job","name":"y"}')" "job y after the refused add"
st=$(cj status)
must_equal false "$(json_get "$st" .result.state_ok)" "state_ok after the folder was deleted"
must_match "state folder .* (was removed|is gone)" "$(json_get "$st" .result.state_error)" "state_error after the folder was deleted"

# Made again within the retry interval, with what memory holds.
wait_state_ok
[ -f "$STATE/state.json" ] || fail "no state.json in the state folder made again"
[ -f "$STATE/lock" ] || fail "no lock in the state folder made again"
must_succeed ctl add z --every 1h -- true

# The new folder is locked: a second daemon is refused.
must_fail "$SCHEDD" -c "$CONF" -s "$T/sock2" -d "$STATE"
must_match 'already running' "$OUT" "a second daemon on the state folder made again"

kill9_daemon
restart_daemon
must_equal "x z" "$(job_names | tr '\n' ' ' | sed 's/ $//')" "jobs after a crash"
exit 0
