#!/bin/sh
# run.sh BINDIR [--update]: golden tests of detcat-normalize.
#
# Each folder VENDOR/CASE/ holds one rule file written for the test (rule.yml)
# and the predicates we expect from it, written by hand (expected.json: an
# array of {field, op, value, ci, negated, exclusion[, computed]}, compared as
# sets). Optional: `status` (parse.status, default ok) and `error` (text the
# first error message must contain). The raw-file record is built with jq as
# detcat-fetch-unpack would write it, at path rules/golden/CASE.yml.
#
# --update rewrites every expected.json from what normalize gives: review the
# diff before committing it.
# Prints PASS/FAIL per case and "normalize-golden: N passed, M failed".
bin=$1
update=$2
if [ ! -x "$bin/detcat-normalize" ] || ! command -v jq >/dev/null 2>&1; then
	echo "usage: run.sh BINDIR [--update] (needs BINDIR/detcat-normalize and jq)" >&2
	echo "normalize-golden: 0 passed, 1 failed"
	exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# the keys compared, in a stable order
project='[.[].predicates[] | {field, op, value, ci, negated, exclusion, computed}
	| with_entries(select(.value != null))] | sort_by(tojson)'

fail() {	# CASE WHY
	failed=$((failed + 1))
	echo "FAIL $1: $2"
	sed -n '1,8s/^/	/p' "$tmp/err"
}

for dir in "$here"/*/*/; do
	dir=${dir%/}
	vendor=$(basename "$(dirname "$dir")")
	name=$vendor/$(basename "$dir")
	[ -f "$dir/rule.yml" ] || continue
	jq -cn --rawfile text "$dir/rule.yml" --arg vendor "$vendor" \
		--arg path "rules/golden/$(basename "$dir").yml" \
		'{source: "golden", vendor: $vendor, path: $path, sha256: "",
		  bytes: ($text | utf8bytelength), text: $text}' > "$tmp/raw.ndjson"
	if command -v timeout >/dev/null 2>&1; then
		timeout 60 "$bin/detcat-normalize" --plain --mappings "$top/mappings" \
			"$tmp/raw.ndjson" > "$tmp/out.ndjson" 2> "$tmp/err"
	else
		"$bin/detcat-normalize" --plain --mappings "$top/mappings" \
			"$tmp/raw.ndjson" > "$tmp/out.ndjson" 2> "$tmp/err"
	fi
	rc=$?
	want_status=ok
	[ -f "$dir/status" ] && want_status=$(cat "$dir/status")
	if [ "$update" = "--update" ]; then
		jq -s "$project" "$tmp/out.ndjson" > "$dir/expected.json"
	fi
	got_status=$(jq -rs '[.[].parse.status] | unique | join(",")' "$tmp/out.ndjson")
	if [ "$rc" -ge 2 ]; then
		fail "$name" "exit status $rc"
		continue
	fi
	if [ "$got_status" != "$want_status" ]; then
		fail "$name" "status '$got_status', want '$want_status'"
		continue
	fi
	if [ "$want_status" = ok ] && [ "$rc" -ne 0 ]; then
		fail "$name" "exit status $rc for a rule without errors"
		continue
	fi
	if [ "$want_status" != ok ] && [ "$rc" -ne 1 ]; then
		fail "$name" "exit status $rc for a rule with errors, want 1"
		continue
	fi
	if [ -f "$dir/error" ]; then
		want_err=$(cat "$dir/error")
		got_err=$(jq -rs '.[0].parse.errors[0].message // ""' "$tmp/out.ndjson")
		case $got_err in
		*"$want_err"*) ;;
		*) fail "$name" "error '$got_err' does not contain '$want_err'"; continue ;;
		esac
	fi
	jq -s "$project" "$tmp/out.ndjson" > "$tmp/got.json"
	jq "[.[] | {field, op, value, ci, negated, exclusion, computed}
		| with_entries(select(.value != null))] | sort_by(tojson)" \
		"$dir/expected.json" > "$tmp/want.json"
	if ! cmp -s "$tmp/got.json" "$tmp/want.json"; then
		diff "$tmp/want.json" "$tmp/got.json" > "$tmp/err"
		fail "$name" "predicates differ (< expected, > got)"
		continue
	fi
	passed=$((passed + 1))
	echo "PASS $name"
done
echo "normalize-golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
