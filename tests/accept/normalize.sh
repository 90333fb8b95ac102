#!/bin/sh
# normalize.sh BIN BUILD CORPORA: detcat-normalize on both Sigma archives.
# Checks, per archive, counting with jq over the records (independently of the
# tool's own --stats): every .yml file under rules*/, deprecated/ and
# unsupported/ yields at least one rule record; >= 99.5 % of the rules in
# rules*/ parse ok; >= 97 % of their predicate occurrences land on a mapped
# field; every record fits schema/rule.schema.json; one thread and several
# give byte-identical output. Prints the figures and the top unmapped fields.
BIN=$1 BUILD=$2 CORPORA=$3
. "$(dirname "$0")/../lib.sh"
skip_without "$CORPORA" accept-normalize
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for archive in sigma-r2026-04-01.tar.gz sigma-r2026-07-01.tar.gz; do
	f=$CORPORA/$archive
	[ -f "$f" ] || { check "$archive" 1 missing; continue; }
	"$BIN/detcat-fetch-unpack" --source sigma --vendor sigma "$f" -o "$tmp/raw.zst"
	"$BIN/detcat-normalize" "$tmp/raw.zst" -o "$tmp/rules.zst" 2>"$tmp/err"; rc=$?
	[ $rc -le 1 ]; check "$archive: exit status 0 or 1" $? "exit $rc"
	zstd -dc "$tmp/raw.zst" | jq -r 'select(.path | test("^(rules[^/]*|deprecated|unsupported)/.*\\.ya?ml$")) | .path' | sort -u > "$tmp/files"
	zstd -dc "$tmp/rules.zst" | jq -r .path | sort -u > "$tmp/ruled"
	missing=$(comm -23 "$tmp/files" "$tmp/ruled" | wc -l)
	[ "$missing" -eq 0 ]; check "$archive: every rule file yields a record ($(wc -l < "$tmp/files") files)" $? "$missing files without a record: $(comm -23 "$tmp/files" "$tmp/ruled" | head -n 3 | tr '\n' ' ')"
	zstd -dc "$tmp/rules.zst" | jq -r 'select(.path | startswith("rules")) | .parse.status' | sort | uniq -c > "$tmp/status"
	total=$(awk '{ n += $1 } END { print n + 0 }' "$tmp/status")
	ok=$(awk '$2 == "ok" { print $1 }' "$tmp/status")
	awk -v ok="${ok:-0}" -v t="$total" 'BEGIN { exit !(t > 0 && ok / t >= 0.995) }'
	check "$archive: rules*/ parse ok $ok/$total ($(awk -v ok="${ok:-0}" -v t="$total" 'BEGIN { printf "%.2f", 100 * ok / t }') %, target 99.5 %)" $? "$(tr '\n' ' ' < "$tmp/status")"
	zstd -dc "$tmp/rules.zst" | jq -r 'select(.path | startswith("rules")) | .predicates[] | select(.computed != true) | if .unmapped == true then "unmapped " + .raw_field else "mapped " + .field end' > "$tmp/fields"
	preds=$(wc -l < "$tmp/fields")
	mapped=$(grep -c '^mapped ' "$tmp/fields")
	awk -v m="$mapped" -v t="$preds" 'BEGIN { exit !(t > 0 && m / t >= 0.97) }'
	check "$archive: predicates on mapped fields $mapped/$preds ($(awk -v m="$mapped" -v t="$preds" 'BEGIN { printf "%.2f", 100 * m / t }') %, target 97 %)" $? "too many unmapped"
	# ECS field sets (and powershell.*, canonical in SPEC §4), against the
	# names of Elastic's integrations (winlog.event_data.*, azure.*, ...) and
	# the keywords pseudo-field
	ecs=$(grep -cE '^mapped (agent|client|cloud|container|destination|dll|dns|email|error|event|file|group|host|http|log|message|network|observer|orchestrator|package|process|registry|related|rule|server|service|source|threat|tls|url|user|user_agent|vulnerability|powershell)\.' "$tmp/fields")
	echo "  on ECS field sets: $ecs/$preds ($(awk -v m="$ecs" -v t="$preds" 'BEGIN { printf "%.1f", 100 * m / t }') %); the rest on Elastic integration names (winlog.event_data.*, azure.*, aws.*, okta.*, ...) or keywords"
	echo "  fields by family (rules*/): $(sed -n 's/^mapped \([a-z_]*\).*/\1/p' "$tmp/fields" | sort | uniq -c | sort -rn | head -n 8 | awk '{ printf "%s %d, ", $2, $1 }')"
	echo "  top unmapped: $(sed -n 's/^unmapped //p' "$tmp/fields" | sort | uniq -c | sort -rn | head -n 5 | awk '{ printf "%s %d, ", $2, $1 }')"
	for d in deprecated unsupported; do
		zstd -dc "$tmp/rules.zst" | jq -r "select(.path | startswith(\"$d/\")) | .parse.status" | sort | uniq -c | tr '\n' ' ' > "$tmp/d"
		echo "  $d/: $(cat "$tmp/d")"
	done
	zstd -dc "$tmp/rules.zst" | "$BUILD/tests/schema-check" schema/rule.schema.json 2>"$tmp/schema"
	check "$archive: every record fits schema/rule.schema.json" $? "$(head -n 3 "$tmp/schema")"
	"$BIN/detcat-normalize" -j 1 "$tmp/raw.zst" -o "$tmp/rules1.zst" 2>/dev/null
	cmp -s "$tmp/rules.zst" "$tmp/rules1.zst"; check "$archive: one thread or several, byte-identical" $? "outputs differ"
	zstd -dc "$tmp/rules.zst" | jq -r .uid | sort | uniq -d > "$tmp/dups"
	[ ! -s "$tmp/dups" ]; check "$archive: uids unique" $? "$(head -n 3 "$tmp/dups" | tr '\n' ' ')"
done
finish accept-normalize
