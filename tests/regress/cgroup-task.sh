#!/bin/bash
# SPDX-License-Identifier: ISC
# With "cgroup: PATH" schedd moves itself to PATH/supervisor and runs each
# task in PATH/tasks/ID, entered before the task runs anything, and
# removed once the task has ended.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-cgroup.sh"

start_daemon "daemon:
  cgroup: $CG"
must_equal "/${CG#"$CGMNT"/}/supervisor" "/$(cg_of "$DPID" | sed 's|^/||')" "cgroup of schedd"
must_exit 0 ctl add where --wait -- cat /proc/self/cgroup
t=$(cj history where | jq '.result.tasks[0].id')
must_match "^0::/${CG#"$CGMNT"/}/tasks/$t\$" "$(task_get "$t" .output | tr -d '\r' | sed -n '/^0::/p')" "the task's cgroup, seen from the task"
[ ! -e "$CG/tasks/$t" ] || fail "the task's cgroup is still there after its end"
grep -q "tasks run in $CG/tasks" "$LOG" || fail "schedd did not say where tasks run"

# A path that is not a cgroup is refused at start.
stop_daemon
printf 'daemon:\n  cgroup: %s\n' "$T" >"$T/notcg.yaml"
must_fail "$SCHEDD" -c "$T/notcg.yaml" -s "$T/sock2" -d "$T/state2"
must_match "not in a cgroup v2 file system" "$OUT" "start with a cgroup that is a plain folder"
exit 0
