#!/bin/sh
# vendor-elastic-eql.sh BIN BUILD CORPORA: the EQL and ES|QL parsers on the
# Elastic detection-rules archive. Counting with jq over the records (not the
# tool's own counts), for the active rules (not under rules/_deprecated,
# status not deprecated) of each language apart:
#   - >= 99.5 % parse ok; the others are listed with their first message,
#     and each has a message naming the query line and column and the token
#     (or the end of the query);
#   - every EQL rule names its event categories in context.category, every
#     ES|QL rule its indices (FROM) in context.index;
#   - the figures of what the predicates hold (computed, negated).
# An ES|QL rule whose only trouble is a KQL("...") call while the kuery parser
# says it does not parse kuery yet is counted apart, as waiting for that parser,
# and named; once the kuery parser is there, none is.
BIN=$1 BUILD=$2 CORPORA=$3
. "$(dirname "$0")/../lib.sh"
skip_without "$CORPORA" accept-vendor-elastic-eql
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set -- "$CORPORA"/elastic-detection-rules-*.zip
f=$1
if [ ! -f "$f" ]; then
	check "elastic archive in $CORPORA" 1 missing
	finish accept-vendor-elastic-eql
	exit
fi
"$BIN/detcat-fetch-unpack" --source elastic --vendor elastic "$f" -o "$tmp/raw.zst"
"$BIN/detcat-normalize" "$tmp/raw.zst" -o "$tmp/rules.zst" 2>"$tmp/err"; rc=$?
[ $rc -le 1 ]; check "$(basename "$f"): exit status 0 or 1" $? "exit $rc"
zstd -dc "$tmp/rules.zst" |
	jq -c 'select((.path | startswith("rules/_deprecated") | not) and .status != "deprecated")' > "$tmp/active"

precise='^query line [0-9]+, column [0-9]+: .*( near .*| at the end of the query)$'
for lang in eql esql; do
	case $lang in eql) name=EQL ;; *) name="ES|QL" ;; esac
	jq -c --arg l "$lang" 'select(.language == $l)' "$tmp/active" > "$tmp/$lang"
	total=$(wc -l < "$tmp/$lang")
	ok=$(jq -r 'select(.parse.status == "ok") | .uid' "$tmp/$lang" | wc -l)
	# waiting for the kuery parser: only its "not parsed yet" and our pointer to the KQL() call
	waiting=$(jq -r 'select(.parse.status != "ok" and (.query | test("KQL\\(")) and
		([.parse.errors[].message] | all(test("kuery queries are not parsed yet") or
		 test("the kuery query given here is not read whole") or test("^query: more problems")))) | .path' "$tmp/$lang" | tee "$tmp/$lang.waiting" | wc -l)
	counted=$((total - waiting))
	[ "$total" -gt 0 ] && awk -v ok="$ok" -v t="$counted" 'BEGIN { exit !(t > 0 && ok / t >= 0.995) }'
	check "$name: active rules parse ok $ok/$counted ($(awk -v ok="$ok" -v t="$counted" 'BEGIN { printf "%.2f", t ? 100 * ok / t : 0 }') %, target 99.5 %)" $? \
		"$(jq -r 'select(.parse.status != "ok") | .parse.status' "$tmp/$lang" | sort | uniq -c | tr '\n' ' ')"
	if [ "$waiting" -gt 0 ]; then
		echo "  $name: $waiting more rules call KQL(\"...\") and wait for the kuery parser (not counted above):"
		sed 's/^/    /' "$tmp/$lang.waiting" | head -n 5
	fi
	jq -r 'select(.parse.status != "ok") | "    " + .parse.status + " " + .path + ": " + (.parse.errors[0].message // "")' "$tmp/$lang" |
		grep -v -F -f "$tmp/$lang.waiting" > "$tmp/$lang.bad" || true
	if [ -s "$tmp/$lang.bad" ]; then
		echo "  $name rules not ok:"
		cat "$tmp/$lang.bad"
	fi
	# every rule that is not ok says where, in the query, it stopped
	vague=$(jq -r --arg re "$precise" 'select(.parse.status != "ok") |
		select([.parse.errors[].message | select(test($re))] | length == 0) | .path' "$tmp/$lang" |
		grep -v -F -f "$tmp/$lang.waiting" | wc -l)
	[ "$vague" -eq 0 ]; check "$name: every rule not ok names a query line, column and token" $? "$vague without"
	preds=$(jq '.predicates | length' "$tmp/$lang" | awk '{ n += $1 } END { print n + 0 }')
	computed=$(jq '[.predicates[] | select(.computed == true)] | length' "$tmp/$lang" | awk '{ n += $1 } END { print n + 0 }')
	negated=$(jq '[.predicates[] | select(.negated == true)] | length' "$tmp/$lang" | awk '{ n += $1 } END { print n + 0 }')
	echo "  $name: $total active rules, $preds predicates ($negated negated, $computed computed)"
done

# EQL: the categories the events mapping keys on; ES|QL: FROM's indices
nocat=$(jq -r 'select((.context.category // []) | length == 0) | .path' "$tmp/eql" | wc -l)
[ "$nocat" -eq 0 ]; check "EQL: every rule names its event categories in context.category" $? "$nocat without"
echo "  EQL categories (rules): $(jq -r '.context.category[]?' "$tmp/eql" | sort | uniq -c | sort -rn | awk '{ printf "%s %d, ", $2, $1 }')"
seqs=$(jq -r 'select(.query | test("^\\s*sequence")) | select((.context.category | length) >= 1) | .path' "$tmp/eql" | wc -l)
echo "  EQL sequences with their categories: $seqs"
noidx=$(jq -r 'select((.context.index // []) | length == 0) | .path' "$tmp/esql" | wc -l)
[ "$noidx" -eq 0 ]; check "ES|QL: every rule names its FROM indices in context.index" $? "$noidx without"
finish accept-vendor-elastic-eql
