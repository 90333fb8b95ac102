#!/bin/sh
# coverage.sh BIN BUILD CORPORA: detcat-coverage on the catalog of the real
# corpora (as `make SOURCES=pipeline/shared.yaml` builds it) with the example
# profiles of mappings/profiles/. For the Sysmon-only profile, the runnable
# rules of every technique (by vendor; T1204 and others named) and the whole
# "next event to collect" ranking (every event that gains a rule) are
# recomputed independently with jq from the tagged rules, and the site built for
# the profile (detcat-report --have) shows the same in its matrix and its next
# events; the Navigator layer fits its schema; two runs give the same bytes; a
# bad profile exits 2.
BIN=$1 BUILD=$2 CORPORA=$3
. "$(dirname "$0")/../lib.sh"
skip_without "$CORPORA" accept-coverage
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$BIN/detcat-fetch-unpack" -s attack -V attack "$CORPORA/enterprise-attack-18.1.json.zst" -o "$tmp/attack.raw" &&
	"$BIN/detcat-attack" "$tmp/attack.raw" -o "$tmp/attack.zst"
check "ATT&CK table" $?
while read -r name vendor file; do
	extra=
	[ "$name" = bertjanp ] && extra="--exclude *.png"
	"$BIN/detcat-fetch-unpack" -s "$name" -V "$vendor" $extra "$CORPORA/$file" -o "$tmp/$name.raw" &&
		{ "$BIN/detcat-normalize" "$tmp/$name.raw" -o "$tmp/$name.rules" 2>/dev/null; [ $? -le 1 ]; } &&
		"$BIN/detcat-tag" --attack "$tmp/attack.zst" --events mappings/events.yaml "$tmp/$name.rules" \
			-o "$tmp/$name.tagged" 2>/dev/null
	check "$name: fetch-unpack, normalize, tag" $?
done <<LIST
sigma sigma sigma-r2026-07-01.tar.gz
elastic elastic elastic-detection-rules-2026-08-21.zip
splunk splunk splunk-security-content-2024-10-24.tar.gz
sentinel kusto kusto-sentinel-sample-2026.tar.gz
bertjanp kusto kusto-bertjanp-2026-04-13.tar.gz
LIST
"$BIN/detcat-aggregate" --attack "$tmp/attack.zst" "$tmp"/*.tagged -o "$tmp/catalog.zst" 2>/dev/null
check "detcat-aggregate" $?

# the Sysmon-only profile as the test reads it: the file must say the same
prof='{"Sysmon":["1","10","11","12","13","14","15","17","18","22","23","25","3","5","6","7","8"]}'
"$BIN/detcat-coverage" --have mappings/profiles/sysmon-windows.yaml --layer "$tmp/layer.json" \
	"$tmp/catalog.zst" -o "$tmp/cov.ndjson" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] || [ "$(wc -l < "$tmp/err")" -eq 1 ]
check "detcat-coverage sysmon-windows: exit 0, one summary line ($(cat "$tmp/err"))" $? "exit $rc"
got=$(head -n 1 "$tmp/cov.ndjson" | jq -c .events)
[ "$got" = "$prof" ]; check "the profile read is the one this test recounts" $? "$got"
"$BIN/detcat-coverage" --have mappings/profiles/sysmon-windows.yaml "$tmp/catalog.zst" -o "$tmp/cov2.ndjson" 2>/dev/null
cmp -s "$tmp/cov.ndjson" "$tmp/cov2.ndjson"; check "byte-identical across runs" $?
jq -c . "$tmp/layer.json" | "$BUILD/tests/schema-check" schema/navigator-layer.schema.json >/dev/null 2>"$tmp/schema"
check "Navigator layer fits schema/navigator-layer.schema.json" $? "$(head -n 3 "$tmp/schema")"

# the independent recount: live rules (upstream retirement read from paths and
# status, as accept/catalog.sh does), a rule under a technique and its parent
cat "$tmp"/*.tagged | zstd -dc | jq -c --argjson prof "$prof" '
	def live: .vendor as $v | .path as $p | ((.status // "") | ascii_downcase) as $s
		| if $v == "sigma" then ($p | test("^(deprecated|unsupported|rules-placeholder)/") | not)
			and ($s | IN("deprecated", "unsupported") | not)
		  elif $v == "elastic" then ($p | test("(^|/)_deprecated/") | not) and $s != "deprecated"
		  else ($p | test("(^|/)deprecated/") | not) and $s != "deprecated" end;
	def covered(p; e): p as $p | e as $e | $prof[$p] as $x | $x != null and ($x == "any" or ($e != "any" and any($x[]; . == $e)));
	select(live)
	| {uid, vendor, techs: ([.techniques[] | .id, (.parent // empty)] | unique),
	   run: any(.events[]; covered(.provider; .event)),
	   cands: ([.events[] | select(covered(.provider; .event) | not) | [.provider, .event]]
		   + [.events[] | select(.event != "any" and (covered(.provider; "any") | not)) | [.provider, "any"]]
		   | unique)}' > "$tmp/recount"
jq -s -c '[ .[] | . as $r | .techs[] | {t: ., v: $r.vendor, run: $r.run} ] | group_by(.t)
	| map({key: .[0].t, value: [length, (map(select(.run)) | length),
		(group_by(.v) | map({(.[0].v): [length, (map(select(.run)) | length)]}) | add)]}) | from_entries' \
	"$tmp/recount" > "$tmp/want.tech"
jq -s -c 'map(select(.kind == "technique_coverage") | {key: .technique, value: [.rules, .runnable,
	(.by_vendor | map_values([.rules, .runnable]))]}) | from_entries' "$tmp/cov.ndjson" > "$tmp/got.tech"
for t in T1204 T1059.001 T1547.001 T1003 T1218; do
	w=$(jq -c --arg t "$t" '.[$t]' "$tmp/want.tech") g=$(jq -c --arg t "$t" '.[$t]' "$tmp/got.tech")
	[ "$w" != null ] && [ "$w" = "$g" ]; check "$t: rules, runnable, by vendor = $w" $? "detcat-coverage says $g"
done
n=$(jq 'length' "$tmp/want.tech")
[ "$(jq -S -c . "$tmp/want.tech")" = "$(jq -S -c . "$tmp/got.tech")" ]; check "every technique ($n): runnable rules by vendor as recounted" $? \
	"$(jq -n -c --slurpfile w "$tmp/want.tech" --slurpfile g "$tmp/got.tech" '[$w[0] | keys[] | select($w[0][.] != $g[0][.])] | .[:5]')"

# next event to collect: rules not yet runnable gained by each event alone
# (P any: the whole provider), techniques with no runnable rule yet gained
jq -s -c '
	([ .[] | select(.run | not) | .cands[] ] | group_by(.) | map({key: (.[0] | join("\u001f")), value: length}) | from_entries) as $rules
	| ([ .[] | . as $r | .techs[] | {t: ., run: $r.run, cands: $r.cands} ] | group_by(.t)
	   | map(select(all(.[]; .run | not)) | [.[].cands[]] | unique[]) | group_by(.)
	   | map({key: (.[0] | join("\u001f")), value: length}) | from_entries) as $techs
	| $rules | to_entries | map((.key | split("\u001f")) as $k | [$k[0], $k[1], .value, ($techs[.key] // 0)])
	| sort_by([-.[2], -.[3], .[0], .[1]])' "$tmp/recount" > "$tmp/want.next"
jq -s -c 'map(select(.kind == "next_event" and .rules_gained > 0) | [.provider, .event, .rules_gained, .techniques_gained])' \
	"$tmp/cov.ndjson" > "$tmp/got.next"
w=$(jq -c '.[:10]' "$tmp/want.next") g=$(jq -c '.[:10]' "$tmp/got.next")
[ "$w" = "$g" ]; check "next events, top 10: $(jq -r '.[:3] | map("\(.[0]) \(.[1]) +\(.[2])/\(.[3])") | join(", ")' "$tmp/want.next") ..." $? "got $g"
n=$(jq length "$tmp/want.next")
cmp -s "$tmp/want.next" "$tmp/got.next"; check "next events, the whole ranking ($n events that gain a rule)" $? \
	"$(jq length "$tmp/got.next") listed"
ranks=$(jq -s -c '[.[] | select(.kind == "next_event") | .rank] | . == [range(1; length + 1)]' "$tmp/cov.ndjson")
[ "$ranks" = true ]; check "next events ranked 1..N in order" $?

# the site built for the profile (detcat-report --have): its matrix cells and its
# next events against the same recount
"$BIN/detcat-report" --have mappings/profiles/sysmon-windows.yaml -o "$tmp/site" "$tmp/catalog.zst" 2>"$tmp/err"
check "detcat-report --have sysmon-windows: exit 0" $? "$(head -n 3 "$tmp/err")"
grep -o '<a class="cell[^"]*"[^>]*><span class="tid">[^<]*</span> <span class="count"[^>]*>[0-9]*/[0-9]*</span>' "$tmp/site/index.html" |
	sed 's/.*"tid">\([^<]*\)<.*"count"[^>]*>\([0-9]*\)\/\([0-9]*\)<.*/\1 \2 \3/' | sort -u |
	jq -R -s -c 'split("\n") | map(select(length > 0) | split(" ") | {key: .[0], value: [(.[2] | tonumber), (.[1] | tonumber)]}) | from_entries' >"$tmp/got.cells"
for t in T1204 T1059.001 T1547.001 T1003 T1218; do
	w=$(jq -c --arg t "$t" '.[$t][:2]' "$tmp/want.tech") g=$(jq -c --arg t "$t" '.[$t]' "$tmp/got.cells")
	[ "$w" != null ] && [ "$w" = "$g" ]; check "site matrix $t: runnable/all = $(echo "$w" | jq -r '"\(.[1])/\(.[0])"')" $? "the cell says $g"
done
n=$(jq length "$tmp/got.cells")
[ "$(jq -S -c 'map_values(.[:2])' "$tmp/want.tech")" = "$(jq -S -c . "$tmp/got.cells")" ]
check "site matrix: every technique's cell ($n) is runnable/all as recounted" $? \
	"$(jq -n -c --slurpfile w "$tmp/want.tech" --slurpfile g "$tmp/got.cells" '[$w[0] | keys[] | select($w[0][.][:2] != $g[0][.])] | .[:5]')"
jq -r '.[:20][] | "\(.[0]) \(.[1]) \(.[2]) \(.[3])"' "$tmp/want.next" >"$tmp/want.top"
sed -n '/^## Next events to collect/,/^## /p' "$tmp/site/index.md" | grep '^| [0-9]' | sed 's/\[\([^]]*\)\]([^)]*)/\1/' |
	awk -F' \\| ' '{ print $2 " " $3 " " $5 " " $6 }' | sed 's/ |$//' >"$tmp/got.top"
[ "$(wc -l <"$tmp/want.top")" -eq 20 ] && cmp -s "$tmp/want.top" "$tmp/got.top"
check "site index: the top 20 next events as recounted" $? "$(diff "$tmp/want.top" "$tmp/got.top" | head -n 4)"

# the Defender XDR profile reads cleanly too
"$BIN/detcat-coverage" --have mappings/profiles/defender-xdr.yaml "$tmp/catalog.zst" -o "$tmp/dx.ndjson" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]; check "defender-xdr: no warning ($(cat "$tmp/err"))" $? "exit $rc"
printf 'events:\n  Sysmon: {1: yes}\n' > "$tmp/bad.yaml"
"$BIN/detcat-coverage" --have "$tmp/bad.yaml" "$tmp/catalog.zst" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "bad.yaml:2: provider 'Sysmon': expected a list" "$tmp/err"
check "a profile of the wrong shape: exit 2, file and line" $? "exit $rc: $(cat "$tmp/err")"
finish accept-coverage
