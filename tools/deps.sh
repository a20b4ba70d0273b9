#!/bin/sh
# Install what schedd needs to build and test on Debian/Ubuntu.
# Does nothing when everything is already there.
set -e
pkgs="build-essential autoconf automake pkg-config libevent-dev
libjansson-dev libyaml-dev check libsystemd-dev jq python3 mandoc
util-linux procps faketime tzdata"
if pkg-config --exists 'libevent >= 2.1' jansson yaml-0.1 check libsystemd \
    2>/dev/null && command -v autoreconf >/dev/null && command -v jq \
    >/dev/null && command -v python3 >/dev/null && command -v mandoc \
    >/dev/null && command -v faketime >/dev/null && \
    [ -e /usr/share/zoneinfo/America/New_York ]; then
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
