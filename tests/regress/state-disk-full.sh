#!/bin/bash
# SPDX-License-Identifier: ISC
# The state cannot be written: with the state folder on a full
# file system, a mutating command answers persist_failed and changes
# nothing in memory (add, pause, ban, remove), status.state_ok is false;
# once space is freed the daemon writes its state again by itself
# (status.state_ok true within ~10 s), commands work, and everything that
# was acknowledged, before and after, survives a crash.  The same for a
# state folder whose files cannot be written (read-only).
#
# Root only: it mounts a small tmpfs on the state folder.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to mount a small tmpfs as the state folder"
command -v mount >/dev/null && command -v umount >/dev/null ||
    skip "mount/umount missing"

mkdir -p "$STATE"
mount -t tmpfs -o size=2m,mode=0700 tmpfs "$STATE" 2>"$T/mount.err" ||
    skip "cannot mount a tmpfs: $(cat "$T/mount.err")"
MOUNTED=1
on_exit()
{
	chattr -R -i "$STATE" >/dev/null 2>&1
	[ -z "${MOUNTED:-}" ] || umount "$STATE" 2>/dev/null ||
	    umount -l "$STATE" 2>/dev/null
}

state_ok() { cj status | jq -r .result.state_ok; }
# code JSON: the error code of an answer, "ok" if it succeeded.
code() { json_get "$1" 'if .ok then "ok" else .error.code end'; }
# refused WHAT CMD...: schedctl --json CMD must exit 1 with persist_failed.
refused()
{
	local what=$1 rc

	shift
	OUT=$("$SCHEDCTL" -s "$SOCK" --json "$@" 2>/dev/null)
	rc=$?
	must_equal "1|persist_failed" "$rc|$(code "$OUT")" \
	    "exit status|error code of schedctl $* ($what)"
}
# refused_all WHAT: every mutating command is refused and leaves no trace.
refused_all()
{
	refused "add x (ad-hoc) on a $1 state" add x -- true
	refused "add y (scheduled) on a $1 state" add y --every 1h -- true
	must_equal not_found "$(raw '{"cmd":"job","name":"x"}' | jq -r .error.code)" \
	    "job x after its add failed ($1)"
	must_equal not_found "$(raw '{"cmd":"job","name":"y"}' | jq -r .error.code)" \
	    "job y after its add failed ($1)"
	must_equal 0 "$(cj status | jq .result.queued)" "tasks queued after the failed adds ($1)"
	refused "pause pre on a $1 state" pause pre
	must_equal false "$(raw '{"cmd":"job","name":"pre"}' | jq -r .result.job.paused)" \
	    "pre paused after its pause failed ($1)"
	refused "ban on a $1 state" ban zzz --reason r
	must_equal "old" "$(raw '{"cmd":"bans"}' | jq -r '[.result.bans[].name] | join(" ")')" \
	    "bans after a ban failed ($1)"
	refused "unban on a $1 state" unban old
	must_equal "old" "$(raw '{"cmd":"bans"}' | jq -r '[.result.bans[].name] | join(" ")')" \
	    "bans after an unban failed ($1)"
	refused "remove pre on a $1 state" remove pre
	must_equal pre "$(raw '{"cmd":"job","name":"pre"}' | jq -r .result.job.name)" \
	    "job pre after its remove failed ($1)"
	must_equal false "$(state_ok)" "status.state_ok on a $1 state"
}

conf="jobs:
  cfg:
    command: [\"true\"]
"
start_daemon "$conf"
must_succeed ctl add pre --every 1h -- true
must_succeed ctl ban old --reason r
must_equal true "$(state_ok)" "status.state_ok at start"

# --- Disk full.  The journal's last page may still take a few lines after
# the filler got ENOSPC, so add jobs until one is refused: each add that
# was answered ok must be kept, the refused one must leave nothing.
dd if=/dev/zero of="$STATE/filler" bs=64k >/dev/null 2>&1
[ "$(df -P "$STATE" | awk 'NR == 2 { print $4 }')" -eq 0 ] ||
    fail "test setup: the tmpfs is not full after dd"
acked=
for i in $(seq 1 200); do
	OUT=$(cj add "fill$i" --every 1h -- true 2>/dev/null)
	c=$(code "$OUT")
	[ "$c" = ok ] || break
	acked="$acked fill$i"
done
must_equal persist_failed "$c" "answer to add fill$i on a full disk"
echo "disk full: $((i - 1)) adds still fitted in the journal's last page, add fill$i was refused"
must_equal not_found "$(raw "{\"cmd\":\"job\",\"name\":\"fill$i\"}" | jq -r .error.code)" \
    "job fill$i after its add failed"
refused_all full
must_fail ctl add x -- true
must_match 'persist_failed|cannot be written' "$OUT" "schedctl message for persist_failed"

# Space again: the daemon writes its state by itself, and works.
rm -f "$STATE/filler"
wait_state_ok
must_succeed ctl add x --every 1h -- true
must_succeed ctl pause pre
must_succeed ctl ban newban
must_succeed ctl run cfg
wait_task "$OUT"
want=$(printf '%s\n' cfg pre x $acked | sort | tr '\n' ' ')
must_equal "$want" "$(job_names | tr '\n' ' ')" "jobs after the state was written again"
kill9_daemon
restart_daemon
must_equal "$want" "$(job_names | tr '\n' ' ')" "jobs after a crash following the recovery"
must_equal true "$(raw '{"cmd":"job","name":"pre"}' | jq -r .result.job.paused)" \
    "pre paused (after the recovery) survived a crash"
must_equal "newban old" "$(raw '{"cmd":"bans"}' | jq -r '[.result.bans[].name] | sort | join(" ")')" \
    "bans after a crash following the recovery"
must_succeed ctl resume pre
must_succeed ctl unban newban

# --- Read-only.  "mount -o remount,ro" is refused (EBUSY) while a process
# holds files of the file system open for writing, as schedd holds its
# journal and lock, so a read-only state folder is made with the immutable
# attribute on the ext2/3/4 folder under the tmpfs: every write to the
# journal and every new file fail (EPERM), as on a read-only mount.
shutdown_daemon
umount "$STATE" || fail "umount of the tmpfs failed"
MOUNTED=
mkdir -p "$STATE/probe" && chattr +i "$STATE/probe" 2>/dev/null && chattr -i "$STATE/probe" &&
    rmdir "$STATE/probe" ||
    { echo "SKIP (part): $TEST_NAME: no immutable attribute on $(stat -f -c %T "$STATE"): read-only case not run"; exit 0; }
restart_daemon
must_succeed ctl add pre --every 1h -- true
must_succeed ctl ban old --reason r
chattr -R +i "$STATE" || fail "chattr +i $STATE failed"
refused_all read-only
chattr -R -i "$STATE" || fail "chattr -i $STATE failed"
wait_state_ok
must_succeed ctl add x --every 1h -- true
kill9_daemon
restart_daemon
must_equal "cfg pre x " "$(job_names | tr '\n' ' ')" \
    "jobs after the read-only state folder was writable again and a crash"
exit 0
