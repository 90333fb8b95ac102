#!/bin/sh
# vendor-splunk.sh BIN BUILD CORPORA: the Splunk front end (macros, SPL,
# field map, events) on the security_content archive. Counting with jq over
# the records (not the tool's own counts):
#   - every detection file (detections/**/*.yml) yields its rule, no crash;
#   - >= 99.5 % of the active detections (not in detections/deprecated, status
#     not deprecated) parse ok; the others are listed with their messages,
#     and each says what it is (an undefined macro names it);
#   - >= 97 % of the event predicates (not computed) of active detections
#     carry an ECS field; the top unmapped raw fields are listed;
#   - >= 90 % of active detections mapped to a specific event (not "any") by
#     detcat-tag; the largest scopes without one are listed;
#   - the macros named, and how many are defined nowhere.
BIN=$1 BUILD=$2 CORPORA=$3
. "$(dirname "$0")/../lib.sh"
skip_without "$CORPORA" accept-vendor-splunk
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set -- "$CORPORA"/splunk-security-content-*.tar.gz
f=$1
if [ ! -f "$f" ]; then
	check "splunk archive in $CORPORA" 1 missing
	finish accept-vendor-splunk
	exit
fi
"$BIN/detcat-fetch-unpack" --source splunk --vendor splunk "$f" -o "$tmp/raw.zst"
"$BIN/detcat-normalize" --mappings "$top/mappings" "$tmp/raw.zst" -o "$tmp/rules.zst" 2>"$tmp/err"; rc=$?
[ $rc -le 1 ]; check "$(basename "$f"): exit status 0 or 1" $? "exit $rc"
files=$(zstd -dc "$tmp/raw.zst" | jq -r 'select(.path | test("^detections/.*\\.yml$")) | .path' | sort)
rules=$(zstd -dc "$tmp/rules.zst" | jq -r 'select(.path | test("^detections/")) | .path' | sort)
[ "$files" = "$rules" ]; check "every detection file yields its rule ($(echo "$files" | wc -l) files)" $? \
	"$(echo "$rules" | wc -l) rules"
zstd -dc "$tmp/rules.zst" |
	jq -c 'select((.path | startswith("detections/deprecated") | not) and .status != "deprecated")' > "$tmp/active"
total=$(wc -l < "$tmp/active")
ok=$(jq -r 'select(.parse.status == "ok") | .uid' "$tmp/active" | wc -l)
awk -v ok="$ok" -v t="$total" 'BEGIN { exit !(t > 0 && ok / t >= 0.995) }'
check "active detections parse ok $ok/$total ($(awk -v ok="$ok" -v t="$total" 'BEGIN { printf "%.2f", t ? 100 * ok / t : 0 }') %, target 99.5 %)" $? \
	"$(jq -r 'select(.parse.status != "ok") | .parse.status' "$tmp/active" | sort | uniq -c | tr '\n' ' ')"
jq -r 'select(.parse.status != "ok") | "    " + .parse.status + " " + .path + ": " + ([.parse.errors[].message] | join("; "))' "$tmp/active" > "$tmp/bad"
if [ -s "$tmp/bad" ]; then
	echo "  active detections not ok:"
	cat "$tmp/bad"
fi
silent=$(jq -r 'select(.parse.status != "ok") | select((.parse.errors | length) == 0) | .path' "$tmp/active" | wc -l)
[ "$silent" -eq 0 ]; check "every detection not ok says why" $? "$silent without a message"
dep=$(zstd -dc "$tmp/rules.zst" | jq -r 'select(.path | startswith("detections/deprecated")) | .parse.status' | sort | uniq -c | tr '\n' ' ')
echo "  deprecated detections (parsed too): $dep"

# fields: event predicates of active detections that carry an ECS field
jq -c '.predicates[] | select(.computed != true) | {u: (.unmapped == true), f: .raw_field}' "$tmp/active" > "$tmp/preds"
preds=$(wc -l < "$tmp/preds")
unmapped=$(jq -r 'select(.u) | .f' "$tmp/preds" | wc -l)
computed=$(jq '[.predicates[] | select(.computed == true)] | length' "$tmp/active" | awk '{ n += $1 } END { print n + 0 }')
negated=$(jq '[.predicates[] | select(.negated == true)] | length' "$tmp/active" | awk '{ n += $1 } END { print n + 0 }')
awk -v u="$unmapped" -v t="$preds" 'BEGIN { exit !(t > 0 && (t - u) / t >= 0.97) }'
check "event predicates with an ECS field $((preds - unmapped))/$preds ($(awk -v u="$unmapped" -v t="$preds" 'BEGIN { printf "%.2f", t ? 100 * (t - u) / t : 0 }') %, target 97 %)" $? \
	"$unmapped unmapped"
echo "  $total active detections: $preds event predicates ($negated negated), $computed computed"
echo "  top unmapped: $(jq -r 'select(.u) | .f' "$tmp/preds" | sort | uniq -c | sort -rn | head -n 15 | awk '{ printf "%s %d, ", $2, $1 }')"

# macros
echo "  macros named (rules): $(jq -r '.context.macros[]?' "$tmp/active" | sort -u | wc -l) distinct, $(jq -r 'select((.context.macros // []) | length > 0) | .uid' "$tmp/active" | wc -l) rules"
echo "  undefined macros: $(jq -r '.parse.errors[]?.message | select(startswith("undefined macro"))' "$tmp/active" | sort | uniq -c | tr '\n' ' ')"

# events: tag with the ATT&CK bundle of the corpora
set -- "$CORPORA"/enterprise-attack-*.json.zst
if [ -f "$1" ]; then
	"$BIN/detcat-fetch-unpack" --source attack --vendor attack "$1" -o "$tmp/attack.raw.zst"
	"$BIN/detcat-attack" "$tmp/attack.raw.zst" -o "$tmp/attack.zst" 2>/dev/null
	"$BIN/detcat-tag" --attack "$tmp/attack.zst" --events "$top/mappings/events.yaml" "$tmp/rules.zst" -o "$tmp/tagged.zst" 2>/dev/null
	zstd -dc "$tmp/tagged.zst" |
		jq -c 'select((.path | startswith("detections/deprecated") | not) and .status != "deprecated")' > "$tmp/tagged"
	specific=$(jq -r 'select([.events[]? | select(.event != "any")] | length > 0) | .uid' "$tmp/tagged" | wc -l)
	awk -v s="$specific" -v t="$total" 'BEGIN { exit !(t > 0 && s / t >= 0.90) }'
	check "active detections mapped to a specific event $specific/$total ($(awk -v s="$specific" -v t="$total" 'BEGIN { printf "%.2f", t ? 100 * s / t : 0 }') %, target 90 %)" $? "below the target"
	echo "  largest scopes without a specific event (data_source | datamodel | sourcetype source):"
	jq -r 'select([.events[]? | select(.event != "any")] | length == 0) |
		"\((.context.data_source // []) | join("+")) | \((.context.datamodel // []) | join("+")) | \(((.context.sourcetype // []) + (.context.source // [])) | join("+"))"' "$tmp/tagged" |
		sort | uniq -c | sort -rn | head -n 12 | sed 's/^/   /'
fi

# speed: normalize alone on the archive's records
start=$(date +%s.%N)
"$BIN/detcat-normalize" --mappings "$top/mappings" "$tmp/raw.zst" -o "$tmp/again.zst" 2>/dev/null
end=$(date +%s.%N)
echo "  normalize: $(zstd -dc "$tmp/again.zst" | wc -l) rules in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s"
cmp -s "$tmp/rules.zst" "$tmp/again.zst"; check "normalize gives the same bytes twice" $?
finish accept-vendor-splunk
