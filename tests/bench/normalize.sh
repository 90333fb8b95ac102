#!/bin/sh
# normalize.sh BIN BUILD CORPORA: detcat-normalize's time on the raw records of
# the Sigma archive next to a bare libyaml load of the same files (yaml-parse),
# in the same run, best of 5 each; prints both and the ratio (target <= 2x).
# Then the same run times normalize on every other vendor's archive (best of
# 5): rule records per second and MB of raw text per second, beside Sigma's.
BIN=$1 BUILD=$2 CORPORA=$3
archive=$CORPORA/sigma-r2026-07-01.tar.gz
[ -f "$archive" ] || { echo "bench-normalize: skipped: $archive is absent"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$BIN/detcat-fetch-unpack" --source sigma --vendor sigma "$archive" -o "$tmp/raw.zst" || exit 1
now() { date +%s.%N; }
best() {
	b=
	for i in 1 2 3 4 5; do
		t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
		b=$(echo "$t0 $t1 $b" | awk '{ d = $2 - $1; if ($3 == "" || d < $3) print d; else print $3 }')
	done
	echo "$b"
}
ours=$(best "$BIN/detcat-normalize" "$tmp/raw.zst" -o "$tmp/rules.zst")
ref=$(best "$BUILD/tests/yaml-parse" "$tmp/raw.zst")
rules=$(zstd -dc "$tmp/rules.zst" | wc -l)
echo "bench-normalize: sigma-r2026-07-01, $(zstd -dc "$tmp/raw.zst" | wc -l) raw files, $rules rule records"
awk -v o="$ours" -v r="$ref" 'BEGIN {
	printf "  libyaml load of the same files   %.3f s\n", r
	printf "  detcat-normalize (zstd out)      %.3f s\n", o
	printf "  ratio                            %.2fx (target <= 2x)\n", o / r
}'
# throughput per vendor: text bytes of the raw records the front end reads
rate() {	# NAME RAW SECONDS
	n=$(zstd -dc "$2.rules.zst" | wc -l)
	bytes=$(zstd -dc "$2" | jq -r '.bytes' | awk '{ s += $1 } END { print s + 0 }')
	awk -v name="$1" -v t="$3" -v n="$n" -v b="$bytes" 'BEGIN {
		printf "  %-28s %6d rules %7.3f s %8.0f rules/s %6.1f MB/s\n", name, n, t, n / t, b / t / 1e6
	}'
}
echo "bench-normalize: throughput per vendor (best of 5)"
cp "$tmp/rules.zst" "$tmp/raw.zst.rules.zst"
rate "sigma r2026-07-01" "$tmp/raw.zst" "$ours"
for spec in "elastic elastic-detection-rules-2026-08-21.zip" \
	    "splunk splunk-security-content-2024-10-24.tar.gz" \
	    "kusto kusto-sentinel-sample-2026.tar.gz" \
	    "kusto kusto-bertjanp-2026-04-13.tar.gz"; do
	set -- $spec
	f=$CORPORA/$2
	[ -f "$f" ] || { echo "  $2: absent"; continue; }
	r=$tmp/$2.raw.zst
	"$BIN/detcat-fetch-unpack" --source "$1" --vendor "$1" "$f" -o "$r" 2>/dev/null
	t=$(best "$BIN/detcat-normalize" "$r" -o "$r.rules.zst")
	"$BIN/detcat-normalize" "$r" -o "$r.rules.zst" 2>/dev/null
	name=${2%.zip}; rate "$1 ${name%.tar.gz}" "$r" "$t"
done
