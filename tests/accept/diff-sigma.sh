#!/bin/sh
# diff-sigma.sh BIN BUILD CORPORA: detcat-diff on the two Sigma releases of
# CORPORA (r2026-04-01 → r2026-07-01), each built by our chain into a snapshot
# folder (catalog + tagged rules), against counts computed independently by a
# small Python script that reads the two archives itself (PyYAML, none of our
# code): a rule is a YAML document with an `id` and a `detection`; added and
# removed by id, changed when the parsed detection blocks differ. Our `logic`
# and `text` changes together are the rules whose detection changed (Sigma's
# query is its detection block); the uid sets must be equal, not only their
# sizes. Uids `ID#N` are the later documents of a multi-document rule file,
# which the script does not count as rules of their own: left out of both.
# Then the cross-vendor case: the same Elastic source in both catalogs and the
# Sigma source replaced by its older release gives Sigma's changes only.
BIN=$1 BUILD=$2 CORPORA=$3
. "$(dirname "$0")/../lib.sh"
skip_without "$CORPORA" accept-diff-sigma
if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "accept-diff-sigma: skipped: python3 with PyYAML is absent"
	echo "accept-diff-sigma: 0 passed, 0 failed"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
OLD=sigma-r2026-04-01 NEW=sigma-r2026-07-01

"$BIN/detcat-fetch-unpack" -s attack -V attack "$CORPORA/enterprise-attack-18.1.json.zst" -o "$tmp/attack.raw.zst" &&
	"$BIN/detcat-attack" "$tmp/attack.raw.zst" -o "$tmp/attack.zst"
check "the ATT&CK table" $? "failed"
# snapshot FOLDER SOURCE ARCHIVE VENDOR: raw → rules → tagged/SOURCE, as make does
tagged() {
	mkdir -p "$1/tagged" &&
	"$BIN/detcat-fetch-unpack" -s "$2" -V "$4" "$3" -o "$tmp/$2.raw.zst" &&
	{ "$BIN/detcat-normalize" "$tmp/$2.raw.zst" -o "$tmp/$2.rules.zst" 2>/dev/null; [ $? -le 1 ]; } &&
	"$BIN/detcat-tag" --attack "$tmp/attack.zst" --events mappings/events.yaml "$tmp/$2.rules.zst" \
		-o "$1/tagged/$2.ndjson.zst"
}
aggregate() {
	"$BIN/detcat-aggregate" --attack "$tmp/attack.zst" "$1"/tagged/*.ndjson.zst -o "$1/catalog.ndjson.zst"
}
tagged "$tmp/old" sigma "$CORPORA/$OLD.tar.gz" sigma && aggregate "$tmp/old" &&
	tagged "$tmp/new" sigma "$CORPORA/$NEW.tar.gz" sigma && aggregate "$tmp/new"
check "the two Sigma snapshots" $? "failed"

"$BIN/detcat-diff" "$tmp/old" "$tmp/new" > "$tmp/diff.ndjson"; rc=$?
[ $rc -eq 1 ]; check "differences: exit status 1" $? "exit $rc"
"$BIN/detcat-diff" "$tmp/old" "$tmp/new" > "$tmp/diff2.ndjson"
cmp -s "$tmp/diff.ndjson" "$tmp/diff2.ndjson"; check "byte-identical across runs" $? "outputs differ"
"$BUILD/tests/schema-check" schema/change.schema.json "$tmp/diff.ndjson" > "$tmp/schema" 2>&1
check "every record fits schema/change.schema.json" $? "$(head -n 3 "$tmp/schema")"
"$BIN/detcat-diff" "$tmp/old" "$tmp/old" > "$tmp/same.ndjson"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/same.ndjson" ]; check "a snapshot against itself: nothing, exit 0" $? "exit $rc"

# the independent count: rule ids and detection blocks, file by file
cat > "$tmp/count.py" <<'PY'
import sys, tarfile, yaml
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
def rules(path):
    out = {}
    with tarfile.open(path) as t:
        for m in t:
            if not m.isfile() or not m.name.endswith((".yml", ".yaml")):
                continue
            try:
                docs = list(yaml.load_all(t.extractfile(m).read().decode("utf-8"), Loader=Loader))
            except Exception:
                continue
            for d in docs:
                if isinstance(d, dict) and "id" in d and "detection" in d:
                    out.setdefault(str(d["id"]), d["detection"])
    return out
a, b = rules(sys.argv[1]), rules(sys.argv[2])
for kind, ids in (("added", set(b) - set(a)), ("removed", set(a) - set(b)),
                  ("detection", {i for i in set(a) & set(b) if a[i] != b[i]})):
    for i in sorted(ids):
        print(kind, "sigma:" + i)
PY
python3 "$tmp/count.py" "$CORPORA/$OLD.tar.gz" "$CORPORA/$NEW.tar.gz" | sort > "$tmp/want"
check "the independent count ran" $? "python3 failed"
jq -r 'select(.uid and (.uid | contains("#") | not))
	| if .change == "changed" then (if any(.aspects[]; . == "logic" or . == "text") then "detection \(.uid)" else empty end)
	  elif .change == "added" or .change == "removed" then "\(.change) \(.uid)" else empty end' \
	"$tmp/diff.ndjson" | sort > "$tmp/got"
for kind in added removed detection; do
	w=$(grep -c "^$kind " "$tmp/want") g=$(grep -c "^$kind " "$tmp/got")
	grep "^$kind " "$tmp/want" > "$tmp/w.$kind"; grep "^$kind " "$tmp/got" > "$tmp/g.$kind"
	cmp -s "$tmp/w.$kind" "$tmp/g.$kind"
	check "$kind: $g rules, the same as the archives say ($w)" $? "$(diff "$tmp/w.$kind" "$tmp/g.$kind" | head -n 4 | tr '\n' ' ')"
done
logic=$(jq -r 'select(.change == "changed" and any(.aspects[]; . == "logic")) | .uid' "$tmp/diff.ndjson" | wc -l)
text=$(jq -r 'select(.change == "changed" and any(.aspects[]; . == "text")) | .uid' "$tmp/diff.ndjson" | wc -l)
echo "     (of which logic $logic, query text only $text)"

# cross-vendor: the same Elastic source beside each Sigma release
tagged "$tmp/elastic" elastic "$CORPORA/elastic-detection-rules-2026-08-21.zip" elastic &&
	cp "$tmp/elastic/tagged/elastic.ndjson.zst" "$tmp/old/tagged/" &&
	cp "$tmp/elastic/tagged/elastic.ndjson.zst" "$tmp/new/tagged/" &&
	aggregate "$tmp/old" && aggregate "$tmp/new"
check "the two catalogs with Elastic beside Sigma" $? "failed"
"$BIN/detcat-diff" "$tmp/old" "$tmp/new" > "$tmp/mixed.ndjson"
other=$(jq -r 'select(.uid and .vendor != "sigma") | .uid' "$tmp/mixed.ndjson" | head -n 3)
[ -z "$other" ]; check "cross-vendor: rule changes are Sigma's only" $? "also $other"
other=$(jq -r 'select(.change == "technique") | select(((.rules.before.by_vendor | del(.sigma)) != (.rules.after.by_vendor | del(.sigma)))) | .id' \
	"$tmp/mixed.ndjson" | head -n 3)
[ -z "$other" ]; check "cross-vendor: technique counts change for Sigma only" $? "$other"
jq -s -e 'map(select(.change == "corpus"))[0] | .by_vendor.before.elastic > 0 and .by_vendor.before.elastic == .by_vendor.after.elastic' \
	"$tmp/mixed.ndjson" >/dev/null
check "cross-vendor: the Elastic total is the same" $? "it changed"
jq -r 'select(.uid)' "$tmp/mixed.ndjson" > "$tmp/m.rules"; jq -r 'select(.uid)' "$tmp/diff.ndjson" > "$tmp/s.rules"
cmp -s "$tmp/m.rules" "$tmp/s.rules"; check "cross-vendor: the same rule records as Sigma alone" $? "they differ"
"$BIN/detcat-diff" --vendor elastic "$tmp/old" "$tmp/new" > "$tmp/el.ndjson"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/el.ndjson" ]; check "cross-vendor: --vendor elastic finds nothing (exit 0)" $? "exit $rc"
# a figure, not an assertion (benchmarks time things): the two catalogs, time and memory
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f "%e %M" "$BIN/detcat-diff" "$tmp/old/catalog.ndjson.zst" "$tmp/new/catalog.ndjson.zst" \
		> /dev/null 2> "$tmp/time"
	echo "     (diff of the two catalogs: $(tail -n 1 "$tmp/time" | awk '{ printf "%s s, %d MB peak", $1, $2 / 1024 }'))"
fi
finish accept-diff-sigma
