#!/bin/sh
# chain.sh BIN BUILD CORPORA SOURCES: the whole chain on a source list (make bench).
#
# Each of BENCH_RUNS runs (default 5) does, in this order, in a scratch folder
# (out/bench/work):
#   chain     a fresh `make -j2` of SOURCES (archives to site), then a no-op make;
#   stages    each stage again on the chain's own inputs, alone: fetch-unpack and
#             normalize and tag per source, attack, aggregate, report (into a
#             fresh folder) and report again over its own site (no page changes);
#   floors    bsdtar -xOf of each archive, zstd -dc of each stage's input, a bare
#             libyaml load of the YAML sources' raw files, cp -r of the site;
#   scenarios one changed Sigma rule (the Sigma archive rewritten by bsdtar with
#             one rule's detection edited), then the Sigma source replaced by the
#             older release (sigma-r2026-04-01): each a timed make.
# Every figure is measured with /usr/bin/time (wall, user+sys, peak RSS); the
# table shows the median of the runs, the ratio of each stage to its floor, and
# out/bench/NAME.json (BENCH_NAME, default commit-date) keeps them all for
# `make bench-compare OLD=a.json NEW=b.json`.
BIN=$1 BUILD=$2 CORPORA=$3 SOURCES=$4
RUNS=${BENCH_RUNS:-5}
JOBS=${BENCH_JOBS:-2}
[ -d "$CORPORA" ] || { echo "bench: skipped: $CORPORA is absent"; exit 0; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (tools/install-deps.sh --bench)" >&2; exit 2; }
MAKE=${MAKE:-make}
root=$(pwd)
W=$root/out/bench/work
rm -rf "$W" && mkdir -p "$W/lists" "$W/st" "$W/tmp" || exit 2
M=$W/measures.tsv	# run name wall user sys rss_kb
: > "$M"
CORP=$(cd "$CORPORA" && pwd)
srcdir=$(cd "$(dirname "$SOURCES")" && pwd)

# the scratch source list: the same sources, every location absolute, Sigma's
# archive a copy in the scratch folder (the scenarios rewrite it)
sigma_orig=$(sed -n 's/^ *location: *\(.*sigma[^ ]*\.tar\.gz\).*/\1/p' "$SOURCES" | head -n 1)
case $sigma_orig in /*) ;; ?*) sigma_orig=$srcdir/$sigma_orig ;; esac
LIST=$W/lists/bench.yaml
SIGMA=$W/lists/sigma.tar.gz
awk -v dir="$srcdir" -v sigma="$SIGMA" -v so="$sigma_orig" '
	/^ *location:/ {
		loc = $2
		if (loc !~ /^\// && loc !~ /^https?:/) loc = dir "/" loc
		if (so != "" && loc == so) loc = sigma
		sub(/location:.*/, "location: " loc)
	}
	{ print }' "$SOURCES" > "$LIST"
OUT=$W/chain
# the make of the scratch list (a command, for /usr/bin/time)
MK="$MAKE --no-print-directory -s -j$JOBS SOURCES=$LIST OUT=$OUT catalog"

# measure RUN NAME CMD...: one timed run; exit status 0 or 1 is a full run
measure() {
	run=$1 name=$2; shift 2
	/usr/bin/time -f '%e %U %S %M' -o "$W/tmp/time" "$@" >/dev/null 2>"$W/tmp/err"
	rc=$?
	if [ $rc -gt 1 ]; then
		echo "bench: $name failed (exit $rc):" >&2
		tail -n 5 "$W/tmp/err" >&2
		exit 1
	fi
	tail -n 1 "$W/tmp/time" | awk -v r="$run" -v n="$name" '{ print r, n, $1, $2, $3, $4 }' >> "$M"
}
# measure_sh RUN NAME 'shell text'
measure_sh() { r=$1 n=$2; shift 2; measure "$r" "$n" sh -c "$1"; }

sources=$(awk '/^ *- name:/ { print $3 }' "$LIST")
vendor_of() { awk -v s="$1" '/^ *- name:/ { n = $3 } /^ *vendor:/ && n == s { print $2; exit }' "$LIST"; }
rule_sources=
for s in $sources; do [ "$(vendor_of "$s")" = attack ] || rule_sources="$rule_sources $s"; done
archive_of() { sed "s/^.* '\([^']*\)'\$/\1/" "$OUT/cmd/$1.cmd"; }

# the one rule the scenario edits: a process-creation rule's first endswith value
prepare_sigma_edit() {
	d=$W/tmp/sigma-x
	rm -rf "$d" && mkdir -p "$d" && bsdtar -xf "$sigma_orig" -C "$d" || exit 1
	f=$(cd "$d" && ls */rules/windows/process_creation/proc_creation_win_*.yml | head -n 1)
	edited_rule=$f
	cp "$sigma_orig" "$W/lists/sigma-orig.tar.gz"
	awk 'done != 1 && /\|endswith:/ { print; getline; sub(/\x27$/, "x\x27"); done = 1 } { print }' \
		"$d/$f" > "$d/$f.new" && mv "$d/$f.new" "$d/$f"
	top=$(cd "$d" && ls)
	bsdtar -czf "$W/lists/sigma-edited.tar.gz" -C "$d" "$top" || exit 1
	rm -rf "$d"
}
prepare_sigma_edit

run=1
while [ $run -le "$RUNS" ]; do
	echo "bench: run $run of $RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
	rm -rf "$OUT"
	cp "$W/lists/sigma-orig.tar.gz" "$SIGMA"
	# ---- the chain, fresh; then make again (nothing to do) ----
	measure $run chain $MK
	measure $run noop $MK
	# ---- each stage alone, on the chain's inputs ----
	S=$W/st
	rm -rf "$S" && mkdir -p "$S"
	for s in $sources; do
		eval "set -- $(cat "$OUT/cmd/$s.cmd")"
		measure $run "fetch.$s" "$BIN/detcat-fetch-unpack" "$@" -o "$S/$s.raw.zst"
	done
	for s in $rule_sources; do
		measure $run "normalize.$s" "$BIN/detcat-normalize" --mappings mappings "$OUT/raw/$s.ndjson.zst" -o "$S/$s.rules.zst"
	done
	measure $run attack "$BIN/detcat-attack" "$OUT/raw/attack.ndjson.zst" -o "$S/attack.zst"
	for s in $rule_sources; do
		measure $run "tag.$s" "$BIN/detcat-tag" --attack "$OUT/attack.ndjson.zst" --events mappings/events.yaml \
			"$OUT/rules/$s.ndjson.zst" -o "$S/$s.tagged.zst"
	done
	tagged=
	for s in $rule_sources; do tagged="$tagged $OUT/tagged/$s.ndjson.zst"; done
	records=
	for s in $sources; do records="$records --sources $OUT/raw/$s.source.json"; done
	measure $run aggregate "$BIN/detcat-aggregate" --attack "$OUT/attack.ndjson.zst" $records $tagged -o "$S/catalog.zst"
	measure $run report "$BIN/detcat-report" -o "$S/site" "$OUT/catalog.ndjson.zst"
	measure $run report.same "$BIN/detcat-report" -o "$S/site" "$OUT/catalog.ndjson.zst"
	# ---- floors ----
	for s in $sources; do
		a=$(archive_of "$s")
		case $a in
		*.zst) measure_sh $run "floor.unpack.$s" "zstd -dc '$a' >/dev/null" ;;
		*) measure_sh $run "floor.unpack.$s" "bsdtar -xOf '$a' >/dev/null" ;;
		esac
	done
	for s in $rule_sources; do
		measure_sh $run "floor.zstd.normalize.$s" "zstd -dc '$OUT/raw/$s.ndjson.zst' >/dev/null"
		measure_sh $run "floor.zstd.tag.$s" "zstd -dc '$OUT/rules/$s.ndjson.zst' >/dev/null"
		case $(vendor_of "$s") in
		sigma|splunk|kusto) measure $run "floor.yaml.$s" "$BUILD/tests/yaml-parse" "$OUT/raw/$s.ndjson.zst" ;;
		esac
	done
	measure_sh $run floor.zstd.attack "zstd -dc '$OUT/raw/attack.ndjson.zst' >/dev/null"
	measure_sh $run floor.zstd.aggregate "zstd -dc $tagged >/dev/null"
	measure_sh $run floor.zstd.report "zstd -dc '$OUT/catalog.ndjson.zst' >/dev/null"
	rm -rf "$S/site-copy"
	measure $run floor.cp "cp" -r "$OUT/site" "$S/site-copy"
	rm -rf "$S/site-copy"
	# ---- scenarios: one Sigma rule edited; Sigma replaced by its older release ----
	touch "$W/tmp/stamp"
	sleep 1	# file times of the pages rewritten must be newer than the stamp
	cp "$W/lists/sigma-edited.tar.gz" "$SIGMA"
	measure $run one-rule $MK
	if [ $run -eq 1 ]; then
		(cd "$OUT/site" && find . -type f -newer "$W/tmp/stamp" | sed 's|^\./||' | sort) > "$W/one-rule.pages"
	fi
	cp "$CORP/sigma-r2026-04-01.tar.gz" "$SIGMA"
	measure $run older-release $MK
	run=$((run + 1))
done

# ---- sizes, counts, the table, the JSON ----
C=$W/counts.tsv	# name rules bytes
: > "$C"
zlines() { zstd -dc "$@" | wc -l; }
zbytes() { zstd -dc "$@" | wc -c; }
rm -rf "$OUT" && cp "$W/lists/sigma-orig.tar.gz" "$SIGMA" && $MK >/dev/null 2>&1 || exit 1
total_rules=$(zstd -dc "$OUT/catalog.ndjson.zst" | grep -c '^{"kind":"rule"')
unpacked=0
for s in $sources; do
	a=$(archive_of "$s")
	case $a in *.zst) b=$(zstd -dc "$a" | wc -c) ;; *) b=$(bsdtar -xOf "$a" | wc -c) ;; esac
	unpacked=$((unpacked + b))
	n=0
	[ "$(vendor_of "$s")" = attack ] || n=$(zlines "$OUT/rules/$s.ndjson.zst")
	echo "fetch.$s $n $b" >> "$C"
	echo "floor.unpack.$s $n $b" >> "$C"
done
for s in $rule_sources; do
	n=$(zlines "$OUT/rules/$s.ndjson.zst")
	echo "normalize.$s $n $(zbytes "$OUT/raw/$s.ndjson.zst")" >> "$C"
	echo "tag.$s $n $(zbytes "$OUT/rules/$s.ndjson.zst")" >> "$C"
done
echo "attack 0 $(zbytes "$OUT/raw/attack.ndjson.zst")" >> "$C"
echo "aggregate $total_rules $(zbytes $tagged)" >> "$C"
echo "report $total_rules $(zbytes "$OUT/catalog.ndjson.zst")" >> "$C"
echo "report.same $total_rules $(zbytes "$OUT/catalog.ndjson.zst")" >> "$C"
echo "chain $total_rules $unpacked" >> "$C"
site_files=$(find "$OUT/site" -type f | wc -l)
site_bytes=$(du -sb "$OUT/site" | cut -f1)

name=${BENCH_NAME:-$(git rev-parse --short HEAD 2>/dev/null || echo local)-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p out/bench
json=out/bench/$name.json
[ -f "$W/one-rule.pages" ] || : > "$W/one-rule.pages"
awk -v runs="$RUNS" -v C="$C" -v name="$name" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    -v commit="$(git rev-parse HEAD 2>/dev/null)" -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    -v list="$SOURCES" -v files="$site_files" -v sbytes="$site_bytes" -v edited="$edited_rule" \
    -v pages="$W/one-rule.pages" -v rule_sources="$rule_sources" -v sources="$sources" '
function median(key,    n, i, j, t, a) {
	n = split(vals[key], a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function add(key, v) { vals[key] = (key in vals) ? vals[key] " " v : v }
FILENAME == C { rules[$1] = $2; bytes[$1] = $3; next }
{
	if (!($2 in seen)) { seen[$2] = 1; order[++norder] = $2 }
	add($2 ",wall", $3); add($2 ",cpu", $4 + $5); add($2 ",rss", $6 / 1024)
}
function stat(n) { W[n] = median(n ",wall"); CPU[n] = median(n ",cpu"); RSS[n] = median(n ",rss") }
# a sum of stages (the per-source ones): wall and CPU add up, RSS is the largest
function group(g, members,    m, k, i) {
	m = split(members, k, " "); W[g] = CPU[g] = RSS[g] = 0; rules[g] = bytes[g] = 0
	for (i = 1; i <= m; i++) {
		W[g] += W[k[i]]; CPU[g] += CPU[k[i]]; if (RSS[k[i]] > RSS[g]) RSS[g] = RSS[k[i]]
		rules[g] += rules[k[i]]; bytes[g] += bytes[k[i]]
	}
	order[++norder] = g
}
function members(prefix, list,    m, k, i, s) {
	m = split(list, k, " "); s = ""
	for (i = 1; i <= m; i++) if ((prefix k[i]) in W) s = s " " prefix k[i]
	return s
}
END {
	for (i = 1; i <= norder; i++) stat(order[i])
	group("fetch", members("fetch.", sources))
	group("normalize", members("normalize.", rule_sources))
	group("tag", members("tag.", rule_sources))
	group("floor.unpack", members("floor.unpack.", sources))
	group("floor.zstd.normalize", members("floor.zstd.normalize.", rule_sources))
	group("floor.zstd.tag", members("floor.zstd.tag.", rule_sources))
	group("floor.yaml", members("floor.yaml.", rule_sources))
	W["floor.chain"] = W["floor.unpack"] + W["floor.cp"]; order[++norder] = "floor.chain"
	# stage: its floor, and the target of issue 16 (a ratio to the floor, or seconds)
	fl["chain"] = "floor.chain"; tr["chain"] = 1.5
	fl["fetch"] = "floor.unpack"
	fl["normalize"] = "floor.yaml"
	fl["tag"] = "floor.zstd.tag"
	fl["attack"] = "floor.zstd.attack"
	fl["aggregate"] = "floor.zstd.aggregate"; ts["aggregate"] = 0.5
	fl["report"] = "floor.cp"; tr["report"] = 1.2
	fl["report.same"] = "floor.cp"
	ts["noop"] = 0.05; ts["one-rule"] = 0.5; ts["older-release"] = 1.5
	for (i = 1; i <= norder; i++) {
		n = order[i]; s = n; sub(/\..*/, "", s)
		if (n ~ /^(fetch|normalize|tag)\./) fl[n] = (s == "normalize" ? "floor.yaml." : s == "fetch" ? "floor.unpack." : "floor.zstd.tag.") substr(n, length(s) + 2)
		if (fl[n] != "" && !(fl[n] in W)) fl[n] = ""
	}
	printf "bench: %s, %d runs, medians (load at the end %s)\n", list, runs, load
	printf "  %-30s %8s %8s %8s %9s %8s  %-22s %7s  %s\n", "stage", "wall s", "cpu s", "rss MB", "rules/s", "MB/s", "floor", "ratio", "target"
	for (i = 1; i <= norder; i++) {
		n = order[i]
		if (n ~ /^floor\./) continue
		rs = (n in rules) && W[n] > 0 && rules[n] > 0 ? sprintf("%9.0f", rules[n] / W[n]) : sprintf("%9s", "")
		mbs = (n in bytes) && W[n] > 0 && bytes[n] > 0 ? sprintf("%8.1f", bytes[n] / W[n] / 1e6) : sprintf("%8s", "")
		ratio = fl[n] != "" && W[fl[n]] > 0 ? W[n] / W[fl[n]] : 0
		target = ""; miss = ""
		if (n in tr) { target = sprintf("<= %.1fx", tr[n]); if (ratio > tr[n]) miss = "  MISSED" }
		if (n in ts) { target = sprintf("<= %.2f s", ts[n]); if (W[n] > ts[n]) miss = "  MISSED" }
		if ((n in RSS) && n !~ /^(chain|noop|one-rule|older-release|fetch|normalize|tag)$/ && RSS[n] > 150) { miss = miss "  RSS>150" }
		printf "  %-30s %8.3f %8.3f %8.1f %s %s  %-22s %7s  %s%s\n", n, W[n], CPU[n], RSS[n], rs, mbs,
			fl[n], ratio ? sprintf("%.2fx", ratio) : "", target, miss
	}
	printf "  floors:\n"
	for (i = 1; i <= norder; i++) {
		n = order[i]
		if (n !~ /^floor\./) continue
		mbs = (n in bytes) && W[n] > 0 && bytes[n] > 0 ? sprintf("%8.1f MB/s", bytes[n] / W[n] / 1e6) : ""
		printf "  %-30s %8.3f %8.3f %8.1f %s\n", n, W[n], CPU[n], RSS[n], mbs
	}
	printf "  (/usr/bin/time counts in 10 ms: a floor under 0.01 s gives no ratio)\n"
	printf "  site: %d files, %.1f MB; one changed rule (%s) rewrote %d files\n", files, sbytes / 1e6, edited, npages_count()
	# the JSON: stable keys, sorted stage names
	out = "{\"name\":\"" name "\",\"commit\":\"" commit "\",\"date\":\"" date "\",\"sources\":\"" list "\",\"runs\":" runs ",\"load\":\"" load "\","
	out = out "\"site\":{\"files\":" files ",\"bytes\":" sbytes "},\"stages\":{"
	m = 0
	for (i = 1; i <= norder; i++) keys[++m] = order[i]
	for (i = 2; i <= m; i++) for (j = i; j > 1 && keys[j - 1] > keys[j]; j--) { t = keys[j]; keys[j] = keys[j - 1]; keys[j - 1] = t }
	for (i = 1; i <= m; i++) {
		n = keys[i]
		out = out (i > 1 ? "," : "") "\"" n "\":{\"wall\":" sprintf("%.4f", W[n]) ",\"cpu\":" sprintf("%.4f", CPU[n]) ",\"rss_mb\":" sprintf("%.1f", RSS[n])
		if ((n in rules) && rules[n] != "") out = out ",\"rules\":" rules[n] + 0 ",\"bytes\":" bytes[n] + 0
		if (fl[n] != "" && W[fl[n]] > 0) out = out ",\"floor\":\"" fl[n] "\",\"ratio\":" sprintf("%.3f", W[n] / W[fl[n]])
		out = out "}"
	}
	out = out "},\"one_rule\":{\"edited\":\"" edited "\",\"pages\":["
	for (i = 1; i <= npages; i++) out = out (i > 1 ? "," : "") "\"" page[i] "\""
	print out "]}}" > "/dev/stderr"
}
function npages_count(    line) {
	npages = 0
	while ((getline line < pages) > 0) page[++npages] = line
	return npages
}' "$C" "$M" 2>"$json.tmp" || exit 1
jq -S . "$json.tmp" > "$json" && rm -f "$json.tmp" || exit 1
echo "  pages rewritten by the one-rule rebuild:"
sed 's/^/    /' "$W/one-rule.pages" | head -n 20
echo "bench: wrote $json"
