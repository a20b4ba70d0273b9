#!/bin/bash
# SPDX-License-Identifier: ISC
# Socket folder squatting: a daemon not run by root, without
# XDG_RUNTIME_DIR, puts its socket in /tmp/schedd-UID.  Another user could
# create that folder first (mode 0777, or a symbolic link), and the daemon
# used to bind there anyway, so that user could swap the socket and read
# the requests (job environments with secrets).  schedd now refuses a
# socket folder that is not its own or that others may write; schedctl
# refuses to connect through such a folder, and to a daemon that is not
# run by root or by the folder's owner.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to create users"
# The squatter.
add_user
# The victim, who runs its own daemon.
VUSER="schedd-test2-$$"
_retry useradd -M -r -s /usr/sbin/nologin "$VUSER" >/dev/null 2>&1 ||
    fail "useradd $VUSER failed"
TEST_USERS="$TEST_USERS $VUSER"
VUID=$(id -u "$VUSER")
VGID=$(id -g "$VUSER")
VDIR=/tmp/schedd-$VUID
[ ! -e "$VDIR" ] || rm -rf "$VDIR"
on_exit()
{
	rm -rf "$VDIR"
}

chmod 755 "$T"
printf 'jobs: {}\n' >"$CONF"
chmod 644 "$CONF"
mkdir "$T/vstate"
chown "$VUSER" "$T/vstate"

# vdaemon ARGS...: the victim's daemon in the background, with no HOME or
# XDG_RUNTIME_DIR (so its socket defaults to $VDIR/schedd.sock); sets VPID.
vdaemon()
{
	setpriv --reuid="$VUID" --regid="$VGID" --clear-groups -- \
	    env -u XDG_RUNTIME_DIR -u HOME \
	    "$SCHEDD" -c "$CONF" -d "$T/vstate" -v "$@" 2>>"$LOG" &
	VPID=$!
}

# refused SOCKET MESSAGE [ARGS...]: the victim's daemon must exit 1 with
# MESSAGE in its log, and never listen on SOCKET.
refused()
{
	local sock=$1 msg=$2 i rc

	shift 2
	: >"$LOG"
	vdaemon "$@"
	for i in $(seq 1 200); do
		kill -0 "$VPID" 2>/dev/null || break
		if [ -S "$sock" ]; then
			kill "$VPID"
			wait "$VPID"
			fail "the daemon listens on $sock in a folder it should refuse"
		fi
		sleep 0.05
	done
	wait "$VPID"
	rc=$?
	must_equal 1 "$rc" "exit status of the daemon refusing $(dirname "$sock")"
	grep -qF -- "$msg" "$LOG" ||
	    fail "no \"$msg\" in the daemon's log: $(cat "$LOG")"
	[ ! -e "$sock" ] || fail "the refusing daemon left $sock"
}

# vctl ARGS...: schedctl as the victim, with no XDG_RUNTIME_DIR.
vctl()
{
	setpriv --reuid="$VUID" --regid="$VGID" --clear-groups -- \
	    env -u XDG_RUNTIME_DIR -u HOME "$SCHEDCTL" "$@"
}

# The spy: listens on a socket as the squatter, notes every connection
# and the request it reads in $T/spy/log, and answers an error.
mkdir "$T/spy"
chown "$TUSER" "$T/spy"
cat >"$T/spy.py" <<'PY'
import os, socket, sys
path, log = sys.argv[1], sys.argv[2]
l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
l.bind(path)
os.chmod(path, 0o777)
l.listen(16)
open(path + ".ready", "w").close()
while True:
    c, _ = l.accept()
    c.settimeout(2)
    try:
        data = c.recv(65536)
    except OSError:
        data = b""
    with open(log, "ab") as f:
        f.write(b"connection: " + data + b"\n")
    try:
        c.sendall(b'{"ok":false,"error":{"code":"internal","message":"spy"}}\n')
    except OSError:
        pass
    c.close()
PY
chmod 644 "$T/spy.py"
SPYLOG=$T/spy/log

# spy PATH: start the spy on PATH and wait until it listens.
spy()
{
	bg setpriv --reuid="$TUID" --regid="$(id -g "$TUSER")" --clear-groups -- \
	    "$PYTHON" "$T/spy.py" "$1" "$SPYLOG"
	wait_for test -e "$1.ready"
}

# spied: how many requests the spy read.
spied()
{
	if [ -f "$SPYLOG" ]; then
		grep -c '^connection: {"cmd"' "$SPYLOG"
	else
		echo 0
	fi
}

# --- The daemon ---

# The squatter made the victim's default folder, writable by all.
as_user "$TUSER" mkdir -m 0777 "$VDIR"
refused "$VDIR/schedd.sock" \
    "socket folder $VDIR is owned by uid $TUID, not by uid $VUID or root: refusing it"
# Not writable by others: still the squatter's.
chmod 0755 "$VDIR"
refused "$VDIR/schedd.sock" \
    "socket folder $VDIR is owned by uid $TUID, not by uid $VUID or root: refusing it"
rm -rf "$VDIR"
# A symbolic link to a folder of the squatter's.
mkdir "$T/spy/dir"
chown "$TUSER" "$T/spy/dir"
as_user "$TUSER" ln -s "$T/spy/dir" "$VDIR"
refused "$T/spy/dir/schedd.sock" "socket folder $VDIR is a symbolic link: refusing it"
rm -f "$VDIR"
# The victim's own folder, but writable by all.
mkdir -m 0777 "$VDIR"
chown "$VUSER" "$VDIR"
refused "$VDIR/schedd.sock" \
    "socket folder $VDIR is writable by its group and others (mode 0777): refusing it"
rm -rf "$VDIR"
# A socket named with -s in the squatter's folder.
mkdir -m 0777 "$T/squat"
chown "$TUSER" "$T/squat"
refused "$T/squat/sock" \
    "socket folder $T/squat is owned by uid $TUID, not by uid $VUID or root: refusing it" \
    -s "$T/squat/sock"
# The victim's folder inside a folder anyone may write in.
mkdir -m 0700 "$T/squat/mine"
chown "$VUSER" "$T/squat/mine"
refused "$T/squat/mine/sock" \
    "socket folder $T/squat/mine: parent folder $T/squat is owned by uid $TUID" \
    -s "$T/squat/mine/sock"

# With nothing in the way the daemon makes the folder itself, 0700, and
# the victim's schedctl reaches it at the default path.
: >"$LOG"
vdaemon
DPID=$VPID
wait_for test -S "$VDIR/schedd.sock"
must_equal "700 $VUID" "$(stat -c '%a %u' "$VDIR")" "mode and owner of the folder the daemon made"
must_succeed vctl status
must_succeed vctl --json status
must_equal "$VDIR/schedd.sock" "$(json_get "$OUT" .result.socket)" "socket of the victim's daemon"
stop_daemon
rm -rf "$VDIR"

# --- schedctl ---

# The squatter's folder at the victim's default path, with a spy in it:
# schedctl refuses before it connects.
as_user "$TUSER" mkdir -m 0755 "$VDIR"
spy "$VDIR/schedd.sock"
must_exit 3 vctl status
must_match "socket folder $VDIR is owned by uid $TUID, not by uid $VUID or root: refusing it" \
    "$OUT" "schedctl at the default path in the squatter's folder"
must_equal 0 "$(spied)" "requests the spy read"
chmod 0777 "$VDIR"
must_exit 3 vctl status
must_equal 0 "$(spied)" "requests the spy read"

# Named with -s (or SCHEDD_SOCKET) a folder of another owner is the
# user's choice, if nobody else may write in it: the spy is reached.
chmod 0755 "$VDIR"
must_exit 1 vctl -s "$VDIR/schedd.sock" status
must_match 'spy \(internal\)' "$OUT" "schedctl -s to another user's daemon"
must_equal 1 "$(spied)" "requests the spy read"
SCHEDD_SOCKET=$VDIR/schedd.sock must_exit 1 vctl status
must_equal 2 "$(spied)" "requests the spy read"
# ... but not one anyone may write in.
chmod 0777 "$VDIR"
must_exit 3 vctl -s "$VDIR/schedd.sock" status
must_match "socket folder $VDIR is writable by its group and others \(mode 0777\): refusing it" \
    "$OUT" "schedctl -s in a folder anyone may write in"
must_equal 2 "$(spied)" "requests the spy read"

# A folder of the victim's where the squatter's socket was left (the
# folder was open once): the daemon must be root or the folder's owner.
mkdir -m 0777 "$T/vdir"
chown "$VUSER" "$T/vdir"
spy "$T/vdir/sock"
chmod 0755 "$T/vdir"
must_exit 3 vctl -s "$T/vdir/sock" status
must_match "the daemon on $T/vdir/sock runs as uid $TUID, not as root or as uid $VUID, the owner of its folder: refusing it" \
    "$OUT" "schedctl to a daemon that is not the folder's owner"
must_equal 2 "$(spied)" "requests the spy read"
exit 0
