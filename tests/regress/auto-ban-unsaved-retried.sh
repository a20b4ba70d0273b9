#!/bin/bash
# SPDX-License-Identifier: ISC
# An automatic ban made while the state cannot be written (a full disk) is
# kept in memory and saved with everything else once the state can be
# written again: it survives a crash after that.
#
# Root only: it mounts a small tmpfs on the state folder.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to mount a small tmpfs as the state folder"
mkdir -p "$STATE"
mount -t tmpfs -o size=2m,mode=0700 tmpfs "$STATE" 2>"$T/mount.err" ||
    skip "cannot mount a tmpfs: $(cat "$T/mount.err")"
MOUNTED=1
on_exit()
{
	[ -z "${MOUNTED:-}" ] || umount "$STATE" 2>/dev/null ||
	    umount -l "$STATE" 2>/dev/null
}

gate=$(gate_cmd go)
start_daemon "jobs:
  flaky:
    command: |
      $gate
      exit 5
    ban_after_failures: 1"
must_succeed ctl run flaky
t=$OUT
wait_for eval "[ \"\$(task_get $t .state)\" = running ]"

# Fill the disk, then let the task fail: its record and the ban cannot be
# written any more.
dd if=/dev/zero of="$STATE/filler" bs=64k >/dev/null 2>&1
for i in $(seq 1 200); do
	[ "$(cj add "fill$i" --every 1h -- true | jq -r .ok)" = true ] || break
done
touch "$T/go"
wait_task "$t"
must_equal failed "$(task_get "$t" .state)" "the task"
must_equal flaky "$(cj bans | jq -r '.result.bans[0].name')" "the automatic ban in memory"
must_equal false "$(cj status | jq .result.state_ok)" "state_ok on the full disk"

rm -f "$STATE/filler"
wait_state_ok
kill9_daemon
restart_daemon
must_equal "flaky true" "$(cj bans | jq -r '.result.bans[0] | "\(.name) \(.auto)"')" "the automatic ban after a crash"
must_equal failed "$(task_get "$t" .state)" "the failed task after a crash"
exit 0
