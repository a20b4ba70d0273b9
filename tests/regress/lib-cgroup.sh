# SPDX-License-Identifier: ISC
# Helpers for the scripts that run schedd in a cgroup of their own
# (cgroup-*.sh).  Source it after lib.sh.  Root only: the test makes a
# fresh cgroup under the machine's cgroup2 mount, and removes it (killing
# whatever is left in it) when it ends.

[ "$(id -u)" -eq 0 ] || skip "needs root to make a cgroup"
CGMNT=$(awk '$9 == "cgroup2" && $4 == "/" { print $5; exit }' \
    /proc/self/mountinfo)
[ -n "$CGMNT" ] || fail "no cgroup2 file system is mounted"
CG=$CGMNT/schedd-regress-$$
mkdir "$CG" || fail "cannot make the cgroup $CG"

# cg_remove: kill everything under $CG and remove it, deepest first.
cg_remove()
{
	local d

	[ -d "$CG" ] || return 0
	for d in $(find "$CG" -depth -type d 2>/dev/null); do
		echo 1 >"$d/cgroup.kill" 2>/dev/null
	done
	for d in $(find "$CG" -depth -type d 2>/dev/null); do
		for _ in $(seq 1 50); do
			rmdir "$d" 2>/dev/null && break
			sleep 0.05
		done
	done
}

on_exit()
{
	# The daemon moved itself into $CG/supervisor: stop it first.
	stop_daemon
	cg_remove
	[ "$(type -t on_exit_more)" = function ] && on_exit_more
	return 0
}

# marked_pids MARK: pids of live processes whose command line holds MARK.
marked_pids()
{
	local p

	for p in /proc/[0-9]*; do
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "$1" &&
		    [ "$(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f1)" != Z ] &&
		    echo "${p#/proc/}"
	done
	return 0
}

# cg_of PID: the cgroup of a process, relative to the cgroup2 mount.
cg_of()
{
	sed -n 's/^0:://p' "/proc/$1/cgroup"
}
