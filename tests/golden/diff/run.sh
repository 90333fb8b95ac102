#!/bin/sh
# run.sh BINDIR [SCHEMA_CHECK] [--update]: golden tests of detcat-diff.
#
# Each folder CASE/ holds two snapshots written by hand for the test (old/ and
# new/: catalog.ndjson and tagged/*.ndjson, or bare catalog files), and runs:
# NAME.args, the whole argument list (options, OLD, NEW; paths relative to
# CASE/), with NAME.expected, the output we expect, and NAME.rc, the exit
# status. Every run must give the same bytes twice; NDJSON outputs must be
# valid against schema/change.schema.json (when SCHEMA_CHECK is given).
#
# --update rewrites every NAME.expected and NAME.rc from what detcat-diff gives:
# review the diff line by line before committing it.
# Prints PASS/FAIL per run and "diff-golden: N passed, M failed".
bin=$1
check=
update=
for a in "$2" "$3"; do
	case $a in
	--update) update=1 ;;
	'') ;;
	*) check=$a ;;
	esac
done
if [ ! -x "$bin/detcat-diff" ]; then
	echo "usage: run.sh BINDIR [SCHEMA_CHECK] [--update]" >&2
	echo "diff-golden: 0 passed, 1 failed"
	exit 1
fi
bin=$(cd "$bin" && pwd)
[ -z "$check" ] || check=$(cd "$(dirname "$check")" && pwd)/$(basename "$check")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

for args in "$here"/*/*.args; do
	[ -f "$args" ] || continue
	case=$(dirname "$args")
	name=$(basename "$case")/$(basename "$args" .args)
	base=${args%.args}
	# shellcheck disable=SC2046
	(cd "$case" && "$bin/detcat-diff" $(cat "$args") > "$tmp/out" 2> "$tmp/err"); rc=$?
	(cd "$case" && "$bin/detcat-diff" $(cat "$args") > "$tmp/out2" 2> /dev/null)
	if [ -n "$update" ]; then
		cp "$tmp/out" "$base.expected"
		echo "$rc" > "$base.rc"
	fi
	why=
	if [ ! -f "$base.expected" ] || [ ! -f "$base.rc" ]; then
		why="no $name.expected or $name.rc (run with --update, then review)"
	elif [ "$rc" != "$(cat "$base.rc")" ]; then
		why="exit status $rc, expected $(cat "$base.rc")"
	elif ! cmp -s "$tmp/out" "$base.expected"; then
		why="output differs from $name.expected"
		diff "$base.expected" "$tmp/out" | sed -n '1,10s/^/	/p'
	elif ! cmp -s "$tmp/out" "$tmp/out2"; then
		why="two runs gave different bytes"
	elif [ -n "$check" ] && ! grep -q -- '--format\|-f ' "$args" && [ -s "$tmp/out" ] &&
	     ! "$check" "$top/schema/change.schema.json" "$tmp/out" > "$tmp/schema" 2>&1; then
		why="not valid against schema/change.schema.json: $(head -n 3 "$tmp/schema")"
	fi
	if [ -n "$why" ]; then
		failed=$((failed + 1))
		echo "FAIL $name: $why"
		sed -n '1,4s/^/	/p' "$tmp/err"
	else
		passed=$((passed + 1))
		echo "PASS $name"
	fi
done
echo "diff-golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
