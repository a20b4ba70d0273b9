#!/bin/sh
# SPDX-License-Identifier: ISC
# Build schedd and start it in the foreground on the shipped example
# configuration, with its socket and state in ./run (user-writable).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tools/deps.sh"
cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
mkdir -p build
cd build
[ -f Makefile ] || "$top/configure" -q
make -j"$(nproc)" >/dev/null
mkdir -p "$top/run"
sock="$top/run/schedd.sock"
cat <<MSG
schedd is starting on $top/config/schedd.yaml (Ctrl-C stops it).
In another terminal, talk to it:

  export SCHEDD_SOCKET=$sock
  $top/build/schedctl status
  $top/build/schedctl add hello -- echo hello world
  $top/build/schedctl logs 1
  $top/build/schedctl run disk-usage --wait
  $top/build/schedctl history

MSG
exec "$top/build/schedd" -c "$top/config/schedd.yaml" -s "$sock" \
    -d "$top/run/state"
