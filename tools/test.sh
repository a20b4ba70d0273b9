#!/bin/sh
# SPDX-License-Identifier: ISC
# Build schedd in ./build and run every test (make check).
# CONFIGURE_FLAGS and CFLAGS are passed to configure; BUILD names the folder.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
"$top/tools/deps.sh"
cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
mkdir -p "$build"
cd "$build"
# shellcheck disable=SC2086
[ -f Makefile ] || "$top/configure" -q $CONFIGURE_FLAGS
make -j"$(nproc)" >/dev/null
make -j"$(nproc)" check
