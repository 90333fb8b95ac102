#!/bin/sh
# vendor-elastic-kuery.sh BIN BUILD CORPORA: the kuery and Lucene parsers on
# the Elastic detection-rules archive. Counting with jq over the records (not
# the tool's own counts), for the active rules (not under rules/_deprecated,
# status not deprecated) of each language apart:
#   - >= 99.5 % of the kuery rules parse ok (Lucene: every active rule, and
#     the archive has none today); the others are listed with their first
#     message, and each names the query line and column and the token (or the
#     end of the query);
#   - every kuery rule with a query other than a match-all gives predicates
#     (a parser that reads nothing and says ok is the quietest bug);
#   - the figures of what the predicates hold (by operator, negated, on text
#     fields).
BIN=$1 BUILD=$2 CORPORA=$3
. "$(dirname "$0")/../lib.sh"
skip_without "$CORPORA" accept-vendor-elastic-kuery
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set -- "$CORPORA"/elastic-detection-rules-*.zip
f=$1
if [ ! -f "$f" ]; then
	check "elastic archive in $CORPORA" 1 missing
	finish accept-vendor-elastic-kuery
	exit
fi
"$BIN/detcat-fetch-unpack" --source elastic --vendor elastic "$f" -o "$tmp/raw.zst"
"$BIN/detcat-normalize" "$tmp/raw.zst" -o "$tmp/rules.zst" 2>"$tmp/err"; rc=$?
[ $rc -le 1 ]; check "$(basename "$f"): exit status 0 or 1" $? "exit $rc"
zstd -dc "$tmp/rules.zst" |
	jq -c 'select((.path | startswith("rules/_deprecated") | not) and .status != "deprecated")' > "$tmp/active"

precise='^query line [0-9]+, column [0-9]+: .*( near .*| at the end of the query)$'
for lang in kuery lucene; do
	case $lang in kuery) name=kuery ;; *) name=Lucene ;; esac
	jq -c --arg l "$lang" 'select(.language == $l)' "$tmp/active" > "$tmp/$lang"
	total=$(wc -l < "$tmp/$lang")
	ok=$(jq -r 'select(.parse.status == "ok") | .uid' "$tmp/$lang" | wc -l)
	if [ "$lang" = kuery ]; then
		[ "$total" -gt 0 ] && awk -v ok="$ok" -v t="$total" 'BEGIN { exit !(t > 0 && ok / t >= 0.995) }'
	else
		[ "$ok" -eq "$total" ]
	fi
	check "$name: active rules parse ok $ok/$total ($(awk -v ok="$ok" -v t="$total" 'BEGIN { printf "%.2f", t ? 100 * ok / t : 100 }') %, target 99.5 %)" $? \
		"$(jq -r 'select(.parse.status != "ok") | .parse.status' "$tmp/$lang" | sort | uniq -c | tr '\n' ' ')"
	jq -r 'select(.parse.status != "ok") | "    " + .parse.status + " " + .path + ": " + (.parse.errors[0].message // "")' "$tmp/$lang" > "$tmp/$lang.bad"
	if [ -s "$tmp/$lang.bad" ]; then
		echo "  $name rules not ok:"
		cat "$tmp/$lang.bad"
	fi
	vague=$(jq -r --arg re "$precise" 'select(.parse.status != "ok") |
		select([.parse.errors[].message | select(test($re))] | length == 0) | .path' "$tmp/$lang" | wc -l)
	[ "$vague" -eq 0 ]; check "$name: every rule not ok names a query line, column and token" $? "$vague without"
	# ok and no predicate: only a query that matches everything ('*', or empty)
	empty=$(jq -r 'select(.parse.status == "ok" and (.predicates | length) == 0 and
		((.query // "") | test("^[\\s*():]*$") | not)) | .path' "$tmp/$lang" | tee "$tmp/$lang.empty" | wc -l)
	[ "$empty" -eq 0 ]; check "$name: every rule ok with a filtering query gives predicates" $? \
		"$empty without: $(head -n 3 "$tmp/$lang.empty" | tr '\n' ' ')"
	preds=$(jq '.predicates | length' "$tmp/$lang" | awk '{ n += $1 } END { print n + 0 }')
	negated=$(jq '[.predicates[] | select(.negated == true)] | length' "$tmp/$lang" | awk '{ n += $1 } END { print n + 0 }')
	echo "  $name: $total active rules, $preds predicates ($negated negated)"
	[ "$preds" -eq 0 ] || echo "  $name operators: $(jq -r '.predicates[].op' "$tmp/$lang" | sort | uniq -c | sort -rn | awk '{ printf "%s %d, ", $2, $1 }')"
done
# text fields (mappings/fields/elastic.yaml text_fields) match by token, ignoring case
bad=$(jq -r '.predicates[] | select(.field == "powershell.file.script_block_text" and .op == "eq") | .value' "$tmp/kuery" | wc -l)
[ "$bad" -eq 0 ]; check "kuery: values on script_block_text (a text field) are token matches" $? "$bad eq"
finish accept-vendor-elastic-kuery
