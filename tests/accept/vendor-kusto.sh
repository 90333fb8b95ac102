#!/bin/sh
# vendor-kusto.sh BIN BUILD CORPORA: the KQL front end on the two Kusto archives
# (the Sentinel sample, the Bert-JanP collection). Counting with jq over the
# records (not the tool's own counts), per archive:
#   - every rule file gives at least one record (YAML, markdown, .kql/.txt);
#   - >= 98 % of the queries parse ok; the others are listed, and each names
#     the query line and column and the token (or the end of the query);
#   - >= 95 % of the event predicates (not computed, not search terms) carry a
#     canonical field; the top unmapped raw fields are printed;
#   - >= 90 % of the parsed queries (ok or partial; not no_query, not failed)
#     map to at least one specific event (not only a provider's "any") through
#     their tables and ActionType values; inventory and state tables
#     (DeviceInfo, DeviceTvm*, IdentityInfo, ...) are events of their own, as
#     mappings/events.yaml has them; the queries without one are printed by
#     table, and by what they read when they name no table (every table,
#     external data only);
#   - >= 98 % of the parsed queries that name a table the catalog knows map to
#     at least one event;
#   - the figures: queries, predicates (negated, computed), rules per second.
# The agreement with Microsoft's own parser is `make check-kql-diff`
# (tests/kql-diff/), which needs its npm package.
BIN=$1 BUILD=$2 CORPORA=$3
. "$(dirname "$0")/../lib.sh"
skip_without "$CORPORA" accept-vendor-kusto
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
precise='^query line [0-9]+, column [0-9]+: .*( near .*| at the end of the query)$'

bundle=$CORPORA/enterprise-attack-18.1.json.zst
attack=
if [ -f "$bundle" ]; then
	"$BIN/detcat-fetch-unpack" --source attack --vendor attack "$bundle" -o "$tmp/attack-raw.zst" &&
		"$BIN/detcat-attack" "$tmp/attack-raw.zst" -o "$tmp/attack.zst" 2>/dev/null && attack=$tmp/attack.zst
fi

for f in "$CORPORA"/kusto-*.tar.gz; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .tar.gz)
	"$BIN/detcat-fetch-unpack" --source "$name" --vendor kusto "$f" -o "$tmp/raw.zst" 2>/dev/null
	start=$(date +%s.%N)
	"$BIN/detcat-normalize" "$tmp/raw.zst" -o "$tmp/rules.zst" 2>"$tmp/err"; rc=$?
	end=$(date +%s.%N)
	[ $rc -le 1 ]; check "$name: exit status 0 or 1" $? "exit $rc"
	zstd -dc "$tmp/rules.zst" > "$tmp/rules"

	# every rule file in, at least one record out
	zstd -dc "$tmp/raw.zst" | jq -r 'select(.path | test("\\.(ya?ml|md|kql|csl|txt)$"; "i")) | .path' | sort -u > "$tmp/files"
	jq -r .path "$tmp/rules" | sort -u > "$tmp/out-files"
	lost=$(comm -23 "$tmp/files" "$tmp/out-files" | wc -l)
	[ "$lost" -eq 0 ]; check "$name: every rule file gives a record ($(wc -l < "$tmp/files") files, $(wc -l < "$tmp/rules") records)" $? \
		"$lost without: $(comm -23 "$tmp/files" "$tmp/out-files" | head -n 3 | tr '\n' ' ')"

	# a block of bindings only (no_query) is no query, though its text is kept
	jq -c 'select(.query != null and .parse.status != "no_query")' "$tmp/rules" > "$tmp/q"
	total=$(wc -l < "$tmp/q")
	ok=$(jq -r 'select(.parse.status == "ok") | .uid' "$tmp/q" | wc -l)
	[ "$total" -gt 0 ] && awk -v ok="$ok" -v t="$total" 'BEGIN { exit !(ok / t >= 0.98) }'
	check "$name: queries parse ok $ok/$total ($(awk -v ok="$ok" -v t="$total" 'BEGIN { printf "%.2f", t ? 100 * ok / t : 0 }') %, target 98 %)" $? \
		"$(jq -r 'select(.parse.status != "ok") | .parse.status' "$tmp/q" | sort | uniq -c | tr '\n' ' ')"
	jq -r 'select(.parse.status != "ok") | "    " + .parse.status + " " + .uid + ": " + (.parse.errors[0].message // "")' "$tmp/q" | head -n 20
	vague=$(jq -r --arg re "$precise" 'select(.parse.status != "ok") |
		select([.parse.errors[].message | select(test($re))] | length == 0) | .uid' "$tmp/q" | wc -l)
	[ "$vague" -eq 0 ]; check "$name: every query not ok names a query line, column and token" $? "$vague without"

	# event predicates on a canonical field
	jq -r '.predicates[] | select(.computed != true and .field != "keywords") | [(.unmapped // false), .raw_field] | @tsv' \
		"$tmp/q" > "$tmp/preds"
	events=$(wc -l < "$tmp/preds")
	unmapped=$(grep -c '^true' "$tmp/preds")
	awk -v u="$unmapped" -v n="$events" 'BEGIN { exit !(n > 0 && (n - u) / n >= 0.95) }'
	check "$name: event predicates on a canonical field $((events - unmapped))/$events ($(awk -v u="$unmapped" -v n="$events" 'BEGIN { printf "%.2f", n ? 100 * (n - u) / n : 0 }') %, target 95 %)" $?
	echo "  $name: top unmapped: $(grep '^true' "$tmp/preds" | cut -f2 | sort | uniq -c | sort -rn | head -n 8 | awk '{ printf "%s %d, ", $2, $1 }')"
	preds=$(jq '.predicates | length' "$tmp/q" | awk '{ n += $1 } END { print n + 0 }')
	computed=$(jq '[.predicates[] | select(.computed == true)] | length' "$tmp/q" | awk '{ n += $1 } END { print n + 0 }')
	negated=$(jq '[.predicates[] | select(.negated == true)] | length' "$tmp/q" | awk '{ n += $1 } END { print n + 0 }')
	echo "  $name: $total queries, $preds predicates ($negated negated, $computed computed); $(awk -v n="$(wc -l < "$tmp/rules")" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", ((e - s) > 0) ? n / (e - s) : 0 }') records/s"

	# events through the tables and ActionType values
	if [ -n "$attack" ]; then
		"$BIN/detcat-tag" -a "$attack" "$tmp/rules.zst" -o "$tmp/tagged.zst" 2>/dev/null
		zstd -dc "$tmp/tagged.zst" | jq -r 'select(.parse.status == "ok" or .parse.status == "partial") |
			[((.events // []) | length > 0), ((.events // []) | map(select(.event != "any")) | length > 0),
			 (if ((.context.tables // []) | length) > 0 then (.context.tables | join(","))
			  elif (.query | test("(union|search)\\s+(withsource=\\w+\\s+)?\\*")) then "(every table)"
			  elif (.query | test("externaldata")) then "(external data only)"
			  else "(no table)" end)] | @tsv' > "$tmp/ev"
		n=$(wc -l < "$tmp/ev")
		specific=$(awk -F'\t' '$2 == "true"' "$tmp/ev" | wc -l)
		awk -v s="$specific" -v n="$n" 'BEGIN { exit !(n > 0 && s / n >= 0.90) }'
		check "$name: parsed queries with a specific event, not only 'any', $specific/$n ($(awk -v s="$specific" -v n="$n" 'BEGIN { printf "%.2f", n ? 100 * s / n : 0 }') %, target 90 %)" $?
		echo "  $name: without a specific event, by table: $(awk -F'\t' '$2 == "false" { print $3 }' "$tmp/ev" | sort | uniq -c | sort -rn | head -n 8 | awk '{ $1 = $1 " x"; printf "%s, ", $0 }')"
		# of the queries naming tables: those with no event at all name only tables the catalog lacks
		named=$(awk -F'\t' '$3 !~ /^\(/' "$tmp/ev" | wc -l)
		with=$(awk -F'\t' '$3 !~ /^\(/ && $1 == "true"' "$tmp/ev" | wc -l)
		awk -v w="$with" -v n="$named" 'BEGIN { exit !(n > 0 && w / n >= 0.98) }'
		check "$name: parsed queries naming a table with an event $with/$named ($(awk -v w="$with" -v n="$named" 'BEGIN { printf "%.2f", n ? 100 * w / n : 0 }') %, floor 98 %)" $?
		echo "  $name: tables without an event: $(awk -F'\t' '$3 !~ /^\(/ && $1 == "false" { print $3 }' "$tmp/ev" | sort | uniq -c | sort -rn | head -n 5 | awk '{ printf "%s %d, ", $2, $1 }')"
	fi
done
finish accept-vendor-kusto
