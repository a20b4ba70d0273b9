#!/bin/bash
# SPDX-License-Identifier: ISC
# The Debian package: "dpkg-buildpackage -us -uc -b" builds it from a copy
# of the tree (the files git knows, or the unpacked release tarball);
# lintian reports no error and no warning; it installs in a throwaway
# systemd instance (tests/systemd/boot.sh: an overlay of / dropped at the
# end, so the host is never touched), where postinst made the schedd group
# and the folders and started schedd.service on the installed
# /etc/schedd/schedd.yaml, which "schedd -t" accepts and which has no
# job; systemd-analyze verify accepts the installed units; "dpkg -r"
# removes the programs and keeps the configuration, "dpkg --purge" leaves
# none of the package's files, /etc/schedd nor /var/lib/schedd behind.
#
# Needs root (to boot systemd and run dpkg); skips without it, except in
# CI, where it must run.  tools/deps.sh installs debhelper and lintian.
: "${REGRESS_TIMEOUT:=400}"
export REGRESS_TIMEOUT
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	[ -z "${CI:-}" ] || fail "needs root, and CI runs as root"
	skip "needs root to install the package in a systemd instance"
fi
for p in dpkg-buildpackage dh dh_autoreconf lintian unshare nsenter \
    systemctl; do
	command -v "$p" >/dev/null 2>&1 ||
	    fail "$p is not installed (tools/deps.sh installs it)"
done
[ -x /lib/systemd/systemd ] || fail "systemd is not installed"
BOOT=$SRCDIR/tests/systemd/boot.sh
SD=package-$$
PKG=/tmp/schedd-package-$$

# inside COMMAND...: run COMMAND in the booted instance.
inside()
{
	bash "$BOOT" exec "$SD" -- "$@"
}

on_exit()
{
	if [ -n "${BOOTED:-}" ]; then
		inside journalctl -b --no-pager -o short-monotonic >"$LOG" 2>&1
		bash "$BOOT" down "$SD"
	fi
}

# The source: what git tracks (and new files it does not ignore) when
# SRCDIR is the top of a git work tree, else the whole folder (a release
# tarball, as in "make distcheck", perhaps unpacked inside an ignored
# folder of a work tree) without its build folders.
mkdir "$T/out" "$T/out/src"
top=$(git -C "$SRCDIR" rev-parse --show-toplevel 2>/dev/null)
if [ -n "$top" ] && [ "$top" -ef "$SRCDIR" ]; then
	git -C "$SRCDIR" ls-files -co --exclude-standard -z |
	    tar -C "$SRCDIR" --null -T - -cf - | tar -C "$T/out/src" -xf - ||
	    fail "cannot copy the files of $SRCDIR"
else
	tar -C "$SRCDIR" --exclude=./_build --exclude=./_inst -cf - . |
	    tar -C "$T/out/src" -xf - || fail "cannot copy $SRCDIR"
	chmod -R u+w "$T/out/src"
fi
[ -f "$T/out/src/debian/control" ] || fail "no debian/control in $SRCDIR"

# Build it as a packager would: no flags, make state or sanitizer of the
# caller's build.
(cd "$T/out/src" && unset MAKEFLAGS MFLAGS MAKELEVEL CFLAGS CPPFLAGS \
    LDFLAGS ASAN_OPTIONS UBSAN_OPTIONS &&
    DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
    >"$T/build.log" 2>&1 ||
    { tail -n 60 "$T/build.log" >&2; fail "dpkg-buildpackage failed"; }
changes=$(ls "$T"/out/schedd_*.changes)
deb=$(ls "$T"/out/schedd_*_*.deb)
[ -f "$changes" ] && [ -f "$deb" ] || fail "no .changes or .deb was built"

# lintian: no error, no warning (information and pedantic notes are fine).
lintian -I --pedantic "$changes" >"$T/lintian.log" 2>&1
cat "$T/lintian.log"
if grep -q '^[EW]: ' "$T/lintian.log"; then
	fail "lintian reports errors or warnings"
fi

# Every file of the package (folders that other packages share aside).
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' \
    >"$T/files"
grep -qx /etc/schedd/schedd.yaml "$T/files" ||
    fail "the package has no /etc/schedd/schedd.yaml"
unitdir=$(sed -n 's|/schedd.service$||p' "$T/files")
[ -n "$unitdir" ] || fail "the package has no schedd.service"

BOOTED=1
bash "$BOOT" up "$SD" -l $((REGRESS_WATCHDOG - 5)) -b "$T/out:$PKG" ||
    fail "systemd did not boot (tests/systemd/boot.sh up)"
# A container image's policy-rc.d (exit 101) forbids starting services
# from maintainer scripts; the instance is a machine that allows it.
must_succeed inside rm -f /usr/sbin/policy-rc.d
must_succeed inside dpkg -i "$PKG/$(basename "$deb")"
must_succeed inside getent group schedd
must_succeed inside stat -c '%a %U' /var/lib/schedd /run/schedd /etc/schedd
must_equal "711 root 755 root 755 root" "$(echo $OUT)" \
    "modes of the folders postinst made"

# The installed configuration: valid, no job; the demo is an example.
must_succeed inside schedd -t
must_equal "/etc/schedd/schedd.yaml: configuration ok, 0 jobs" "$OUT" \
    "schedd -t"
must_succeed inside test -f /usr/share/doc/schedd/examples/schedd.yaml
must_succeed inside schedd -t -c /usr/share/doc/schedd/examples/schedd.yaml

# postinst enabled and started the service, which answers on its socket.
wait_for inside systemctl is-active schedd.service
must_succeed inside systemctl is-enabled schedd.service
must_succeed inside schedctl --json jobs
must_equal 0 "$(json_get "$OUT" '.result.jobs | length')" "jobs defined"
must_succeed inside stat -c '%a %G' /run/schedd/schedd.sock
must_equal "660 schedd" "$OUT" "mode and group of the socket"
must_succeed inside systemd-analyze verify --man=no \
    "$unitdir/schedd.service" "$unitdir/schedd.socket"
must_equal "" "$OUT" "systemd-analyze verify"

# Remove: the service stops, the programs go, the configuration stays.
must_succeed inside dpkg -r schedd
must_exit 3 inside systemctl is-active schedd.service
must_fail inside test -e /usr/sbin/schedd
must_succeed inside test -f /etc/schedd/schedd.yaml

# Purge: nothing of the package is left.
must_succeed inside dpkg --purge schedd
must_fail inside dpkg -s schedd
# shellcheck disable=SC2046
must_succeed inside sh -c 'for f; do [ ! -e "$f" ] || echo "$f"; done' sh \
    $(cat "$T/files") /etc/schedd /var/lib/schedd /run/schedd
must_equal "" "$OUT" "files left after dpkg --purge"
must_succeed inside sh -c 'find /etc/systemd -name "schedd.*"'
must_equal "" "$OUT" "unit links left after dpkg --purge"
exit 0
