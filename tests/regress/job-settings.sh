#!/bin/bash
# SPDX-License-Identifier: ISC
# The execution settings of a job reach its process: umask, nice, limits,
# env, workdir, and a string command runs under /bin/sh -c.
. "$(dirname "$0")/lib.sh"

mkdir "$T/work"
start_daemon "jobs:
  settings:
    command: 'echo umask=\$(umask) nice=\$(nice) nofile=\$(ulimit -n) fsize=\$(ulimit -f) greeting=\$GREETING pwd=\$(pwd)'
    umask: \"027\"
    nice: 5
    limits:
      nofile: 64
      fsize: 1MiB
    env:
      GREETING: hello there
    workdir: $T/work
"

must_succeed ctl run settings
id=$OUT
wait_task "$id"
must_equal succeeded "$(task_get "$id" .state)" "state"
out=$(task_get "$id" .output)
must_match "umask=0027" "$out" "umask"
must_match "nice=5" "$out" "nice"
must_match "nofile=64" "$out" "nofile limit"
# ulimit -f counts 1024-byte blocks in bash, 512-byte ones in dash.
must_match "fsize=(1024|2048) " "$out" "fsize limit"
must_match "greeting=hello there" "$out" "env"
must_match "pwd=$T/work" "$out" "workdir"
exit 0
