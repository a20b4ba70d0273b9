#!/bin/bash
# SPDX-License-Identifier: ISC
# Tasks of different jobs run at the same time: each of two jobs waits for
# the other's marker file (bounded, so a serialised daemon fails the test
# instead of hanging it).
. "$(dirname "$0")/lib.sh"

start_daemon "jobs:
  pa:
    command: |
      touch $T/pa
      i=0; while [ ! -e $T/pb ]; do
        i=\$((i+1)); [ \$i -lt 400 ] || exit 1; sleep 0.05
      done
  pb:
    command: |
      touch $T/pb
      i=0; while [ ! -e $T/pa ]; do
        i=\$((i+1)); [ \$i -lt 400 ] || exit 1; sleep 0.05
      done
"

must_succeed ctl run pa
a=$OUT
must_succeed ctl run pb
b=$OUT
must_succeed ctl wait "$a" "$b"
must_equal succeeded "$(task_get "$a" .state)" "state of task $a (pa)"
must_equal succeeded "$(task_get "$b" .state)" "state of task $b (pb)"
exit 0
