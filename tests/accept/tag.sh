#!/bin/sh
# tag.sh BIN BUILD CORPORA: detcat-tag on both Sigma archives, with the real
# ATT&CK table (detcat-attack on CORPORA's enterprise bundle; our small fixture
# bundle when detcat-attack is not built). Per archive, counting with jq over
# the records (independently of the tool's own --stats):
#   every rule record comes out tagged, sorted by uid, and fits
#   schema/tagged-rule.schema.json and schema/rule.schema.json; no tagged
#   technique is revoked in the table; one thread or several and a second run
#   give the same bytes; >= 90 % of the active rules (rules*/) read >= 1
#   catalog event; the rules behind the reference page T1204.001, found by file
#   name among the raw files, read Sysmon 1 + Security-Auditing 4688, Sysmon 13
#   and ESF exec.
# Prints the shares of rules with >= 1 valid technique and >= 1 event, the
# counts of unknown/revoked/deprecated ids and unknown tactics, and the top
# logsources that map to no event.
BIN=$1 BUILD=$2 CORPORA=$3
. "$(dirname "$0")/../lib.sh"
skip_without "$CORPORA" accept-tag
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }'; }

# the ATT&CK table
bundle=$CORPORA/enterprise-attack-18.1.json.zst
if [ -x "$BIN/detcat-attack" ] && [ -f "$bundle" ]; then
	"$BIN/detcat-fetch-unpack" --source attack --vendor attack "$bundle" -o "$tmp/attack-raw.zst" &&
		"$BIN/detcat-attack" "$tmp/attack-raw.zst" -o "$tmp/attack.zst"
	check "ATT&CK table from $(basename "$bundle")" $? "detcat-attack failed"
else
	"$BIN/detcat-fetch-unpack" --source attack --vendor attack fixtures/attack -o "$tmp/attack-raw.zst" &&
		"$BIN/detcat-attack" "$tmp/attack-raw.zst" -o "$tmp/attack.zst"
	check "ATT&CK table from the fixture bundle (no detcat-attack or no bundle)" $? "failed"
fi
zstd -dc "$tmp/attack.zst" | jq -r 'select(.kind == "technique" and .revoked) | .id' | sort > "$tmp/revoked"

for archive in sigma-r2026-04-01.tar.gz sigma-r2026-07-01.tar.gz; do
	f=$CORPORA/$archive
	[ -f "$f" ] || { check "$archive" 1 missing; continue; }
	"$BIN/detcat-fetch-unpack" --source sigma --vendor sigma "$f" -o "$tmp/raw.zst"
	"$BIN/detcat-normalize" "$tmp/raw.zst" -o "$tmp/rules.zst" 2>/dev/null
	start=$(date +%s.%N)
	"$BIN/detcat-tag" --attack "$tmp/attack.zst" "$tmp/rules.zst" -o "$tmp/tagged.zst" 2>"$tmp/err"; rc=$?
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
	[ $rc -eq 0 ]; check "$archive: detcat-tag exit status 0 (${secs} s)" $? "exit $rc: $(head -n 3 "$tmp/err")"

	zstd -dc "$tmp/tagged.zst" > "$tmp/tagged"
	nin=$(zstd -dc "$tmp/rules.zst" | wc -l)
	nout=$(jq -c 'select(has("techniques") and has("tactics") and has("attack_issues") and has("events"))' "$tmp/tagged" | wc -l)
	[ "$nin" -eq "$nout" ] && [ "$nin" -gt 0 ]
	check "$archive: every rule comes out tagged ($nout of $nin)" $? "$nout tagged of $nin"
	jq -r .uid "$tmp/tagged" > "$tmp/uids"
	LC_ALL=C sort -c "$tmp/uids" 2>/dev/null; check "$archive: sorted by uid" $? "out of order"
	"$BUILD/tests/schema-check" schema/tagged-rule.schema.json "$tmp/tagged" >"$tmp/schema" 2>&1 &&
		"$BUILD/tests/schema-check" schema/rule.schema.json "$tmp/tagged" >>"$tmp/schema" 2>&1
	check "$archive: every record fits schema/tagged-rule.schema.json and schema/rule.schema.json" $? "$(head -n 3 "$tmp/schema")"
	jq -r '.techniques[].id' "$tmp/tagged" | sort -u | comm -12 - "$tmp/revoked" > "$tmp/still"
	[ ! -s "$tmp/still" ]; check "$archive: no tagged technique is revoked (replacements followed)" $? "$(head -n 3 "$tmp/still" | tr '\n' ' ')"
	"$BIN/detcat-tag" -j 1 --attack "$tmp/attack.zst" "$tmp/rules.zst" -o "$tmp/tagged1.zst" 2>/dev/null
	"$BIN/detcat-tag" --attack "$tmp/attack.zst" "$tmp/rules.zst" -o "$tmp/tagged2.zst" 2>/dev/null
	cmp -s "$tmp/tagged.zst" "$tmp/tagged1.zst" && cmp -s "$tmp/tagged.zst" "$tmp/tagged2.zst"
	check "$archive: one thread or several, and a second run, byte-identical" $? "outputs differ"

	# figures, over every rule and over the active ones (rules*/)
	jq -r '[(.path // "" | test("^rules[^/]*/")), (.techniques | length > 0), ((.techniques | length) == 0 and (.tactics | length) > 0), (.events | length > 0)] | map(if . then 1 else 0 end) | @tsv' "$tmp/tagged" > "$tmp/flags"
	set -- $(awk '{ n++; t += $2; o += $3; e += $4; if ($1) { an++; at += $2; ae += $4 } } END { print n, t, o, e, an, at, ae }' "$tmp/flags")
	n=$1 tech=$2 tonly=$3 ev=$4 an=$5 atech=$6 aev=$7
	echo "  all rules: $n; >= 1 valid technique $tech ($(pct "$tech" "$n") %), tactics only $tonly, >= 1 event $ev ($(pct "$ev" "$n") %)"
	echo "  rules*/: $an; >= 1 valid technique $atech ($(pct "$atech" "$an") %), >= 1 event $aev ($(pct "$aev" "$an") %)"
	echo "  attack issues (occurrences): $(jq -r '.attack_issues[].issue' "$tmp/tagged" | sort | uniq -c | awk '{ printf "%s %d, ", $2, $1 }')"
	echo "  most frequent: $(jq -r '.attack_issues[] | .id + (if .replaced_by then "->" + .replaced_by else "" end)' "$tmp/tagged" | sort | uniq -c | sort -rn | head -n 6 | awk '{ printf "%s %d, ", $2, $1 }')"
	echo "  events only from a scope-wide \"any\": $(jq -c 'select((.events | length > 0) and all(.events[]; .event == "any"))' "$tmp/tagged" | wc -l) rules"
	awk -v a="$aev" -v t="$an" 'BEGIN { exit !(t > 0 && a / t >= 0.90) }'
	check "$archive: rules*/ reading >= 1 catalog event $aev/$an ($(pct "$aev" "$an") %, target 90 %)" $? "too few"
	echo "  top logsources with no event (rules*/): $(jq -r 'select((.path // "" | test("^rules[^/]*/")) and (.events | length == 0)) | [.context.product // "-", .context.category // "-", .context.service // "-"] | join("/")' "$tmp/tagged" | sort | uniq -c | sort -rn | head -n 12 | awk '{ printf "%s %d, ", $2, $1 }')"

	# the rules of the reference page T1204.001, by file name among the raw files
	for want in "proc_creation_win_susp_clickfix_filefix_execution.yml|Sysmon/1 Security-Auditing/4688" \
		    "registry_set_potential_clickfix_execution.yml|Sysmon/13" \
		    "proc_creation_macos_susp_execution_macos_script_editor.yml|ESF/exec"; do
		name=${want%%|*} events=${want#*|}
		path=$(zstd -dc "$tmp/raw.zst" | jq -r --arg n "$name" 'select(.path | endswith("/" + $n)) | .path' | head -n 1)
		if [ -z "$path" ]; then
			check "$archive: $name is among the raw files" 1 "not found"
			continue
		fi
		got=$(jq -r --arg p "$path" 'select(.path == $p) | [.events[] | .provider + "/" + .event] | join(" ")' "$tmp/tagged")
		missing=
		for e in $events; do
			case " $got " in *" $e "*) ;; *) missing="$missing $e" ;; esac
		done
		[ -z "$missing" ]; check "$archive: $name reads $events" $? "got '$got', missing$missing"
	done
done
finish accept-tag
