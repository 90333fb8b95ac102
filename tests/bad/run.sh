#!/bin/sh
# run.sh BINDIR: inputs each parser must reject cleanly (SPEC §8).
#
# tests/bad/PARSER/ holds a file `vendor` (the vendor whose front end reads
# them), one good rule `good.EXT`, and bad inputs: files `NAME.EXT`, or
# scripts `NAME.EXT.sh` that print one (a 50,000-deep nesting, a 1 MB query:
# made at test time, not kept in the repository). Each bad input goes to
# detcat-normalize followed by the good rule, and must give, within 60 s:
# exit status 1; a record for the bad file, failed or partial; one-line
# messages "detcat-normalize: golden:PATH...: ..."; and the good rule's
# record, ok (or no_query). An optional folder support/ holds files given to
# normalize first, at their paths below it (Splunk macros: support/macros/x.yml).
# A file NAME.EXT.check beside an input holds a jq expression that must be true
# over the array of the bad file's records (e.g. the good documents of a file
# whose last one is broken all there, or the message a finding must give); the
# bad file's records may then be ok too, as long as one is failed or partial.
# Prints PASS/FAIL per input and "bad-input: N passed, M failed".
bin=$1
if [ ! -x "$bin/detcat-normalize" ] || ! command -v jq >/dev/null 2>&1; then
	echo "usage: run.sh BINDIR (needs BINDIR/detcat-normalize and jq)" >&2
	echo "bad-input: 0 passed, 1 failed"
	exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

fail() {	# NAME WHY
	failed=$((failed + 1))
	echo "FAIL $1: $2"
	sed -n '1,6s/^/	/p' "$tmp/err"
}

path_for() {	# VENDOR NAME EXT
	case $1:$3 in
	splunk:*) echo "detections/endpoint/$2.$3" ;;
	kusto:yaml|kusto:yml) echo "Detections/bad/$2.$3" ;;
	kusto:*) echo "bad/$2.$3" ;;
	*) echo "rules/bad/$2.$3" ;;
	esac
}

raw_record() {	# VENDOR PATH FILE (not valid UTF-8: its bytes in text_b64, as fetch-unpack keeps them)
	if ! iconv -f UTF-8 -t UTF-8 "$3" >/dev/null 2>&1; then
		jq -cn --arg b64 "$(base64 -w 0 "$3")" --arg vendor "$1" --arg path "$2" --argjson n "$(wc -c < "$3")" \
			'{source: "golden", vendor: $vendor, path: $path, sha256: "", bytes: $n,
			  text_b64: $b64, error: "not valid UTF-8: kept as base64"}'
		return
	fi
	jq -cn --rawfile text "$3" --arg vendor "$1" --arg path "$2" \
		'{source: "golden", vendor: $vendor, path: $path, sha256: "",
		  bytes: ($text | utf8bytelength), text: $text}'
}

for dir in "$here"/*/; do
	dir=${dir%/}
	parser=$(basename "$dir")
	[ -f "$dir/vendor" ] || continue
	vendor=$(cat "$dir/vendor")
	good=
	for f in "$dir"/good.*; do
		[ -f "$f" ] && good=$f
	done
	if [ -z "$good" ]; then
		: > "$tmp/err"
		fail "$parser" "no good.EXT beside the bad inputs"
		continue
	fi
	gext=${good##*.}
	gpath=$(path_for "$vendor" "zz-good" "$gext")
	for f in "$dir"/*; do
		base=$(basename "$f")
		case $base in
		vendor|good.*|README*|support|*.check) continue ;;
		*.sh) sh "$f" > "$tmp/input" || { : > "$tmp/err"; fail "$parser/$base" "generator failed"; continue; }
		      base=${base%.sh} ;;
		*) cp "$f" "$tmp/input" ;;
		esac
		ext=${base##*.}
		name=${base%.*}
		bpath=$(path_for "$vendor" "$name" "$ext")
		: > "$tmp/raw.ndjson"
		if [ -d "$dir/support" ]; then	# support files first, at their paths below support/
			(cd "$dir/support" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) |
			while read -r sp; do
				raw_record "$vendor" "$sp" "$dir/support/$sp" >> "$tmp/raw.ndjson"
			done
		fi
		{ raw_record "$vendor" "$bpath" "$tmp/input"; raw_record "$vendor" "$gpath" "$good"; } >> "$tmp/raw.ndjson"
		if command -v timeout >/dev/null 2>&1; then
			timeout 60 "$bin/detcat-normalize" --plain --mappings "$top/mappings" \
				"$tmp/raw.ndjson" > "$tmp/out.ndjson" 2> "$tmp/err"
		else
			"$bin/detcat-normalize" --plain --mappings "$top/mappings" \
				"$tmp/raw.ndjson" > "$tmp/out.ndjson" 2> "$tmp/err"
		fi
		rc=$?
		t="$parser/$base"
		if [ "$rc" -ne 1 ]; then
			fail "$t" "exit status $rc, want 1"
			continue
		fi
		bad_status=$(jq -rs --arg p "$bpath" '[.[] | select(.path == $p) | .parse.status] | unique | join(",")' "$tmp/out.ndjson")
		case ,$bad_status, in
		*,failed,*|*,partial,*) ;;
		*) fail "$t" "the bad file's records are '$bad_status', want failed or partial"; continue ;;
		esac
		case $bad_status in
		*ok*|*no_query*)
			if [ ! -f "$dir/$base.check" ]; then
				fail "$t" "the bad file's records are '$bad_status': ok ones need a $base.check saying why"
				continue
			fi ;;
		esac
		if [ -f "$dir/$base.check" ] &&
		   ! jq -es --arg p "$bpath" "[.[] | select(.path == \$p)] | $(cat "$dir/$base.check")" "$tmp/out.ndjson" >/dev/null; then
			fail "$t" "$base.check is not true of the bad file's records: $(cat "$dir/$base.check")"
			continue
		fi
		good_status=$(jq -rs --arg p "$gpath" '[.[] | select(.path == $p) | .parse.status] | unique | join(",")' "$tmp/out.ndjson")
		if [ "$good_status" != ok ] && [ "$good_status" != no_query ]; then
			fail "$t" "the good rule after it is '$good_status', want ok or no_query"
			continue
		fi
		if grep -v '^detcat-normalize: ' "$tmp/err" | grep -q .; then
			fail "$t" "a message not in the form 'detcat-normalize: ...'"
			continue
		fi
		if ! grep -q "^detcat-normalize: golden:$bpath[:]" "$tmp/err"; then
			fail "$t" "no message names golden:$bpath"
			continue
		fi
		if [ "$(wc -l < "$tmp/err")" -gt 20 ]; then
			fail "$t" "more than 20 lines of messages for one file"
			continue
		fi
		passed=$((passed + 1))
		echo "PASS $t"
	done
done
echo "bad-input: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
