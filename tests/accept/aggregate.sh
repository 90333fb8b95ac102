#!/bin/sh
# aggregate.sh BIN BUILD CORPORA: the catalog of the Sigma r2026-07-01 archive
# (fetch-unpack → normalize → tag with the real ATT&CK table → aggregate), and
# the numbers of the reference pages' techniques recomputed independently with
# jq over the tagged rules (live ones only: retired rules, by Sigma's folders
# deprecated/, unsupported/, rules-placeholder/ or status deprecated|unsupported, are
# listed apart and not counted, SPEC and issue 13): rules (a parent counting its sub-techniques' rules),
# distinct events, fields, indicators and exclusions, the corpus reach of the
# top indicator, and a similar-rules overlap. Also: schema, byte-identical
# runs, partial aggregates merged give the same bytes. Then the site of that
# catalog: the T1204 and T1204.001 pages carry every section with the numbers
# recomputed by jq, every link resolves, rule pages link upstream.
BIN=$1 BUILD=$2 CORPORA=$3
. "$(dirname "$0")/../lib.sh"
skip_without "$CORPORA" accept-aggregate
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BIN/detcat-fetch-unpack" -s attack -V attack "$CORPORA/enterprise-attack-18.1.json.zst" -o "$tmp/attack.raw.zst" &&
	"$BIN/detcat-attack" "$tmp/attack.raw.zst" -o "$tmp/attack.zst" &&
	"$BIN/detcat-fetch-unpack" -s sigma -V sigma --browse https://github.com/SigmaHQ/sigma/blob/r2026-07-01/ \
		"$CORPORA/sigma-r2026-07-01.tar.gz" -o "$tmp/raw.zst" &&
	{ "$BIN/detcat-normalize" "$tmp/raw.zst" -o "$tmp/rules.zst" 2>/dev/null; [ $? -le 1 ]; } &&
	"$BIN/detcat-tag" --attack "$tmp/attack.zst" --events mappings/events.yaml "$tmp/rules.zst" -o "$tmp/tagged.zst"
check "the chain up to tag" $? "failed"
t0=$(date +%s.%N)
"$BIN/detcat-aggregate" --attack "$tmp/attack.zst" "$tmp/tagged.zst" -o "$tmp/catalog.zst"; rc=$?
t1=$(date +%s.%N)
[ $rc -eq 0 ]; check "detcat-aggregate exit status ($(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }') s)" $? "exit $rc"
zstd -dc "$tmp/catalog.zst" | "$BUILD/tests/schema-check" schema/catalog.schema.json 2>"$tmp/schema"
check "every record fits schema/catalog.schema.json" $? "$(head -n 3 "$tmp/schema")"
"$BIN/detcat-aggregate" --attack "$tmp/attack.zst" "$tmp/tagged.zst" -o "$tmp/catalog2.zst"
cmp -s "$tmp/catalog.zst" "$tmp/catalog2.zst"; check "byte-identical across runs" $? "outputs differ"
zstd -dc "$tmp/tagged.zst" > "$tmp/tagged.ndjson"
for t in T1204 T1204.001; do
	# rules under t: tagged t itself, or (for a technique) one of its sub-techniques
	want=$(jq -s -c --arg t "$t" '
		def under: .id == $t or (.id | startswith($t + "."));
		def live: (.path | test("^(deprecated|unsupported|rules-placeholder)/") | not)
			and ((.status // "") | ascii_downcase | IN("deprecated", "unsupported") | not);
		[ .[] | select(live and any(.techniques[]; under)) ] as $r
		| [ ($r | length),
		    ($r | map(.events[] | "\(.provider)/\(.event)") | unique | length),
		    ($r | map([.predicates[] | select(.computed != true) | .field] | unique) | add // [] | unique | length),
		    ($r | map([.predicates[] | select(.computed != true and .negated != true and .exclusion != true and .value != null)
		               | [.field, .op, (.value | tostring)]] | unique) | add // [] | unique | length),
		    ($r | map([.predicates[] | select(.exclusion == true and .computed != true and .value != null) | [.field, .op, (.value | tostring)]] | unique)
		        | add // [] | unique | length) ]' "$tmp/tagged.ndjson")
	got=$(zstd -dc "$tmp/catalog.zst" | jq -c --arg t "$t" 'select(.kind == "technique" and .id == $t)
		| [.rules.total, (.events | length), (.fields | length), (.indicators | length), (.exclusions | length)]')
	[ -n "$got" ] && [ "$got" = "$want" ]
	check "$t: rules, events, fields, indicators, exclusions = $want" $? "catalog says $got"
done
# the reach of T1204's top indicator: rules in the whole corpus with the same triple
top=$(zstd -dc "$tmp/catalog.zst" | jq -c 'select(.kind == "technique" and .id == "T1204") | .indicators[0] | [.field, .op, (.value | tostring), .reach]')
reach=$(echo "$top" | jq -r '.[3]')
want=$(jq -s --argjson k "$top" 'def live: (.path | test("^(deprecated|unsupported|rules-placeholder)/") | not)
	and ((.status // "") | ascii_downcase | IN("deprecated", "unsupported") | not);
	[ .[] | select(live and any(.predicates[]; .computed != true and .negated != true and .exclusion != true
	and .field == $k[0] and .op == $k[1] and (.value | tostring) == $k[2])) ] | length' "$tmp/tagged.ndjson")
[ "$reach" = "$want" ]; check "T1204 top indicator $top: corpus reach recomputed $want" $? "catalog says $reach"
# similar rules: the first match of the first rule that has one, recounted from the two rules' indicator sets
pair=$(zstd -dc "$tmp/catalog.zst" | jq -c 'select(.kind == "rule" and (.similar.same_vendor | length) > 0)
	| [.uid, .similar.same_vendor[0].uid, .similar.same_vendor[0].shared, .similar.same_vendor[0].union]' | head -n 1)
want=$(jq -s -c --argjson p "$pair" 'def ind: [.predicates[] | select(.computed != true and .negated != true
	and .exclusion != true and .value != null) | [.field, .op, (.value | tostring)]] | unique;
	(map(select(.uid == $p[0]))[0] | ind) as $a | (map(select(.uid == $p[1]))[0] | ind) as $b
	| [$p[0], $p[1], ([$a[] | select(. as $x | $b | index([$x]))] | length), ($a + $b | unique | length)]' "$tmp/tagged.ndjson")
[ -n "$pair" ] && [ "$pair" = "$want" ]; check "similar rules: shared and union recounted for $pair" $? "jq says $want"
# partial aggregates of the odd and the even lines, merged: the same catalog
zstd -dc "$tmp/tagged.zst" | awk 'NR % 2' > "$tmp/half1" && zstd -dc "$tmp/tagged.zst" | awk '!(NR % 2)' > "$tmp/half2" &&
	"$BIN/detcat-aggregate" --partial --attack "$tmp/attack.zst" "$tmp/half1" -o "$tmp/p1.zst" &&
	"$BIN/detcat-aggregate" --partial --attack "$tmp/attack.zst" "$tmp/half2" -o "$tmp/p2.zst" &&
	"$BIN/detcat-aggregate" --merge --attack "$tmp/attack.zst" "$tmp/p2.zst" "$tmp/p1.zst" -o "$tmp/merged.zst"
rc=$?; cmp -s "$tmp/catalog.zst" "$tmp/merged.zst"
check "two partial aggregates merged give the same bytes as one run" $(( rc | $? )) "exit $rc or outputs differ"
"$BIN/detcat-aggregate" --merge --attack "$tmp/attack.zst" "$tmp/catalog.zst" -o "$tmp/remerged.zst"
cmp -s "$tmp/catalog.zst" "$tmp/remerged.zst"; check "a catalog merged again is itself" $? "outputs differ"
# the site
t0=$(date +%s.%N)
"$BIN/detcat-report" -o "$tmp/site" "$tmp/catalog.zst"; rc=$?
t1=$(date +%s.%N)
pages=$(find "$tmp/site" -type f | wc -l)
[ $rc -eq 0 ]; check "detcat-report exit status ($(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }') s, $pages files)" $? "exit $rc"
for t in T1204 T1204.001; do
	want=$(jq -s -r --arg t "$t" '
		def under: .id == $t or (.id | startswith($t + "."));
		def live: (.path | test("^(deprecated|unsupported|rules-placeholder)/") | not)
			and ((.status // "") | ascii_downcase | IN("deprecated", "unsupported") | not);
		[ .[] | select(live and any(.techniques[]; under)) ] as $r
		| "\($r | map(.events[] | "\(.provider)/\(.event)") | unique | length) "
		+ "\($r | map([.predicates[] | select(.computed != true) | .field] | unique) | add // [] | unique | length) "
		+ "\($r | map([.predicates[] | select(.computed != true and .negated != true and .exclusion != true and .value != null)
		               | [.field, .op, (.value | tostring)]] | unique) | add // [] | unique | length) "
		+ "\($r | map([.predicates[] | select(.exclusion == true and .computed != true and .value != null) | [.field, .op, (.value | tostring)]] | unique)
		        | add // [] | unique | length) \($r | length)"' "$tmp/tagged.ndjson")
	set -- $want
	md=$tmp/site/technique/$t.md
	grep -q "^$1 catalog events\{0,1\} \(is\|are\) tagged" "$md" && grep -q "^### Fields filtered most ($2 distinct)" "$md" &&
		grep -q "^### Top indicator values ($3 distinct)" "$md" && grep -q "^### Exclusions ($4 distinct)" "$md" &&
		grep -q "^### Sigma ($5 rules)" "$md" && grep -q "^## Rules under this technique" "$md" &&
		grep -q '<details><summary>' "$tmp/site/technique/$t.html"
	check "$t page: events $1, fields $2, indicators $3, exclusions $4, Sigma rules $5, values open to their rules" $?
done
sh tests/linkcheck.sh "$tmp/site" >"$tmp/links" 2>&1; check "site: $(tail -n 1 "$tmp/links")" $?
uid=$(zstd -dc "$tmp/catalog.zst" | jq -r 'select(.kind == "rule" and .path == "rules/windows/process_creation/proc_creation_win_office_winword_dll_load.yml") | .uid')
grep -q 'href="https://github.com/SigmaHQ/sigma/blob/r2026-07-01/rules/windows/process_creation/proc_creation_win_office_winword_dll_load.yml"' \
	"$tmp/site/rule/$(echo "$uid" | sed 's/:/~3a/').html"
check "a rule page links its file upstream ($uid)" $?
echo "  T1204 in the catalog: $(zstd -dc "$tmp/catalog.zst" | jq -c 'select(.kind == "technique" and .id == "T1204") | {rules: .rules.by_vendor, events: [.events[] | "\(.provider) \(.event)"]}')"
finish accept-aggregate
