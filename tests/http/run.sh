#!/bin/sh
# run.sh BIN BUILD: detcat-fetch-unpack against a local HTTP server on 127.0.0.1
# (tests/http/server.py): a first fetch, the 304 path that leaves the output
# byte-identical with its mtime, a change upstream, ETag and Last-Modified
# validators, redirects, a 404, and a single compressed file.
BIN=$1 BUILD=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
. "$(dirname "$0")/../lib.sh"
mkdir -p "$tmp/root" "$tmp/src/repo-main/rules" "$tmp/out"
printf 'title: one\n' > "$tmp/src/repo-main/rules/one.yml"
printf 'title: two\n' > "$tmp/src/repo-main/rules/two.yml"
(cd "$tmp/src" && bsdtar -czf "$tmp/root/repo.tar.gz" repo-main)
printf '{"type":"bundle","objects":[]}' | zstd -q > "$tmp/root/bundle.json.zst"
python3 "$here/server.py" "$tmp/root" "$tmp/port" "$tmp/log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
i=0
while [ ! -f "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
base=http://127.0.0.1:$(cat "$tmp/port")
fetch() {	# URL OUT: fetch with the state file beside OUT
	"$BIN/detcat-fetch-unpack" --source web --vendor sigma "$1" -o "$2" 2>"$tmp/stderr"
}
stamp() { stat -c '%y %s' "$1"; }

for kind in etag lm; do
	out=$tmp/out/$kind.zst
	fetch "$base/$kind/repo.tar.gz" "$out"; rc=$?
	[ $rc -eq 0 ] && [ "$(zstd -dc "$out" | jq -r .path | tr '\n' ' ')" = "rules/one.yml rules/two.yml " ]
	check "$kind: first fetch unpacks both files" $?
	[ -f "$out.http-state" ] && jq -e '.url' "$out.http-state" >/dev/null
	check "$kind: validators kept in OUT.http-state" $?
	before=$(stamp "$out"); cp "$out" "$tmp/copy"
	sleep 1.1
	fetch "$base/$kind/repo.tar.gz" "$out"; rc=$?
	[ $rc -eq 0 ] && [ "$(stamp "$out")" = "$before" ] && cmp -s "$out" "$tmp/copy"
	check "$kind: 304 leaves the output untouched (bytes and mtime)" $?
	tail -n 1 "$tmp/log" | grep -q -- '-> 304$'
	check "$kind: second request was conditional and answered 304" $?
	grep -q 'not modified' "$tmp/stderr"
	check "$kind: says the source was not modified" $?
done

# a change upstream is fetched again
printf 'title: three\n' > "$tmp/src/repo-main/rules/three.yml"
sleep 1.1
(cd "$tmp/src" && bsdtar -czf "$tmp/root/repo.tar.gz" repo-main)
for kind in etag lm; do
	out=$tmp/out/$kind.zst
	fetch "$base/$kind/repo.tar.gz" "$out"
	[ "$(zstd -dc "$out" | wc -l)" -eq 3 ]
	check "$kind: a changed archive is fetched and unpacked again" $?
done

# without the output, the validators are not sent: a full fetch
rm "$tmp/out/etag.zst"
fetch "$base/etag/repo.tar.gz" "$tmp/out/etag.zst"
[ -f "$tmp/out/etag.zst" ] && tail -n 1 "$tmp/log" | grep -q 'inm=- ims=- -> 200$'
check "a missing output is fetched unconditionally" $?

fetch "$base/redirect/etag/repo.tar.gz" "$tmp/out/redir.zst"
[ $? -eq 0 ] && [ "$(zstd -dc "$tmp/out/redir.zst" | wc -l)" -eq 3 ]
check "redirects are followed" $?

fetch "$base/etag/missing.tar.gz" "$tmp/out/missing.zst"; rc=$?
[ $rc -eq 2 ] && [ ! -e "$tmp/out/missing.zst" ] && grep -q 'HTTP status 404' "$tmp/stderr" && [ "$(wc -l < "$tmp/stderr")" -eq 1 ]
check "a 404 is one clear message, exit 2, no output" $?

"$BIN/detcat-fetch-unpack" --source web --vendor sigma "http://127.0.0.1:1/x.tar.gz" -o "$tmp/out/refused.zst" 2>"$tmp/stderr"; rc=$?
[ $rc -eq 2 ] && [ ! -e "$tmp/out/refused.zst" ] && [ "$(wc -l < "$tmp/stderr")" -eq 1 ]
check "a refused connection is one clear message, exit 2" $?

fetch "$base/etag/bundle.json.zst" "$tmp/out/bundle.zst"
[ "$(zstd -dc "$tmp/out/bundle.zst" | jq -r '.path + " " + (.text | fromjson | .type)')" = "bundle.json bundle" ]
check "a single zstd file by URL comes out as one record" $?

fetch "$base/etag/repo.tar.gz" - > "$tmp/stdout.zst"
[ "$(zstd -dc "$tmp/stdout.zst" | wc -l)" -eq 3 ]
check "fetching to standard output works (no state kept)" $?

# faults: the previous raw file and its conditional-GET state stay as they were
fetch "$base/etag/repo.tar.gz" "$tmp/out/fault.zst"
cp "$tmp/out/fault.zst" "$tmp/fault.before"; cp "$tmp/out/fault.zst.http-state" "$tmp/state.before"
for kind in hang reset 500 truncated lying; do
	start=$(date +%s)
	"$BIN/detcat-fetch-unpack" --timeout 3 --source web --vendor sigma "$base/fault/$kind/repo.tar.gz" \
		-o "$tmp/out/fault.zst" 2>"$tmp/stderr"; rc=$?
	secs=$(( $(date +%s) - start ))
	[ $rc -eq 2 ] && [ "$(wc -l < "$tmp/stderr")" -eq 1 ] && grep -q '^detcat-fetch-unpack: ' "$tmp/stderr" &&
		[ $secs -lt 15 ] && cmp -s "$tmp/out/fault.zst" "$tmp/fault.before" &&
		cmp -s "$tmp/out/fault.zst.http-state" "$tmp/state.before" &&
		[ "$(ls "$tmp/out" | grep -c '^fault')" -eq 2 ]
	check "$kind: one message, exit 2 in ${secs}s, the previous output and its state untouched (rc $rc: $(head -c 160 "$tmp/stderr"))" $?
done

finish http
