#!/bin/sh
# normalize.sh BIN BUILD CORPORA: detcat-normalize's time on the raw records of
# the Sigma archive next to a bare libyaml load of the same files (yaml-parse),
# in the same run, best of 5 each; prints both and the ratio (target <= 2x).
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
