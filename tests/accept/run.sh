#!/bin/sh
# run.sh BIN BUILD CORPORA: detcat-fetch-unpack over every archive of the real
# corpora. Checks, per archive: exit status 0; the record count equals the file
# count that CORPORA/README.md gives; paths sorted; two runs byte-identical; every
# record valid against schema/raw-file.schema.json; the sha256 of every file of
# 200 bytes or more listed in CORPORA/FILES.sha256 (digests taken upstream,
# independently of this tool).
BIN=$1 BUILD=$2 CORPORA=$3
. "$(dirname "$0")/../lib.sh"
skip_without "$CORPORA" accept
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# archive, vendor, expected regular files (from the corpora README), binary files
while read -r archive vendor want binaries; do
	f=$CORPORA/$archive
	if [ ! -f "$f" ]; then
		check "$archive" 1 "missing"
		continue
	fi
	"$BIN/detcat-fetch-unpack" --source accept --vendor "$vendor" "$f" -o "$tmp/a.zst" 2>"$tmp/stderr"; rc=$?
	# an archive with binary files (images) exits 1: those records carry an error
	[ "$rc" -eq "$([ "$binaries" -gt 0 ] && echo 1 || echo 0)" ]
	check "$archive: exit status" $? "exit $rc: $(head -n 2 "$tmp/stderr")"
	n=$(zstd -dc "$tmp/a.zst" | wc -l)
	[ "$n" -eq "$want" ]; check "$archive: $want records" $? "got $n"
	zstd -dc "$tmp/a.zst" | jq -r .path > "$tmp/paths"
	LC_ALL=C sort -c "$tmp/paths" 2>/dev/null; check "$archive: sorted by path" $? "not sorted"
	"$BIN/detcat-fetch-unpack" --source accept --vendor "$vendor" "$f" -o "$tmp/b.zst" 2>/dev/null
	cmp -s "$tmp/a.zst" "$tmp/b.zst"; check "$archive: byte-identical across runs" $? "outputs differ"
	zstd -dc "$tmp/a.zst" | "$BUILD/tests/schema-check" schema/raw-file.schema.json 2>"$tmp/schema.err"
	check "$archive: schema" $? "$(head -n 3 "$tmp/schema.err")"
	# FILES.sha256 lists every file of 200 bytes or more inside the archives
	if [ "$vendor" != attack ]; then
		zstd -dc "$tmp/a.zst" | jq -r 'select(.bytes >= 200) | .sha256' | sort -u > "$tmp/ours"
		bad=$(sort -u "$CORPORA/FILES.sha256" | comm -23 "$tmp/ours" - | wc -l)
		[ "$bad" -eq 0 ] && [ -s "$tmp/ours" ]
		check "$archive: digests of files >= 200 bytes listed in FILES.sha256" $? "$bad digests unknown"
	fi
	zstd -dc "$tmp/a.zst" | jq -r 'select(.error != null) | .path' > "$tmp/errors"
	bad=$(grep -c -v '\.png$' "$tmp/errors")
	[ "$bad" -eq 0 ] && [ "$(wc -l < "$tmp/errors")" -eq "$binaries" ] && [ "$(wc -l < "$tmp/stderr")" -eq "$binaries" ]
	check "$archive: errors only on its $binaries binary files, one message each" $? "$(head -n 3 "$tmp/errors")"
done <<LIST
sigma-r2026-04-01.tar.gz sigma 4037 0
sigma-r2026-07-01.tar.gz sigma 4058 0
elastic-detection-rules-2026-08-21.zip elastic 2197 0
splunk-security-content-2024-10-24.tar.gz splunk 2367 0
kusto-sentinel-sample-2026.tar.gz kusto 200 0
kusto-bertjanp-2026-04-13.tar.gz kusto 503 3
enterprise-attack-18.1.json.zst attack 1 0
LIST
# the ATT&CK bundle comes out as one JSON text, named without .zst
zstd -dc "$CORPORA/enterprise-attack-18.1.json.zst" | sha256sum | cut -c1-64 > "$tmp/want"
"$BIN/detcat-fetch-unpack" --source attack --vendor attack "$CORPORA/enterprise-attack-18.1.json.zst" \
	| zstd -dc | jq -r '.path, .sha256, (.text | fromjson | .type)' > "$tmp/got"
printf 'enterprise-attack-18.1.json\n%s\nbundle\n' "$(cat "$tmp/want")" | cmp -s - "$tmp/got"
check "attack bundle: path, digest and JSON text" $? "$(tr '\n' ' ' < "$tmp/got")"
# the compact ATT&CK table of 18.1: counts from the bundle (see the corpora README)
"$BIN/detcat-fetch-unpack" --source attack --vendor attack "$CORPORA/enterprise-attack-18.1.json.zst" -o "$tmp/attack.raw.zst"
"$BIN/detcat-attack" "$tmp/attack.raw.zst" -o "$tmp/attack.zst"; rc=$?
[ $rc -eq 0 ]; check "attack table: exit status" $? "exit $rc"
zstd -dc "$tmp/attack.zst" | "$BUILD/tests/schema-check" schema/attack.schema.json 2>"$tmp/schema.err"
check "attack table: every record fits schema/attack.schema.json" $? "$(head -n 3 "$tmp/schema.err")"
got=$(zstd -dc "$tmp/attack.zst" | jq -s -c '[
	(map(select(.kind == "tactic")) | length),
	(map(select(.kind == "technique" and .revoked)) | length),
	(map(select(.kind == "technique" and .id == "T1162"))[0].revoked_by),
	(map(select(.kind == "technique" and .id == "T1073"))[0].revoked_by),
	(map(select(.kind == "technique" and .id == "T1204.001"))[0] | .name, .parent, (.tactics | join(",")))]')
[ "$got" = '[14,132,"T1647","T1574.001","Malicious Link","T1204","execution"]' ]
check "attack table: 14 tactics, 132 revoked, chains resolved, T1204.001 named" $? "$got"
# include/exclude on a real archive: only Sigma's active rule folders
"$BIN/detcat-fetch-unpack" --source s --vendor sigma --include 'rules*/*.yml' --exclude 'rules-placeholder/*' \
	"$CORPORA/sigma-r2026-07-01.tar.gz" | zstd -dc | jq -r .path > "$tmp/paths"
want=$(bsdtar -tf "$CORPORA/sigma-r2026-07-01.tar.gz" | sed 's|^[^/]*/||' | grep -E '^rules[^/]*/.*\.yml$' | grep -v '^rules-placeholder/' | LC_ALL=C sort)
printf '%s\n' "$want" | cmp -s - "$tmp/paths"
check "sigma: --include/--exclude keep exactly the rules*/ .yml files ($(printf '%s\n' "$want" | wc -l))" $? "lists differ"
finish accept
