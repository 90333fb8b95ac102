#!/bin/sh
# upstream.sh BIN: the nightly build from upstream, offline, against a local HTTP
# server (tests/http/server.py) serving archives of our fixtures. A source whose
# fetch fails keeps its last good raw file and is flagged stale (its record, the
# corpus record, the index), the build goes to the end, make exits non-zero; a
# source that never fetched is an error. First detcat-fetch-unpack --record alone,
# then the whole make chain.
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top"
tmp=$(mktemp -d)
set_name=upstreamtest-$$
. tests/lib.sh
mkdir -p "$tmp/root" "$tmp/src/sigma-master" "$tmp/out"
cp -R fixtures/sigma/rules "$tmp/src/sigma-master/rules"
(cd "$tmp/src" && bsdtar -czf "$tmp/root/sigma.tar.gz" sigma-master)
cp fixtures/attack/enterprise-attack-mini.json "$tmp/root/attack.json"
python3 "$here/server.py" "$tmp/root" "$tmp/port" "$tmp/log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp" "$top/out/$set_name"' EXIT
i=0
while [ ! -f "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
base=http://127.0.0.1:$(cat "$tmp/port")

# ---- detcat-fetch-unpack --record ----
out=$tmp/out/sigma.zst rec=$tmp/out/sigma.source.json
fu() { "$BIN/detcat-fetch-unpack" --source sigma --vendor sigma --record "$rec" "$@" -o "$out" 2>"$tmp/err"; }
fu "$base/etag/sigma.tar.gz"; rc=$?
[ $rc -eq 0 ] && jq -e '.kind == "source" and .name == "sigma" and .stale == false and .files > 0 and
	(.fetched | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))' "$rec" >/dev/null
check "a good fetch writes the source's record: files, when fetched, not stale (rc $rc)" $? "$(cat "$rec")"
grep -q "^detcat-fetch-unpack: sigma: $base/etag/sigma.tar.gz: fetched, [0-9,]* bytes, $(jq -r .files "$rec") files$" "$tmp/err"
check "and prints one summary line: bytes and files" $? "$(cat "$tmp/err")"
fetched=$(jq -r .fetched "$rec")
cp "$out" "$tmp/good.zst"
sleep 1.1
before=$(stat -c %Y "$rec")
fu "$base/etag/sigma.tar.gz"; rc=$?
[ $rc -eq 0 ] && [ "$(stat -c %Y "$rec")" = "$before" ]
check "a 304 leaves the record as it was (nothing downstream re-runs)" $?
mv "$tmp/root/sigma.tar.gz" "$tmp/sigma.tar.gz.away"
fu "$base/etag/sigma.tar.gz"; rc=$?
[ $rc -eq 1 ] && cmp -s "$out" "$tmp/good.zst" && jq -e --arg f "$fetched" '.stale == true and .fetched == $f and .error' "$rec" >/dev/null &&
	grep -q "sigma: fetch failed: keeping the raw file of its last good fetch, $fetched (stale)" "$tmp/err"
check "a failed fetch keeps the last good raw file, marks the source stale with its last good date, exit 1 (rc $rc)" $? "$(cat "$tmp/err")"
mv "$tmp/sigma.tar.gz.away" "$tmp/root/sigma.tar.gz"
fu "$base/etag/sigma.tar.gz"; rc=$?
[ $rc -eq 0 ] && jq -e '.stale == false' "$rec" >/dev/null
check "the next good fetch clears the stale flag (rc $rc)" $?
rec=$tmp/out/never.source.json out=$tmp/out/never.zst
fu "$base/etag/never.tar.gz"; rc=$?
[ $rc -eq 2 ] && [ ! -e "$out" ] && grep -q "never fetched before" "$tmp/err"
check "a source that never fetched is an error, exit 2 (rc $rc)" $?

# ---- the make chain: one source goes down, the build goes on, make fails at the end ----
list=$tmp/$set_name.yaml
cat > "$list" <<LIST
sources:
  - name: sigma
    vendor: sigma
    location: $base/etag/sigma.tar.gz
  - name: attack
    vendor: attack
    location: $base/etag/attack.json
LIST
mk() { make --no-print-directory SOURCES="$list" BIN="$BIN" catalog 2>&1; }
mk > "$tmp/make1"; rc=$?
[ $rc -eq 0 ] && grep -q "^site: out/$set_name/site/index.html" "$tmp/make1"
check "upstream build from the local server: exit 0, says where the site is (rc $rc)" $? "$(tail -n 5 "$tmp/make1")"
mv "$tmp/root/sigma.tar.gz" "$tmp/sigma.tar.gz.away"
sleep 1.1
mk > "$tmp/make2"; rc=$?
o=out/$set_name
[ $rc -ne 0 ] && grep -q "^site: $o/site/index.html" "$tmp/make2" &&
	grep -q "make: stale sources: sigma " "$tmp/make2"
check "sigma unreachable: the build goes to the end, then make exits non-zero naming it (rc $rc)" $? "$(tail -n 5 "$tmp/make2")"
zstdcat "$o/catalog.ndjson.zst" | jq -e --arg f "$(jq -r .fetched "$o/raw/sigma.source.json")" 'select(.kind == "corpus") |
	.sources[] | select(.name == "sigma") | .stale == true and .fetched == $f and .rules > 0' >/dev/null
check "the corpus record flags sigma stale with its last good fetch, its rules kept" $?
grep -q '<td class="status-failed">stale</td>' "$o/site/index.html" && grep -q '1 source is stale' "$o/site/index.html"
check "the index flags it stale" $?
mk > "$tmp/make3"; rc=$?
[ $rc -ne 0 ] && grep -q "make: stale sources: sigma " "$tmp/make3"
check "every later make says so again while it stays stale (rc $rc)" $?
mv "$tmp/sigma.tar.gz.away" "$tmp/root/sigma.tar.gz"
mk > "$tmp/make4"; rc=$?
[ $rc -eq 0 ] && ! grep -q '<td class="status-failed">stale</td>' "$o/site/index.html"
check "back up: exit 0 and the flag is gone (rc $rc)" $? "$(tail -n 5 "$tmp/make4")"

finish http-upstream
