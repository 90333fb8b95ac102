#!/bin/sh
# fetch.sh BIN CORPORA: time detcat-fetch-unpack over every shared archive (zstd
# output included) next to `bsdtar -xOf ARCHIVE >/dev/null` on the same archives,
# in the same run, best of 5 each; prints both and the ratio.
BIN=$1 CORPORA=$2
[ -d "$CORPORA" ] || { echo "bench-fetch: skipped: $CORPORA is absent"; exit 0; }
archives=$(cd "$CORPORA" && ls *.tar.gz *.zip)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
best() {	# CMD...: best wall time of 5 runs, in seconds
	b=
	for i in 1 2 3 4 5; do
		t0=$(now); "$@"; t1=$(now)
		b=$(echo "$t0 $t1 $b" | awk '{ d = $2 - $1; if ($3 == "" || d < $3) print d; else print $3 }')
	done
	echo "$b"
}
# exit status 1 (records with errors: Bert-JanP ships three PNG images) is a full run
run_ours() {
	for a in $archives; do
		"$BIN/detcat-fetch-unpack" --source b --vendor sigma "$CORPORA/$a" -o "$tmp/out.zst" 2>/dev/null
		[ $? -le 1 ] || { echo "bench-fetch: detcat-fetch-unpack failed on $a" >&2; exit 1; }
	done
}
run_bsdtar() { for a in $archives; do bsdtar -xOf "$CORPORA/$a" >/dev/null || return 1; done; }
bytes=$(for a in $archives; do bsdtar -xOf "$CORPORA/$a"; done | wc -c)
ours=$(best run_ours)
ref=$(best run_bsdtar)
echo "bench-fetch: $(echo $archives | wc -w) archives, $bytes bytes unpacked"
awk -v o="$ours" -v r="$ref" -v b="$bytes" 'BEGIN {
	printf "  bsdtar -xOf >/dev/null          %.3f s  %6.1f MB/s\n", r, b / r / 1e6
	printf "  detcat-fetch-unpack (zstd out)  %.3f s  %6.1f MB/s\n", o, b / o / 1e6
	printf "  ratio                           %.2fx bsdtar (target <= 1.5x)\n", o / r
}'
