#!/bin/sh
# run.sh BINDIR: inputs detcat-diff must refuse cleanly (SPEC §8): a diff of half
# a catalog would lie, so each is trouble, not a finding. Each NAME.ndjson here
# (and the truncated zstd catalog made at test time) is diffed against the good
# catalog ../../golden/diff/kinds/old, as OLD and as NEW, and must give within
# 60 s: exit status 2, no output, and one message line "detcat-diff: ..." that
# contains the text of NAME.expect. Prints PASS/FAIL per input and
# "diff-bad-input: N passed, M failed".
bin=$1
if [ ! -x "$bin/detcat-diff" ]; then
	echo "usage: run.sh BINDIR" >&2
	echo "diff-bad-input: 0 passed, 1 failed"
	exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)
good=$here/../../golden/diff/kinds/old
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

run() {
	if command -v timeout >/dev/null 2>&1; then
		timeout 60 "$bin/detcat-diff" "$@"
	else
		"$bin/detcat-diff" "$@"
	fi
}

# a zstd catalog cut in the middle of a frame
if command -v zstd >/dev/null 2>&1; then
	zstd -q -c < "$good/catalog.ndjson" > "$tmp/full.zst"
	head -c $(( $(wc -c < "$tmp/full.zst") / 2 )) "$tmp/full.zst" > "$tmp/truncated.ndjson.zst"
	echo "truncated" > "$tmp/truncated.expect"
fi
cases=$(ls "$here"/*.ndjson "$tmp"/*.ndjson.zst 2>/dev/null)
for f in $cases; do
	name=$(basename "$f"); name=${name%.zst}; name=${name%.ndjson}
	expect=$here/$name.expect
	[ -f "$expect" ] || expect=$tmp/$name.expect
	for order in old new; do
		if [ $order = old ]; then
			run "$f" "$good" > "$tmp/out" 2> "$tmp/err"; rc=$?
		else
			run "$good" "$f" > "$tmp/out" 2> "$tmp/err"; rc=$?
		fi
		why=
		if [ $rc -ne 2 ]; then
			why="exit status $rc, expected 2"
		elif [ -s "$tmp/out" ]; then
			why="wrote output"
		elif [ "$(wc -l < "$tmp/err")" -ne 1 ] || ! grep -q '^detcat-diff: ' "$tmp/err"; then
			why="not one message line 'detcat-diff: ...'"
		elif [ -f "$expect" ] && ! grep -qF -- "$(cat "$expect")" "$tmp/err"; then
			why="message does not say '$(cat "$expect")'"
		fi
		if [ -n "$why" ]; then
			failed=$((failed + 1))
			echo "FAIL $name as $order: $why"
			sed -n '1,4s/^/	/p' "$tmp/err"
		else
			passed=$((passed + 1))
			echo "PASS $name as $order"
		fi
	done
done
# not bad input: a rule value holding a NUL (a Sigma |wide value, "\u0000" in JSON)
# is read like any other: the catalog against itself is no change (exit 0, no output),
# and against the original it is read too (exit 0; before, both were refused, exit 2)
uid=$(grep -m 1 '"kind":"rule"' "$good/catalog.ndjson" | jq -r .uid)
jq -c --arg u "$uid" 'if .uid == $u then .title += "\u0000x" else . end' "$good/catalog.ndjson" > "$tmp/nul.ndjson"
run "$tmp/nul.ndjson" "$tmp/nul.ndjson" > "$tmp/out" 2> "$tmp/err"; rc=$?
run "$good" "$tmp/nul.ndjson" > "$tmp/out2" 2>> "$tmp/err"; rc2=$?
if grep -q 'u0000' "$tmp/nul.ndjson" && [ $rc -eq 0 ] && [ ! -s "$tmp/out" ] && [ $rc2 -eq 0 ] && [ ! -s "$tmp/err" ]; then
	passed=$((passed + 1))
	echo "PASS a value with a NUL is read: no change against itself, exit 0 against the original"
else
	failed=$((failed + 1))
	echo "FAIL a value with a NUL: exit $rc and $rc2 (want 0 and 0, no message)"
	sed -n '1,4s/^/	/p' "$tmp/err"
fi
echo "diff-bad-input: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
