#!/bin/sh
# SPDX-License-Identifier: ISC
# Install what schedd needs to build and test on Debian/Ubuntu; with the
# argument "fuzz", also what tests/fuzz/run.sh needs.  Does nothing when
# everything is already there.
set -e
# systemd: systemd-socket-activate and systemd-analyze for the systemd-*
# and export-systemd regress tests; util-linux: unshare, nsenter, setpriv
# for others; nodejs and npm: export-k8s (its npm packages, from
# tests/k8s, are installed by the test in the build folder); prometheus
# (promtool), prometheus-node-exporter and curl: metrics.sh; debhelper
# (with dh-autoreconf), dpkg-dev and lintian build and check the Debian
# package (package-deb.sh); zsh checks the syntax of its completion
# (cli-consistency.sh).
pkgs="build-essential autoconf automake pkg-config libevent-dev
libjansson-dev libyaml-dev check libsystemd-dev jq python3 mandoc
util-linux procps faketime tzdata systemd nodejs prometheus
prometheus-node-exporter curl debhelper dh-autoreconf dpkg-dev lintian
zsh"
# Debian's nodejs comes without npm; a nodejs that has its own (such as
# NodeSource's) conflicts with Debian's npm package.
command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
have() {
	pkg-config --exists 'libevent >= 2.1' jansson yaml-0.1 check \
	    libsystemd 2>/dev/null && command -v autoreconf >/dev/null &&
	    command -v jq >/dev/null && command -v python3 >/dev/null &&
	    command -v mandoc >/dev/null && command -v faketime >/dev/null &&
	    [ -e /usr/share/zoneinfo/America/New_York ] &&
	    command -v systemd-socket-activate >/dev/null &&
	    command -v systemd-analyze >/dev/null &&
	    command -v unshare >/dev/null && command -v nsenter >/dev/null &&
	    command -v node >/dev/null && command -v npm >/dev/null &&
	    command -v promtool >/dev/null &&
	    command -v prometheus-node-exporter >/dev/null &&
	    command -v curl >/dev/null &&
	    command -v dpkg-buildpackage >/dev/null &&
	    command -v dh >/dev/null && command -v dh_autoreconf >/dev/null &&
	    command -v lintian >/dev/null && command -v zsh >/dev/null
}
# clang, libclang-rt-dev (libFuzzer, the sanitizers) and llvm (its
# llvm-symbolizer names the lines of a crash).
have_fuzz() {
	command -v clang >/dev/null && command -v llvm-symbolizer \
	    >/dev/null && [ -e "$(clang --print-runtime-dir \
	    2>/dev/null)/libclang_rt.fuzzer-$(uname -m).a" ]
}
if [ "${1:-}" = fuzz ]; then
	pkgs="$pkgs clang libclang-rt-dev llvm"
	if have && have_fuzz; then
		exit 0
	fi
elif have; then
	exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
	sudo=
elif command -v sudo >/dev/null; then
	sudo=sudo
else
	echo "deps.sh: run as root, or install: $pkgs" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
