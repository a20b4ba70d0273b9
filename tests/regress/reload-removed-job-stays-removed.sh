#!/bin/bash
# SPDX-License-Identifier: ISC
# Every change journals what it supersedes.  A runtime job X, then a
# configuration job X (reload: it takes the name over), then X removed from
# the configuration (reload), then a crash: X must not come back as the
# old runtime job, nor run as its old owner.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

start_daemon "jobs: {}"
must_succeed ctl add x --every 1h -- true
must_equal runtime "$(cj status x | jq -r .result.job.origin)" "origin of x at first"

printf 'jobs:\n  x:\n    command: ["true"]\n    every: 2h\n' >"$CONF"
must_succeed ctl reload
must_equal config "$(cj status x | jq -r .result.job.origin)" "origin of x after the first reload"

printf 'jobs: {}\n' >"$CONF"
must_succeed ctl reload
must_equal not_found "$(raw_code '{"cmd":"job","name":"x"}')" "x after the second reload"

kill9_daemon
restart_daemon
must_equal not_found "$(raw_code '{"cmd":"job","name":"x"}')" "x after a crash and restart"
must_equal "" "$(job_names)" "jobs after the restart"

# Once more across a compaction-free restart, to be sure it stays gone.
shutdown_daemon
restart_daemon
must_equal "" "$(job_names)" "jobs after a second restart"
exit 0
