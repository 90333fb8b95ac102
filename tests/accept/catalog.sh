#!/bin/sh
# catalog.sh BIN BUILD CORPORA: the whole catalog of the four vendors' real
# corpora (Sigma r2026-07-01, Elastic, Splunk, Sentinel, Bert-JanP) from the
# archives to the site, as `make SOURCES=pipeline/shared.yaml` builds it.
# Each vendor's front end reads every rule file (Elastic, Splunk and Kusto
# with their metadata only: their queries are not parsed yet), records fit the
# schema, most rules carry ATT&CK ids and log events; the T1204 and T1204.001
# rows (rules per vendor, events, fields, indicators, exclusions) are
# recomputed with jq from the tagged rules of all vendors and found on the
# pages; every link of the site resolves.
BIN=$1 BUILD=$2 CORPORA=$3
. "$(dirname "$0")/../lib.sh"
skip_without "$CORPORA" accept-catalog
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f s", b - a }'; }

t0=$(date +%s.%N)
"$BIN/detcat-fetch-unpack" -s attack -V attack "$CORPORA/enterprise-attack-18.1.json.zst" -o "$tmp/attack.raw" &&
	"$BIN/detcat-attack" "$tmp/attack.raw" -o "$tmp/attack.zst"
check "ATT&CK table" $?
while read -r name vendor file browse; do
	extra=
	[ "$name" = bertjanp ] && extra="--exclude *.png"
	"$BIN/detcat-fetch-unpack" -s "$name" -V "$vendor" $extra --browse "$browse" "$CORPORA/$file" -o "$tmp/$name.raw" &&
		{ "$BIN/detcat-normalize" "$tmp/$name.raw" -o "$tmp/$name.rules" 2>"$tmp/$name.err"; [ $? -le 1 ]; } &&
		"$BIN/detcat-tag" --attack "$tmp/attack.zst" --events mappings/events.yaml "$tmp/$name.rules" \
			-o "$tmp/$name.tagged" 2>/dev/null
	check "$name: fetch-unpack, normalize, tag" $?
done <<LIST
sigma sigma sigma-r2026-07-01.tar.gz https://github.com/SigmaHQ/sigma/blob/r2026-07-01/
elastic elastic elastic-detection-rules-2026-08-21.zip https://github.com/elastic/detection-rules/blob/main/
splunk splunk splunk-security-content-2024-10-24.tar.gz https://github.com/splunk/security_content/blob/develop/
sentinel kusto kusto-sentinel-sample-2026.tar.gz https://github.com/Azure/Azure-Sentinel/blob/master/
bertjanp kusto kusto-bertjanp-2026-04-13.tar.gz https://github.com/Bert-JanP/Hunting-Queries-Detection-Rules/blob/main/
LIST
t1=$(date +%s.%N)
echo "  archives to tagged rules, 5 sources: $(ms "$t0" "$t1")"

# every rule file of a vendor became one record (Kusto: one per query), and fits the schema
for name in elastic splunk; do
	files=$(zstd -dc "$tmp/$name.raw" | jq -r '.path' | grep -c "$( [ $name = elastic ] && echo '^rules[^/]*/.*\.toml$' || echo '^detections/.*\.yml$')")
	recs=$(zstd -dc "$tmp/$name.rules" | wc -l)
	[ "$files" -eq "$recs" ] && [ "$recs" -gt 1000 ]; check "$name: one record per rule file ($recs of $files)" $?
done
! grep -q 'invalid TOML' "$tmp/elastic.err"; check "elastic: the TOML reader reads every real file" $? "$(grep -m 3 'invalid TOML' "$tmp/elastic.err")"
for name in elastic splunk sentinel bertjanp; do
	zstd -dc "$tmp/$name.rules" | "$BUILD/tests/schema-check" schema/rule.schema.json >/dev/null 2>"$tmp/schema"
	check "$name: every record fits schema/rule.schema.json" $? "$(head -n 3 "$tmp/schema")"
done
# shares of rules with ATT&CK ids and with log events (queries aside: from metadata and scope)
for name in elastic splunk sentinel bertjanp; do
	zstd -dc "$tmp/$name.tagged" | jq -s -r --arg n "$name" '
		[ .[] | select(.parse.status != "no_query") ] as $r
		| [ ($r | length), ($r | map(select(.attack.techniques | length > 0)) | length),
		    ($r | map(select(.events | length > 0)) | length) ] | @tsv' > "$tmp/share"
	read -r all tech ev < "$tmp/share"
	echo "  $name: $all rules with a query; $tech with ATT&CK ids, $ev with events"
done
e=$(zstd -dc "$tmp/elastic.tagged" | jq -s '[ .[] | select(.parse.status != "no_query") ] | (map(select(.events | length > 0)) | length) * 100 / length | floor')
s=$(zstd -dc "$tmp/splunk.tagged" | jq -s '(map(select(.events | length > 0)) | length) * 100 / length | floor')
[ "$e" -ge 85 ] && [ "$s" -ge 80 ]; check "events: Elastic $e %, Splunk $s % of rules (at least 85 and 80)" $?

t0=$(date +%s.%N)
"$BIN/detcat-aggregate" --attack "$tmp/attack.zst" "$tmp"/*.tagged -o "$tmp/catalog.zst"; rc=$?
t1=$(date +%s.%N)
[ $rc -eq 0 ]; check "detcat-aggregate over all vendors ($(ms "$t0" "$t1"))" $? "exit $rc"
zstd -dc "$tmp/catalog.zst" | "$BUILD/tests/schema-check" schema/catalog.schema.json >/dev/null 2>"$tmp/schema"
check "catalog fits schema/catalog.schema.json" $? "$(head -n 3 "$tmp/schema")"
# a partial per source, merged in another order: the same bytes as the one run
# (how the Makefile chain and a corpus spread over machines aggregate)
for f in "$tmp"/*.tagged; do
	"$BIN/detcat-aggregate" --partial --attack "$tmp/attack.zst" "$f" -o "${f%.tagged}.partial" 2>/dev/null || break
done
"$BIN/detcat-aggregate" --merge --attack "$tmp/attack.zst" $(ls -r "$tmp"/*.partial) -o "$tmp/merged.zst" 2>/dev/null
rc=$?; cmp -s "$tmp/catalog.zst" "$tmp/merged.zst"
check "the partials of the $(ls "$tmp"/*.partial | wc -l) sources merged (in reverse order) give the same bytes as one run" \
	$(( rc | $? )) "exit $rc or outputs differ"
t0=$(date +%s.%N)
"$BIN/detcat-report" -o "$tmp/site" "$tmp/catalog.zst"; rc=$?
t1=$(date +%s.%N)
[ $rc -eq 0 ]; check "detcat-report ($(ms "$t0" "$t1"), $(find "$tmp/site" -type f | wc -l) files)" $? "exit $rc"

cat "$tmp"/*.tagged | zstd -dc > "$tmp/tagged.ndjson"
for t in T1204 T1204.001; do
	want=$(jq -s -c --arg t "$t" '
		def under: .id == $t or (.id | startswith($t + "."));
		# live rules only: upstream retirement read here from paths and status, not from our flag
		def live: .vendor as $v | .path as $p | ((.status // "") | ascii_downcase) as $s
			| if $v == "sigma" then ($p | test("^(deprecated|unsupported|rules-placeholder)/") | not)
				and ($s | IN("deprecated", "unsupported") | not)
			  elif $v == "elastic" then ($p | test("(^|/)_deprecated/") | not) and $s != "deprecated"
			  else ($p | test("(^|/)deprecated/") | not) and $s != "deprecated" end;
		[ .[] | select(live and any(.techniques[]; under)) ] as $r
		| [ ($r | group_by(.vendor) | map({(.[0].vendor): length}) | add // {}),
		    ($r | map(.events[] | "\(.provider)/\(.event)") | unique | length),
		    ($r | map([.predicates[] | select(.computed != true) | .field] | unique) | add // [] | unique | length),
		    ($r | map([.predicates[] | select(.computed != true and .negated != true and .exclusion != true and .value != null)
		               | [.field, .op, (.value | tostring)]] | unique) | add // [] | unique | length),
		    ($r | map([.predicates[] | select(.exclusion == true and .computed != true and .value != null) | [.field, .op, (.value | tostring)]] | unique)
		        | add // [] | unique | length) ]' "$tmp/tagged.ndjson")
	got=$(zstd -dc "$tmp/catalog.zst" | jq -c --arg t "$t" 'select(.kind == "technique" and .id == $t)
		| [.rules.by_vendor, (.events | length), (.fields | length), (.indicators | length), (.exclusions | length)]')
	[ -n "$got" ] && [ "$got" = "$want" ]
	check "$t: rules by vendor, events, fields, indicators, exclusions = $want" $? "catalog says $got"
	md=$tmp/site/technique/$t.md ok=0
	for v in sigma:Sigma elastic:Elastic splunk:Splunk kusto:Kusto; do
		n=$(echo "$want" | jq -r --arg v "${v%%:*}" '.[0][$v] // 0')
		[ "$n" -eq 0 ] || grep -q "^### ${v#*:} ($n rules\{0,1\})" "$md" || { echo "  $t: no '${v#*:} ($n rules)'"; ok=1; }
	done
	n=$(echo "$want" | jq '.[1]')
	grep -q "^$n catalog events\{0,1\} \(is\|are\) tagged" "$md" || ok=1
	check "$t page: each vendor's rules and the events covered" $ok
done
sh tests/linkcheck.sh "$tmp/site" >"$tmp/links" 2>&1; check "site: $(tail -n 1 "$tmp/links")" $?
finish accept-catalog
