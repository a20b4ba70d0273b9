#!/bin/bash
# SPDX-License-Identifier: ISC
# "add --replace" keeps what the schedule has done, as a reload does: the
# max_runs count goes on (a job once ran 5 times under --max-runs 3 after
# replaces), an at that ran stays done unless its time changed; and so
# after a crash that replays the replace.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

# job_view NAME: "next_run|tasks started" of a job.
job_view() {
	raw "{\"cmd\":\"job\",\"name\":\"$1\"}" |
	    jq -r '.result.job | "\(.next_run)|\(.runs)"'
}

start_daemon
watch_to "$T/ev"

must_succeed ctl add m --every 1s --max-runs 2 -- true
wait_for nevents task.finished m 2
must_equal "null|2" "$(job_view m)" "m after 2 runs"

# The same definition again: the schedule stays ended.
must_succeed ctl add m --replace --every 1s --max-runs 2 -- true
must_equal "null|2" "$(job_view m)" "m replaced with max_runs 2"
must_equal "[]" "$(raw '{"cmd":"next","name":"m"}' | jq -c .result.times)" \
    "next of m replaced with max_runs 2"

# A larger max_runs: one more run, then ended again.
must_succeed ctl add m --replace --every 1s --max-runs 3 -- true
must_match '^[0-9]' "$(job_view m)" "m replaced with max_runs 3: next_run"
wait_for nevents task.finished m 3
must_equal "null|3" "$(job_view m)" "m after its 3rd run"

# An at that ran stays done when replaced with the same time.
must_succeed ctl add a --at 2000-01-01T00:00:00Z -- true
wait_for nevents task.finished a 1
must_succeed ctl add a --replace --at 2000-01-01T00:00:00Z -- true
must_equal "null|1" "$(job_view a)" "a replaced with the same at"

# A crash right after a replace: the replayed replace keeps the count.
must_succeed ctl add m --replace --every 1s --max-runs 3 -- true
kill9_daemon
restart_daemon
must_equal "null|3" "$(job_view m)" "m after kill -9 and restart"
must_equal "null|1" "$(job_view a)" "a after kill -9 and restart"
must_equal 3 "$(raw '{"cmd":"history","name":"m"}' |
    jq '.result.tasks | length')" "tasks of m"
exit 0
