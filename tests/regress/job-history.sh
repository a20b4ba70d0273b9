#!/bin/bash
# SPDX-License-Identifier: ISC
# Per-job "history": a job keeps that many records (the daemon's history
# otherwise), from the configuration file, "add" and across a restart; a
# smaller history prunes at once; bad values are refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

nrec() {
	raw "{\"cmd\":\"history\",\"name\":\"$1\",\"limit\":100}" |
	    jq '.result.tasks | length'
}
def_history() {
	raw "{\"cmd\":\"job\",\"name\":\"$1\"}" | jq -r .result.job.definition.history
}

start_daemon "daemon:
  history: 3
jobs:
  h:
    command: [\"true\"]
    history: 1
  d:
    command: [\"true\"]"

for i in 1 2 3 4; do
	must_exit 0 ctl run h --wait
	must_exit 0 ctl run d --wait
done
must_equal 1 "$(nrec h)" "records of h (history 1)"
must_equal 3 "$(nrec d)" "records of d (the daemon's history 3)"
must_equal "1 3" "$(def_history h) $(def_history d)" "definition.history of h and d"

# A runtime job: its own history, saved with it; a smaller one prunes.
must_equal ok "$(raw_code '{"cmd":"add","run":false,"job":{"name":"r","command":["true"],"history":2}}')" \
    "add r with history 2"
for i in 1 2 3; do
	must_exit 0 ctl run r --wait
done
must_equal 2 "$(nrec r)" "records of r (history 2)"
kill9_daemon
restart_daemon
must_equal 2 "$(def_history r)" "history of r after a restart"
must_exit 0 ctl run r --wait
must_equal 2 "$(nrec r)" "records of r after a restart and a run"
must_equal ok "$(raw_code '{"cmd":"add","replace":true,"run":false,"job":{"name":"r","command":["true"],"history":1}}')" \
    "replace r with history 1"
must_equal 1 "$(nrec r)" "records of r after its history became 1"

# Bad values change nothing.
for v in -1 '"x"' 1.5 4294967296; do
	must_equal bad_request "$(raw_code "{\"cmd\":\"add\",\"job\":{\"name\":\"b\",\"command\":[\"true\"],\"history\":$v}}")" \
	    "add with history $v"
done
must_equal not_found "$(raw_code '{"cmd":"job","name":"b"}')" "job b"
printf 'jobs:\n  x:\n    command: ["true"]\n    histroy: 2\n' >"$T/bad.yaml"
must_exit 1 "$SCHEDD" -t -c "$T/bad.yaml"
must_match 'history' "$OUT" "suggestion for histroy"
exit 0
