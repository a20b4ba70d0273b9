#!/bin/bash
# SPDX-License-Identifier: ISC
# Boot a real systemd as PID 1 of private pid, mount, UTS, IPC and cgroup
# namespaces, to test schedd under the service manager its units are
# written for (tests/regress/systemd-real.sh), on a host whose own PID 1
# need not be systemd.  Needs root, overlayfs and a writable cgroup2 mount.
#
#	boot.sh up NAME [-l SECS] [-u UNIT]... [-t TREE]... [-b SRC[:DST]]...
#	boot.sh exec NAME -- COMMAND [ARG...]
#	boot.sh down NAME
#	boot.sh run NAME [up options] -- COMMAND [ARG...]
#
# up boots the instance NAME and returns once systemd reports "running" (or
# "degraded", after listing the failed units): 0, or 3 when it did not boot
# (its console and stage logs are printed and it is torn down).
#	-l SECS	lifetime: after SECS everything in the instance is killed, so
#		that a caller killed before its down leaves nothing running
#	-u UNIT	a unit file (or drop-in folder) for /etc/systemd/system
#	-t TREE	a folder copied over / before boot, such as the DESTDIR of a
#		"make install DESTDIR=TREE"
#	-b SRC[:DST]
#		bind-mount the host's SRC at DST (default: the same path)
# exec runs COMMAND inside (all the namespaces, root and PATH of the
# instance, a clean environment) and exits with its status; systemctl,
# journalctl and systemd-run work there as on a booted machine.
# down kills everything the instance holds and removes it; it is safe to
# call for an instance that is not there.  run is up, exec and down.
#
# What the instance is: / is an overlay of the host's root file system with
# a tmpfs on top (every write is thrown away at down; other host mounts are
# not visible, except through -b); fresh /proc (its sys and sysrq-trigger
# read-only), /dev, /run and /etc/systemd/system; /sys read-only, with
# /sys/fs/cgroup a cgroup2 mount rooted at the instance's cgroup; the
# environment says container=schedd-test, so systemd runs as in a
# container.  It boots boot.target, basic.target with the units that would
# touch the kernel or host files masked.
#
# Cleanup: each instance has a cgroup CG, made under the host's cgroup2
# mount: systemd runs in CG/init (its cgroup namespace root), commands of
# exec in CG/exec, the unshare(1) outside the pid namespace and the -l
# timer in CG/outer.  Everything the instance started is in CG, and
# nothing else is: down writes CG/cgroup.kill (SIGKILL to all of it, the
# namespace init included, which ends the pid and mount namespaces and
# with them every mount), then removes CG and the state folder.  No other
# process is ever signalled.  There is no clean shutdown: tests look at
# what happened before down.  up also removes what instances left when
# their processes are gone (killed by -l) and their up began over 5
# minutes ago.
#
# Environment: SCHEDD_SYSTEMD_DIR, the folder of the instances' state
# (default ${TMPDIR:-/tmp}/schedd-systemd); SCHEDD_SYSTEMD_BOOT_TIMEOUT,
# seconds up waits for the boot (default 30).  One caller per NAME at a
# time.
set -u

SELF=$(readlink -f "$0")
PATH_IN=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
BASE=${SCHEDD_SYSTEMD_DIR:-${TMPDIR:-/tmp}/schedd-systemd}

die()
{
	echo "boot.sh: $*" >&2
	exit 2
}

# The boot target and the masked units, written into the instance's
# /etc/systemd/system (argument) before systemd starts.
setup_units()
{
	local u=$1 m

	cat >"$u/boot.target" <<'EOF'
[Unit]
Description=schedd test instance
Requires=basic.target
After=basic.target
AllowIsolate=yes
EOF
	ln -s boot.target "$u/default.target"
	# Units that change kernel state or host files, wait for hardware,
	# or have no use in a short-lived test instance.
	for m in systemd-tmpfiles-setup.service \
	    systemd-tmpfiles-setup-dev.service systemd-tmpfiles-clean.timer \
	    systemd-sysusers.service systemd-firstboot.service \
	    systemd-machine-id-commit.service systemd-update-utmp.service \
	    systemd-journal-flush.service systemd-journal-catalog-update.service \
	    systemd-modules-load.service kmod-static-nodes.service \
	    systemd-sysctl.service systemd-binfmt.service \
	    proc-sys-fs-binfmt_misc.automount sys-kernel-config.mount \
	    sys-kernel-debug.mount sys-kernel-tracing.mount \
	    sys-fs-fuse-connections.mount dev-hugepages.mount dev-mqueue.mount \
	    systemd-random-seed.service systemd-pcrphase-sysinit.service \
	    systemd-repart.service systemd-remount-fs.service \
	    systemd-hwdb-update.service ldconfig.service \
	    systemd-update-done.service systemd-pstore.service \
	    systemd-timesyncd.service systemd-logind.service \
	    systemd-ask-password-console.path systemd-ask-password-wall.path \
	    getty.target console-getty.service systemd-initctl.socket \
	    systemd-journald-audit.socket e2scrub_reap.service \
	    apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
	    e2scrub_all.timer fstrim.timer man-db.timer; do
		ln -sf /dev/null "$u/$m"
	done
}

# Runs as PID 1 of the new pid namespace (in new mount, UTS and IPC ones):
# enter CG/init and make it the root of a new cgroup namespace.
if [ "${1:-}" = __init ]; then
	echo 0 >"$3/init/cgroup.procs" || exit 10
	exec unshare --cgroup -- bash "$SELF" __root "$2"
fi

# Then build the instance's root and become systemd.
if [ "${1:-}" = __root ]; then
	set -e
	ST=$2
	R=$ST/root
	mount -t tmpfs -o mode=755 schedd-test-rw "$ST/rw"
	mkdir "$ST/rw/upper" "$ST/rw/work"
	mount -t overlay -o "lowerdir=/,upperdir=$ST/rw/upper,workdir=$ST/rw/work" \
	    schedd-test-root "$R"
	mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
	for p in sys sysrq-trigger; do
		[ -e "$R/proc/$p" ] || continue
		mount --bind "$R/proc/$p" "$R/proc/$p"
		mount -o remount,bind,ro "$R/proc/$p"
	done
	mount --bind /sys "$R/sys"
	mount -o remount,bind,ro,nosuid,nodev,noexec "$R/sys"
	mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$R/sys/fs/cgroup"
	mount -t tmpfs -o mode=755,nosuid,size=4m schedd-test-dev "$R/dev"
	for n in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" \
	    "urandom 1 9" "tty 5 0"; do
		set -- $n
		mknod -m 666 "$R/dev/$1" c "$2" "$3"
	done
	mkdir "$R/dev/pts" "$R/dev/shm"
	mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts \
	    "$R/dev/pts"
	ln -s pts/ptmx "$R/dev/ptmx"
	mount -t tmpfs -o mode=1777,nosuid,nodev shm "$R/dev/shm"
	ln -s /proc/self/fd "$R/dev/fd"
	for n in 0:stdin 1:stdout 2:stderr; do
		ln -s "/proc/self/fd/${n%%:*}" "$R/dev/${n#*:}"
	done
	touch "$R/dev/console"
	mount --bind "$ST/console.log" "$R/dev/console"
	mount -t tmpfs -o mode=755,nosuid,nodev schedd-test-run "$R/run"
	mount -t tmpfs -o mode=755 schedd-test-units "$R/etc/systemd/system"
	while IFS=$'\t' read -r kind src dst; do
		case $kind in
		tree)
			# Keep the modes of folders that exist (/, /usr).
			tar -C "$src" -cf - . |
			    tar -C "$R" -xpf - --no-overwrite-dir ;;
		unit)
			cp -a "$src" "$R/etc/systemd/system/" ;;
		bind)
			if [ -d "$src" ]; then
				mkdir -p "$R$dst"
			elif [ ! -e "$R$dst" ]; then
				mkdir -p "$(dirname "$R$dst")"
				touch "$R$dst"
			fi
			mount --rbind "$src" "$R$dst" ;;
		esac
	done <"$ST/setup"
	setup_units "$R/etc/systemd/system"
	mkdir -p "$R/etc/systemd/system.conf.d" "$R/etc/systemd/journald.conf.d"
	printf '[Manager]\nShowStatus=no\nDefaultTimeoutStopSec=15s\n' \
	    >"$R/etc/systemd/system.conf.d/schedd-test.conf"
	printf '[Journal]\nStorage=volatile\n' \
	    >"$R/etc/systemd/journald.conf.d/schedd-test.conf"
	rm -f "$R/etc/hostname"
	cat "$ST/name" >"$R/etc/hostname"
	cd "$R"
	pivot_root . .
	umount -l .
	cd /
	exec env -i container=schedd-test PATH="$PATH_IN" TERM=dumb \
	    /lib/systemd/systemd --show-status=no
fi

[ $# -ge 2 ] || die "usage: boot.sh up|exec|down|run NAME [ARGS] (see the top of $SELF)"
CMD=$1
NAME=$2
shift 2
case $NAME in
''|*[!A-Za-z0-9_.-]*)
	die "bad instance name: $NAME" ;;
esac
[ "$(id -u)" -eq 0 ] || die "must run as root"
ST=$BASE/$NAME
CG2=$(awk '{
	for (i = 7; i < NF && $i != "-"; i++)
		;
	if ($(i + 1) == "cgroup2") {
		print $5
		exit
	}
}' /proc/self/mountinfo)
[ -n "$CG2" ] || die "no cgroup2 file system is mounted"
CG=$CG2/schedd-systemd-$NAME

# The instance's PID 1, as the host sees it: the process in CG/init whose
# pid in its innermost namespace is 1.
init_pid()
{
	local pid

	for pid in $(find "$CG/init" -name cgroup.procs -exec cat {} + \
	    2>/dev/null); do
		if awk '/^NSpid:/ { exit !(NF > 2 && $NF == 1) }' \
		    "/proc/$pid/status" 2>/dev/null; then
			echo "$pid"
			return 0
		fi
	done
	return 1
}

# in_instance PID1 COMMAND...: run COMMAND inside, from CG/exec.
in_instance()
{
	local p1=$1

	shift
	(
		echo "$BASHPID" >"$CG/exec/cgroup.procs" || exit 125
		exec nsenter -t "$p1" -m -u -i -p -C -r -w -- \
		    env -i PATH="$PATH_IN" TERM=dumb SYSTEMD_PAGER= \
		    SYSTEMD_COLORS=0 "$@"
	)
}

sd_down()
{
	local i

	if [ -d "$CG" ]; then
		if [ -e "$CG/cgroup.kill" ]; then
			echo 1 >"$CG/cgroup.kill"
		fi
		for i in $(seq 1 100); do
			grep -q '^populated 0' "$CG/cgroup.events" && break
			# Kernels before 5.14 have no cgroup.kill.
			[ -e "$CG/cgroup.kill" ] ||
			    find "$CG" -name cgroup.procs -exec cat {} + |
			    xargs -r kill -KILL 2>/dev/null
			sleep 0.05
		done
		find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$CG" ] && echo "boot.sh: could not remove $CG" >&2
	fi
	# The mounts were made in the instance's own mount namespace: they
	# went with it, and nothing under ST is mounted here.
	if [ -d "$ST" ]; then
		if grep -q " $ST/" /proc/self/mountinfo; then
			echo "boot.sh: $ST has mounts; not removing it" >&2
			return 1
		fi
		rm -rf "$ST"
	fi
	return 0
}

# Remove the instances whose processes are all gone and whose up began
# more than 5 minutes ago (so none that is still booting).
sd_sweep()
{
	local d n

	for d in $(find "$BASE" -mindepth 2 -maxdepth 2 -name name -mmin +5 \
	    2>/dev/null); do
		n=$(basename "$(dirname "$d")")
		case $n in
		''|*[!A-Za-z0-9_.-]*)
			continue ;;
		esac
		grep -qs '^populated 1' "$CG2/schedd-systemd-$n/cgroup.events" ||
		    (NAME=$n ST=$BASE/$n CG=$CG2/schedd-systemd-$n; sd_down)
	done
}

# sd_fail MESSAGE: a boot failed; show why, tear down and exit 3.
sd_fail()
{
	local p1

	echo "boot.sh: $NAME: $1" >&2
	if p1=$(init_pid); then
		in_instance "$p1" journalctl -b --no-pager -n 60 >&2 2>&1
	fi
	echo "--- stage log" >&2
	tail -n 20 "$ST/stage.log" >&2
	echo "--- console" >&2
	tail -n 40 "$ST/console.log" >&2
	sd_down
	exit 3
}

sd_up()
{
	local opt src dst p1 state i outer life='' setup=''

	OPTIND=1
	while getopts l:u:t:b: opt; do
		case $opt in
		l)
			life=$OPTARG
			case $life in
			''|*[!0-9]*) die "not a number of seconds: $life" ;;
			esac
			;;
		u|t)
			src=$(readlink -f "$OPTARG")
			[ -e "$src" ] || die "no such file: $OPTARG"
			[ "$opt" = u ] && setup+=unit$'\t'$src$'\n'
			[ "$opt" = t ] && setup+=tree$'\t'$src$'\n'
			;;
		b)
			src=$(readlink -f "${OPTARG%%:*}")
			dst=${OPTARG#*:}
			[ -e "$src" ] || die "no such file: ${OPTARG%%:*}"
			case $dst in
			/*) ;;
			*) die "not an absolute path: $dst" ;;
			esac
			setup+=bind$'\t'$src$'\t'$dst$'\n'
			;;
		*)
			die "usage: boot.sh up NAME [-l SECS] [-u UNIT] [-t TREE] [-b SRC[:DST]]" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -eq 0 ] || die "unexpected argument: $1"

	sd_sweep
	sd_down || exit 2
	mkdir -p "$ST/root" "$ST/rw" || die "cannot make $ST"
	echo "$NAME" >"$ST/name"
	printf '%s' "$setup" >"$ST/setup"
	: >"$ST/console.log"
	mkdir "$CG" "$CG/init" "$CG/exec" "$CG/outer" ||
	    die "cannot make cgroup $CG"
	# Offer systemd every controller the host lets us have.
	for i in $(cat "$CG/cgroup.controllers"); do
		echo "+$i" >"$CG/cgroup.subtree_control" 2>/dev/null
	done
	(
		echo "$BASHPID" >"$CG/outer/cgroup.procs" || exit 125
		exec setsid unshare --pid --fork --mount --uts --ipc \
		    --propagation private -- bash "$SELF" __init "$ST" "$CG"
	) </dev/null >"$ST/stage.log" 2>&1 &
	outer=$!
	disown $outer
	if [ -n "$life" ]; then
		(
			echo "$BASHPID" >"$CG/outer/cgroup.procs" || exit 125
			sleep "$life"
			echo "boot.sh: lifetime of $life s over" >>"$ST/stage.log"
			echo 1 >"$CG/init/cgroup.kill"
			echo 1 >"$CG/exec/cgroup.kill"
		) </dev/null >/dev/null 2>&1 &
		disown $!
	fi

	i=$((${SCHEDD_SYSTEMD_BOOT_TIMEOUT:-30} * 10))
	state=
	while [ $i -gt 0 ]; do
		i=$((i - 1))
		sleep 0.1
		if ! p1=$(init_pid); then
			# Gone before it was in its cgroup, or after.
			kill -0 "$outer" 2>/dev/null ||
			    grep -q '^populated 1' "$CG/cgroup.events" ||
			    sd_fail "systemd exited"
			continue
		fi
		[ "$(cat "/proc/$p1/comm" 2>/dev/null)" = systemd ] || continue
		state=$(in_instance "$p1" systemctl is-system-running 2>/dev/null)
		case $state in
		running)
			return 0 ;;
		degraded)
			echo "boot.sh: $NAME: degraded; failed units:" >&2
			in_instance "$p1" systemctl --failed --no-legend >&2
			return 0 ;;
		esac
	done
	sd_fail "did not boot in ${SCHEDD_SYSTEMD_BOOT_TIMEOUT:-30} s (state \"$state\")"
}

sd_exec()
{
	local p1

	[ "${1:-}" = -- ] && shift
	[ $# -gt 0 ] || die "usage: boot.sh exec NAME -- COMMAND [ARG...]"
	p1=$(init_pid) || die "instance $NAME is not running"
	in_instance "$p1" "$@"
}

case $CMD in
up)
	sd_up "$@" ;;
exec)
	sd_exec "$@" ;;
down)
	sd_down ;;
run)
	i=0
	for a in "$@"; do
		[ "$a" = -- ] && break
		i=$((i + 1))
	done
	[ $i -lt $# ] || die "usage: boot.sh run NAME [up options] -- COMMAND"
	trap 'sd_down; exit 130' INT TERM HUP
	sd_up "${@:1:i}"
	shift $((i + 1))
	sd_exec "$@"
	rc=$?
	sd_down
	exit $rc ;;
*)
	die "unknown command $CMD (up, exec, down or run)" ;;
esac
