#!/bin/bash
# SPDX-License-Identifier: ISC
# schedule_state in job summaries ("jobs", "job", "status JOB" and the
# jobs table): null without a schedule, active, paused, ended; "resume" of
# a job whose schedule has ended answers "ended" and changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

# sstate NAME: schedule_state and paused of a job ("job" command).
sstate() {
	raw "{\"cmd\":\"job\",\"name\":\"$1\"}" |
	    jq -r '.result.job | "\(.schedule_state) \(.paused)"'
}
# table_state NAME: the STATE column of the jobs table.
table_state() {
	ctl jobs | awk -v n="$1" '$1 == n { print $(NF - 1) }'
}

start_daemon
watch_to "$T/ev"

must_succeed ctl add od --no-run -- true
must_succeed ctl add hourly --every 1h -- true
must_succeed ctl add once --every 1s --max-runs 1 -- true
must_succeed ctl add at1 --at 2000-01-01T00:00:00Z -- true
must_equal "null false" "$(sstate od)" "job without a schedule"
must_equal "active false" "$(sstate hourly)" "every 1h"

must_succeed ctl pause hourly
must_equal "paused true" "$(sstate hourly)" "hourly paused"
must_equal paused "$(table_state hourly)" "table state of hourly paused"
must_succeed ctl resume hourly
must_equal "active false" "$(sstate hourly)" "hourly resumed"
must_equal "active" "$(raw '{"cmd":"resume","name":"hourly"}' |
    jq -r .result.job.schedule_state)" "answer of resume"

# Ended: by max_runs and by a one-shot at that ran.
wait_for nevents task.finished once 1
wait_for nevents task.finished at1 1
must_equal "ended false" "$(sstate once)" "once after its run"
must_equal "ended false" "$(sstate at1)" "at1 after its run"
must_equal ended "$(table_state once)" "table state of once"
must_match 'schedule: +every 1s \(ended\)' "$(ctl status once)" \
    "status once"
must_match 'schedule: +every 1h \(active\)' "$(ctl status hourly)" \
    "status hourly"
must_equal "hourly=active od=null once=ended" "$(cj jobs | jq -r '[.result.jobs[] |
    select(.name == "once" or .name == "hourly" or .name == "od") |
    "\(.name)=\(.schedule_state)"] | join(" ")')" "jobs --json"

# resume of an ended job: "ended", exit 1, nothing changed (a paused ended
# job stays paused).
must_exit 1 ctl resume once
must_match 'ended' "$OUT" "schedctl resume once"
must_equal ended "$(raw_code '{"cmd":"resume","name":"at1"}')" "resume at1"
must_succeed ctl pause once
must_equal "ended true" "$(sstate once)" "once paused"
must_equal ended "$(raw_code '{"cmd":"resume","name":"once"}')" \
    "resume once paused"
must_equal "ended true" "$(sstate once)" "once after a refused resume"

# As saved: the same after a restart.
kill9_daemon
restart_daemon
must_equal "ended true" "$(sstate once)" "once after a restart"
must_equal "active false" "$(sstate hourly)" "hourly after a restart"
exit 0
