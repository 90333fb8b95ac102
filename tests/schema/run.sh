#!/bin/sh
# run.sh SCHEMA_CHECK: the schema suite, run with the path of the built
# schema-check. It checks the validator and the schemas of schema/ on small
# hand-written cases:
#   raw-file/good.ndjson         valid records of schema/raw-file.schema.json
#   raw-file/bad-NAME.ndjson     records that each break one rule of it
#   kw/NAME.schema.json          a tiny schema for one keyword (or one hostile
#                                input), with NAME.good.ndjson and/or NAME.bad.ndjson
#   load-error/NAME.schema.json  a schema that must be refused when it is loaded
# A good case must exit 0 with no message; a bad case exit 1 with every record
# invalid and at least one message; a load error exit 2. A NAME.expect (or
# NAME.bad.expect) file holds lines that the messages must contain.
# Prints PASS/FAIL per case and "schema: N passed, M failed".
check=$1
if [ ! -x "$check" ]; then
	echo "usage: run.sh SCHEMA_CHECK" >&2
	echo "schema: 0 passed, 1 failed"
	exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# a hang is a failure too
run() {
	if command -v timeout >/dev/null 2>&1; then
		timeout 60 "$check" "$@"
	else
		"$check" "$@"
	fi
}
passed=0 failed=0

pass() {
	passed=$((passed + 1)); echo "PASS $1"
}

fail() {	# NAME WHY
	failed=$((failed + 1)); echo "FAIL $1: $2"
	sed -n '1,5s/^/	/p' "$tmp/err"
}

records() {	# FILE: its non-empty lines (a lone CR is empty too)
	awk '$0 != "" && $0 != "\r" { n++ } END { print n + 0 }' "$1"
}

# every expected line must appear in the messages
expected() {	# EXPECT-FILE
	[ -f "$1" ] || return 0
	while IFS= read -r want; do
		grep -qF -- "$want" "$tmp/err" || { echo "no message containing \"$want\""; return 1; }
	done < "$1"
}

good() {	# NAME SCHEMA FILE
	run "$2" "$3" 2>"$tmp/err"; rc=$?
	n=$(records "$3")
	if [ $rc -ne 0 ]; then
		fail "$1" "exit $rc, want 0"
	elif [ "$(cat "$tmp/err")" != "schema-check: $n records, 0 invalid" ]; then
		fail "$1" "want no message and \"$n records, 0 invalid\""
	else
		pass "$1"
	fi
}

bad() {		# NAME SCHEMA FILE EXPECT-FILE
	run "$2" "$3" 2>"$tmp/err"; rc=$?
	n=$(records "$3")
	if [ $rc -ne 1 ]; then
		fail "$1" "exit $rc, want 1"
	elif [ "$(tail -n 1 "$tmp/err")" != "schema-check: $n records, $n invalid" ]; then
		fail "$1" "want every one of its $n records invalid"
	elif [ "$(wc -l < "$tmp/err")" -lt 2 ]; then
		fail "$1" "no message"
	elif ! why=$(expected "$4"); then
		fail "$1" "$why"
	else
		pass "$1"
	fi
}

load_error() {	# NAME SCHEMA EXPECT-FILE
	run "$2" </dev/null 2>"$tmp/err"; rc=$?
	if [ $rc -ne 2 ]; then
		fail "$1" "exit $rc, want 2"
	elif grep -q 'records, ' "$tmp/err"; then
		fail "$1" "the schema was used"
	elif ! why=$(expected "$3"); then
		fail "$1" "$why"
	else
		pass "$1"
	fi
}

raw=$top/schema/raw-file.schema.json
good raw-file/good "$raw" "$here/raw-file/good.ndjson"
for f in "$here"/raw-file/bad-*.ndjson; do
	name=${f%.ndjson}
	bad "raw-file/${name##*/}" "$raw" "$f" "$name.expect"
done

for s in "$here"/kw/*.schema.json; do
	name=${s%.schema.json}
	[ -f "$name.good.ndjson" ] && good "kw/${name##*/}.good" "$s" "$name.good.ndjson"
	[ -f "$name.bad.ndjson" ] && bad "kw/${name##*/}.bad" "$s" "$name.bad.ndjson" "$name.bad.expect"
done

for s in "$here"/load-error/*.schema.json; do
	name=${s%.schema.json}
	load_error "load-error/${name##*/}" "$s" "$name.expect"
done

# the command line
run >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q '^usage: ' "$tmp/err"; then pass cli/usage; else fail cli/usage "exit $rc, want 2 and usage"; fi

run "$here/missing.schema.json" </dev/null 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ]; then pass cli/missing-schema; else fail cli/missing-schema "exit $rc, want 2"; fi

run "$raw" "$here/raw-file/good.ndjson" "$tmp/absent.ndjson" 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -qF "absent.ndjson: No such file or directory" "$tmp/err"; then
	pass cli/unreadable-file
else
	fail cli/unreadable-file "exit $rc, want 2 and a message"
fi

run "$raw" < "$here/raw-file/good.ndjson" 2>"$tmp/err"; rc=$?
if [ $rc -eq 0 ]; then pass cli/stdin; else fail cli/stdin "exit $rc, want 0"; fi

run "$raw" < "$here/raw-file/bad-vendor.ndjson" 2>"$tmp/err"; rc=$?
if [ $rc -eq 1 ] && grep -q "^schema-check: -:1: /vendor: 'Sigma' is not one of " "$tmp/err"; then
	pass cli/message-format
else
	fail cli/message-format "exit $rc, want 1 and \"schema-check: -:1: /vendor: ...\""
fi

run "$raw" "$here/raw-file/good.ndjson" "$here/raw-file/bad-vendor.ndjson" - \
	< "$here/raw-file/bad-sha256-upper.ndjson" 2>"$tmp/err"; rc=$?
n=$(($(records "$here/raw-file/good.ndjson") + 2))
if [ $rc -eq 1 ] && [ "$(tail -n 1 "$tmp/err")" = "schema-check: $n records, 2 invalid" ] &&
   grep -q '^schema-check: -:1: /sha256: ' "$tmp/err"; then
	pass cli/several-files
else
	fail cli/several-files "exit $rc, want 1 and \"$n records, 2 invalid\""
fi

# CRLF line ends, and a line of 8 MB (getline, no fixed buffer)
sha=c63a23f2a8d538b3777f8df6b92c71bc9c96e03f8f7e6445ceccabf42fa73390
{
	printf '{"source":"t","vendor":"sigma","path":"a.yml","sha256":"%s","bytes":1,"text":"x"}\r\n' $sha
	printf '{"source":"t","vendor":"sigma","path":"big.yml","sha256":"%s","bytes":8000000,"text":"' $sha
	head -c 8000000 /dev/zero | tr '\0' 'a'
	printf '"}\n'
} > "$tmp/long.ndjson"
good cli/crlf-and-long-line "$raw" "$tmp/long.ndjson"

echo "schema: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
