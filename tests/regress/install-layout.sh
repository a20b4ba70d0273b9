#!/bin/bash
# SPDX-License-Identifier: ISC
# What "make install" puts where: SYSCONFDIR/schedd/schedd.yaml is
# config/default/schedd.yaml, which "schedd -t" accepts and which defines
# no job; the demonstration configuration (config/schedd.yaml and its
# jobs.d) is under DOCDIR/examples only; the bash and zsh completions are
# installed; the installed schedd.8 names the folders the units and
# snippets were installed in.  Nothing is run as another user.
. "$(dirname "$0")/lib.sh"

command -v "${MAKE:-make}" >/dev/null 2>&1 || skip "make is not installed"
BUILDDIR=$(cd "$(dirname "$SCHEDD")" && pwd)
[ -f "$BUILDDIR/Makefile" ] || skip "no Makefile in $BUILDDIR"

# The data files only ("install-data" rebuilds no program), in a make of
# its own.
(cd "$BUILDDIR" && unset MAKEFLAGS MFLAGS MAKELEVEL &&
    "${MAKE:-make}" install-data DESTDIR="$T/inst") >"$T/install.log" 2>&1 ||
    { cat "$T/install.log" >&2; fail "make install-data DESTDIR=$T/inst failed"; }

# one PATTERN WHAT: the one installed file whose path matches PATTERN.
one()
{
	local f

	f=$(find "$T/inst" -path "$1" -type f)
	[ -n "$f" ] || fail "make install did not install $2 ($1)"
	[ "$(printf '%s\n' "$f" | wc -l)" -eq 1 ] ||
	    fail "make install installed $2 more than once: $f"
	printf '%s\n' "$f"
}

conf=$(one '*/etc/schedd/schedd.yaml' "the configuration")
cmp -s "$conf" "$SRCDIR/config/default/schedd.yaml" ||
    fail "$conf is not config/default/schedd.yaml"
must_succeed "$SCHEDD" -t -c "$conf"
must_equal "$conf: configuration ok, 0 jobs" "$OUT" "schedd -t on $conf"
[ -d "$(dirname "$conf")/jobs.d" ] || fail "no jobs.d next to $conf"

demo=$(one '*/doc/schedd/examples/schedd.yaml' "the example configuration")
cmp -s "$demo" "$SRCDIR/config/schedd.yaml" ||
    fail "$demo is not config/schedd.yaml"
one '*/doc/schedd/examples/jobs.d/example.yaml' "the example jobs.d" \
    >/dev/null
# The demonstration jobs are nowhere else.
must_succeed grep -rl 'heartbeat:' "$T/inst"
must_equal "$demo" "$OUT" "files that hold the demonstration jobs"

bash_comp=$(one '*/bash-completion/completions/schedctl' "bash completion")
cmp -s "$bash_comp" "$SRCDIR/contrib/schedctl.bash-completion" ||
    fail "$bash_comp is not contrib/schedctl.bash-completion"
zsh_comp=$(one '*/_schedctl' "zsh completion")
cmp -s "$zsh_comp" "$SRCDIR/contrib/_schedctl" ||
    fail "$zsh_comp is not contrib/_schedctl"

# schedd.8 FILES: the paths of this installation.
man8=$(one '*/man8/schedd.8' "schedd.8")
for f in '*/systemd/system/schedd.service' '*/systemd/system/schedd.socket' \
    '*/sysusers.d/schedd.conf' '*/tmpfiles.d/schedd.conf'; do
	p=$(one "$f" "$f")
	p=${p#"$T/inst"}
	grep -qx "\.It Pa $p" "$man8" ||
	    fail "the installed schedd.8 does not name $p"
done
exit 0
