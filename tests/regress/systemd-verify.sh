#!/bin/bash
# SPDX-License-Identifier: ISC
# The systemd files: "make install DESTDIR=..." puts the units, the
# sysusers and tmpfiles snippets in place; systemd-analyze verify accepts
# the installed units; systemd-sysusers and systemd-tmpfiles accept the
# snippets (as root, in a private --root).  Skips when systemd-analyze is
# missing or cannot run here.
. "$(dirname "$0")/lib.sh"

command -v systemd-analyze >/dev/null 2>&1 ||
    skip "systemd-analyze is not installed"
command -v "${MAKE:-make}" >/dev/null 2>&1 || skip "make is not installed"
BUILDDIR=$(cd "$(dirname "$SCHEDD")" && pwd)
[ -f "$BUILDDIR/Makefile" ] || skip "no Makefile in $BUILDDIR"

# Can systemd-analyze verify anything in this container?
mkdir "$T/probe"
printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$T/probe/probe.service"
if ! out=$(cd "$T/probe" && systemd-analyze verify --man=no ./probe.service 2>&1); then
	skip "systemd-analyze verify cannot run here: $out"
fi

# Install the data files into a private DESTDIR: "install-data", which
# rebuilds nothing (the programs other tests are running stay as they are),
# in a make of its own (not the caller's jobs).
(cd "$BUILDDIR" && unset MAKEFLAGS MFLAGS MAKELEVEL &&
    "${MAKE:-make}" install-data DESTDIR="$T/inst") >"$T/install.log" 2>&1 ||
    { cat "$T/install.log" >&2; fail "make install-data DESTDIR=$T/inst failed"; }
unit=$(find "$T/inst" -name schedd.service -path '*/systemd/system/*')
[ -n "$unit" ] || fail "make install did not install schedd.service"
unitdir=$(dirname "$unit")
[ -f "$unitdir/schedd.socket" ] || fail "schedd.socket is not next to schedd.service"
sysusers=$(find "$T/inst" -path '*/sysusers.d/schedd.conf')
tmpfiles=$(find "$T/inst" -path '*/tmpfiles.d/schedd.conf')
[ -n "$sysusers" ] || fail "no sysusers.d/schedd.conf installed"
[ -n "$tmpfiles" ] || fail "no tmpfiles.d/schedd.conf installed"
[ -n "$(find "$T/inst" -path '*/schedd/schedd.yaml')" ] ||
    fail "the example configuration was not installed"

# Every @placeholder@ was filled in, and ExecStart is schedd in sbindir.
grep -n '@[a-z_]*@' "$unit" && fail "a placeholder is left in $unit"
exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
must_match '^/.*/schedd$' "$exe" "ExecStart of schedd.service"

# verify checks that ExecStart and ExecReload exist: point them at the
# built programs, which are not installed here; nothing else changes.
mkdir "$T/units"
reload=$(sed -n 's/^ExecReload=\([^ ]*\).*/\1/p' "$unit")
must_match '^/.*/schedctl$' "$reload" "ExecReload of schedd.service"
sed -e "s|^ExecStart=$exe|ExecStart=$SCHEDD|" \
    -e "s|^ExecReload=$reload|ExecReload=$SCHEDCTL|" "$unit" \
    >"$T/units/schedd.service"
cp "$unitdir/schedd.socket" "$T/units/"
if ! out=$(cd "$T/units" &&
    systemd-analyze verify --man=no ./schedd.socket ./schedd.service 2>&1); then
	EXPECTED="no complaints"
	GOT=$out
	fail "systemd-analyze verify failed"
fi
must_equal "" "$out" "systemd-analyze verify output"

if [ "$(id -u)" -eq 0 ] && command -v systemd-sysusers >/dev/null 2>&1 &&
    command -v systemd-tmpfiles >/dev/null 2>&1; then
	mkdir -p "$T/root/etc"
	must_succeed systemd-sysusers --root="$T/root" "$sysusers"
	grep -q '^schedd:' "$T/root/etc/group" ||
	    fail "systemd-sysusers did not create the schedd group"
	must_succeed systemd-tmpfiles --root="$T/root" --create "$tmpfiles"
	must_equal 711 "$(stat -c %a "$T/root/var/lib/schedd")" "mode of /var/lib/schedd"
	[ -d "$T/root/run/schedd" ] || fail "tmpfiles did not create /run/schedd"
	[ -d "$T/root/etc/schedd/jobs.d" ] || fail "tmpfiles did not create /etc/schedd/jobs.d"
else
	echo "note: not checking the sysusers and tmpfiles snippets (needs root and systemd-sysusers/tmpfiles)"
fi
exit 0
