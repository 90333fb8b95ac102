#!/bin/sh
# run.sh BINDIR [--update]: golden tests of detcat-normalize, for every vendor.
#
# Each folder VENDOR/CASE/ holds one rule file written for the test, rule.EXT
# (yml, yaml, toml, md, kql, txt, csl), and what we expect from it, written by
# hand: expected.json, an array with one element per rule record (in uid
# order) of {context, predicates}, every key of every predicate (raw_field,
# unmapped, computed, selection ... included), predicates compared as a set.
# The raw-file record is built with jq as detcat-fetch-unpack would write it,
# at the path upstream would give it (below), or at the path in a file `path`.
# Optional:
#   support/   files given to normalize before the rule, at their paths below
#              support/ (Splunk macros: support/macros/x.yml)
#   status     parse.status of every record (default ok)
#   error      text the first error message must contain
#
# Paths: sigma rules/golden/CASE.yml; elastic rules/golden/CASE.toml; splunk
# detections/endpoint/CASE.yml; kusto Detections/golden/CASE.yaml for YAML,
# golden/CASE.EXT otherwise.
#
# --update rewrites every expected.json from what normalize gives (make
# regen): review the diff line by line before committing it.
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

# what is compared: per record, its context and its predicates as a set
project='[.[] | {context, predicates: (.predicates | sort_by(tojson))}]'

fail() {	# CASE WHY
	failed=$((failed + 1))
	echo "FAIL $1: $2"
	sed -n '1,12s/^/	/p' "$tmp/err"
}

# raw_record VENDOR PATH FILE: one raw-file record on stdout
raw_record() {
	jq -cn --rawfile text "$3" --arg vendor "$1" --arg path "$2" \
		'{source: "golden", vendor: $vendor, path: $path, sha256: "",
		  bytes: ($text | utf8bytelength), text: $text}'
}

default_path() {	# VENDOR CASE EXT
	case $1:$3 in
	sigma:*) echo "rules/golden/$2.$3" ;;
	elastic:*) echo "rules/golden/$2.$3" ;;
	splunk:*) echo "detections/endpoint/$2.$3" ;;
	kusto:yaml|kusto:yml) echo "Detections/golden/$2.$3" ;;
	*) echo "golden/$2.$3" ;;
	esac
}

for dir in "$here"/*/*/; do
	dir=${dir%/}
	vendor=$(basename "$(dirname "$dir")")
	case=$(basename "$dir")
	name=$vendor/$case
	rule=
	for f in "$dir"/rule.*; do
		[ -f "$f" ] && rule=$f
	done
	[ -n "$rule" ] || continue
	ext=${rule##*.}
	if [ -f "$dir/path" ]; then
		path=$(cat "$dir/path")
	else
		path=$(default_path "$vendor" "$case" "$ext")
	fi
	: > "$tmp/raw.ndjson"
	if [ -d "$dir/support" ]; then
		(cd "$dir/support" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) |
		while read -r sp; do
			raw_record "$vendor" "$sp" "$dir/support/$sp" >> "$tmp/raw.ndjson"
		done
	fi
	raw_record "$vendor" "$path" "$rule" >> "$tmp/raw.ndjson"
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
	if [ "$want_status" != ok ] && [ "$want_status" != no_query ] && [ "$rc" -ne 1 ]; then
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
	if [ ! -f "$dir/expected.json" ]; then
		: > "$tmp/err"
		fail "$name" "no expected.json"
		continue
	fi
	jq -s "$project" "$tmp/out.ndjson" > "$tmp/got.json"
	jq "$project" "$dir/expected.json" > "$tmp/want.json" 2> "$tmp/err" ||
		{ fail "$name" "expected.json is not an array of records"; continue; }
	if ! cmp -s "$tmp/got.json" "$tmp/want.json"; then
		diff "$tmp/want.json" "$tmp/got.json" > "$tmp/err"
		fail "$name" "records differ (< expected, > got)"
		continue
	fi
	passed=$((passed + 1))
	echo "PASS $name"
done
echo "normalize-golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
