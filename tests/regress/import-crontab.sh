#!/bin/bash
# SPDX-License-Identifier: ISC
# schedctl import crontab (schedctl.1 IMPORT).  For each crontab of
# tests/regress/import/: the YAML written is NAME.yaml, stderr is NAME.err
# (none: empty, and exit 0; else exit 1), and "schedd -t" accepts it.
# Then each imported file is loaded by a daemon, and for each entry
# under a "# expect:" line, its first five firings after the last
# "# from:" time are the ones written there, worked out by cron's rules
# (the day-of-month/day-of-week rule, DST in two zones).  Commands reach
# the daemon as cron would run them, and % input is given as cron gives
# it.  Names starting "system" are system crontabs (--system).
. "$(dirname "$0")/lib.sh"

DIR=$SRCDIR/tests/regress/import
# The daemon's zone, for entries with none.
export TZ=UTC

# import_case NAME [ARGS...]: import $DIR/NAME.crontab into $T/NAME.yaml
# and $T/NAME.err; prints the exit status.
import_case()
{
	local name=$1 rc

	shift
	case $name in
	system*) set -- --system "$@" ;;
	esac
	(cd "$DIR" && "$SCHEDCTL" import crontab "$@" "$name.crontab") \
	    >"$T/$name.yaml" 2>"$T/$name.err"
	rc=$?
	echo "$rc"
}

# jobs_lines YAML: "NAME LINE" for each imported job (its description is
# "FILE:LINE").
jobs_lines()
{
	awk '
	/^  [^ #][^ ]*:$/ {
		name = substr($1, 1, length($1) - 1)
		gsub(/"/, "", name)
	}
	/^    description: / {
		n = $2
		gsub(/"/, "", n)
		sub(/.*:/, "", n)
		print name, n
	}' "$1"
}

# expectations CRONTAB: "LINE FROM T1 ... T5" for each "# expect:" line,
# LINE being the entry after it.
expectations()
{
	awk '
	/^# from: / { from = $3 }
	/^# expect: / { want = $3 " " $4 " " $5 " " $6 " " $7; next }
	/^[ \t]*(#|$)/ { next }
	want != "" { print NR, from, want; want = "" }
	' "$1"
}

# --- the corpus: YAML, stderr, exit status, schedd -t
for f in "$DIR"/*.crontab; do
	name=$(basename "$f" .crontab)
	rc=$(import_case "$name")
	[ -f "$DIR/$name.yaml" ] || fail "$name: no $name.yaml to compare"
	diff -u "$DIR/$name.yaml" "$T/$name.yaml" >&2 ||
	    fail "$name: the YAML differs from $name.yaml (above)"
	if [ -f "$DIR/$name.err" ]; then
		diff -u "$DIR/$name.err" "$T/$name.err" >&2 ||
		    fail "$name: stderr differs from $name.err (above)"
		must_equal 1 "$rc" "$name: exit status with lines not imported"
	else
		must_equal "" "$(cat "$T/$name.err")" "$name: stderr"
		must_equal 0 "$rc" "$name: exit status"
	fi
	# Every line not imported is a comment too.
	must_equal "$(wc -l <"$T/$name.err")" \
	    "$(grep -c '^  # not imported (line [0-9]*: ' "$T/$name.yaml")" \
	    "$name: comments of lines not imported"
	must_succeed "$SCHEDD" -t -c "$T/$name.yaml"
done

# --- the first five firings of each entry, by the daemon
for name in user system; do
	start_daemon "$(cat "$T/$name.yaml")"
	n=0
	while read -r line from want; do
		job=$(jobs_lines "$T/$name.yaml" | awk -v l="$line" \
		    '$2 == l { print $1 }')
		[ -n "$job" ] || fail "$name.crontab:$line: no job imported"
		got=$(cj next "$job" -n 5 --from "$from" |
		    jq -r '.result.times[]' | sed 's/\.000+00:00$/Z/')
		must_equal "$want" "$(echo $got)" \
		    "$name.crontab:$line ($job): firings after $from"
		n=$((n + 1))
	done < <(expectations "$DIR/$name.crontab")
	[ "$n" -ge 8 ] || fail "$name: only $n entries with expectations"
	stop_daemon
done

# --- commands reach the daemon as cron runs them, whatever they hold
Q=$T/quoting.crontab
cp "$DIR/quoting.crontab" "$Q"
printf '* * * * * echo control\001char and\177del\n' >>"$Q"
printf '* * * * * echo carriage return\r\n' >>"$Q"
printf '* * * * * echo line\342\200\250separator next\302\205line\n' >>"$Q"
printf '* * * * * echo bom\357\273\277 and\357\277\276\n' >>"$Q"
(cd "$T" && "$SCHEDCTL" import crontab quoting.crontab) >"$T/q.yaml" ||
    fail "import of quoting.crontab failed"
start_daemon "$(cat "$T/q.yaml")"
n=0
while read -r job line; do
	want=$(sed -n "${line}p" "$Q" |
	    sed -E 's/^[ \t]*([^ \t]+[ \t]+){5}//; s/\\%/%/g')
	got=$(cj status "$job" | jq -r '.result.job.definition.command')
	must_equal "$want" "$got" "quoting.crontab:$line ($job): command"
	n=$((n + 1))
done < <(jobs_lines "$T/q.yaml")
must_equal "$(grep -c '^\* ' "$Q")" "$n" "commands compared"
stop_daemon

# --- % is standard input, run; SHELL runs the command
cat >"$T/input.crontab" <<CRON
* * * * * cat >$T/in1%first line%second \\% line%%last\\\\%
SHELL=/bin/bash
* * * * * [[ -n \$BASH_VERSION ]] && cat >$T/in2%bash
* * * * * [[ -n \$BASH_VERSION ]] && echo it is bash >$T/in3
CRON
(cd "$T" && "$SCHEDCTL" import crontab input.crontab) >"$T/in.yaml" ||
    fail "import of input.crontab failed"
start_daemon "$(cat "$T/in.yaml")"
for job in $(jobs_lines "$T/in.yaml" | awk '{ print $1 }'); do
	must_succeed "$SCHEDCTL" -s "$SOCK" run "$job" --wait
done
printf 'first line\nsecond %% line\n\nlast\\%%' >"$T/want1"
cmp "$T/want1" "$T/in1" || fail "% input: got \"$(cat "$T/in1")\""
must_equal bash "$(cat "$T/in2")" "% input under SHELL=/bin/bash"
must_equal "it is bash" "$(cat "$T/in3")" "SHELL=/bin/bash"
stop_daemon

# --- the command line
printf '0 1 * * * /bin/true\n' >"$T/one.crontab"
OUT=$("$SCHEDCTL" import crontab - <"$T/one.crontab") ||
    fail "import from stdin failed"
must_match 'description: "\(stdin\):1"' "$OUT" "stdin"
OUT=$("$SCHEDCTL" import crontab --user nobody "$T/one.crontab")
must_match '^    user: nobody$' "$OUT" "--user"
must_exit 2 "$SCHEDCTL" import crontab --system --user nobody \
    "$T/one.crontab"
must_exit 2 "$SCHEDCTL" import anacron "$T/one.crontab"
must_exit 1 "$SCHEDCTL" import crontab "$T/missing"
must_match 'missing: No such file' "$OUT" "a missing file"
printf '0 1 * * * echo \377\n5 1 * * * echo a\0b\n' >"$T/bytes.crontab"
must_exit 1 "$SCHEDCTL" import crontab "$T/bytes.crontab"
must_match 'bytes.crontab:1: not UTF-8 text' "$OUT" "a byte not UTF-8"
must_match 'bytes.crontab:2: holds a NUL byte' "$OUT" "a NUL byte"
"$SCHEDCTL" import crontab "$T/bytes.crontab" >"$T/bytes.yaml" 2>/dev/null
must_succeed "$SCHEDD" -t -c "$T/bytes.yaml"
exit 0
