#!/bin/bash
# SPDX-License-Identifier: ISC
# Licence: LICENSE is the ISC licence, and every source file of the tree
# (C, shell, Python, make and autoconf input, man pages, units, the
# example configuration, completions) names it by an SPDX line within its
# first five lines.  Files are listed by git in a work tree, else (a
# release tarball, "make distcheck") by walking the source folder.
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$SRCDIR" || exit 1
tag='SPDX-License-Identifier: ISC'
bad=0

grep -q '^ISC License' LICENSE ||
    { echo "FAIL: LICENSE is not the ISC licence"; exit 1; }

if [ -d .git ] || [ -f .git ]; then
	list=$(git ls-files)
else
	list=$(find . -type f ! -path './_build/*' ! -path './_inst/*' \
	    ! -path './build-aux/*' ! -path './autom4te.cache/*' |
	    sed 's|^\./||')
fi

n=0
for f in $list; do
	case $f in
	tests/fuzz/seeds/*|*/node_modules/*|Makefile.in|*/Makefile.in|\
	config.h.in|build-aux/*)
		continue ;;
	*.c|*.h|*.sh|*.py|*.js|*.am|*.inc|*.dict|*.supp|*.in|*.socket|\
	*.sysusers|*.tmpfiles|*.bash-completion|*/_schedctl|configure.ac|\
	.ci/run|tools/*|man/*.[158]|config/*.yaml|config/*/*.yaml|\
	debian/rules)
		;;
	*)
		continue ;;
	esac
	[ -f "$f" ] || continue
	n=$((n + 1))
	if ! head -n 5 "$f" | grep -q "$tag"; then
		echo "FAIL: $f: no \"$tag\" line in its first five lines"
		bad=1
	fi
done
[ "$n" -gt 100 ] || { echo "FAIL: only $n source files found"; exit 1; }
echo "$n source files checked"
exit $bad
