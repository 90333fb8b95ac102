#!/bin/sh
# run.sh BIN CORPORA: the differential test of our KQL parser against
# Microsoft's (Kusto.Language, tests/kql-diff/package.json). Installs the
# pinned npm package into tests/kql-diff/node_modules when it is missing
# (from the npm registry, the version package.json pins; part of `make check`),
# normalizes both Kusto archives of CORPORA with our tools and hands the
# records to kql-diff.js, which fails below 98 % (ok of the queries
# Kusto.Language accepts; where-leaf agreement both ways) or when a query it
# rejects is ok here. Prints the disagreements by category, then one result
# line, "kql-diff: N passed, M failed" (a corpus or node missing is a failure,
# never a skip).
BIN=$1 CORPORA=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
fail() {
	echo "kql-diff: $*" >&2
	echo "kql-diff: 0 passed, 1 failed"
	exit 1
}
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
	fail "node and npm are needed (tools/install-deps.sh --node)"
if [ ! -f "$here/node_modules/@kusto/language-service-next/Kusto.Language.Bridge.min.js" ]; then
	(cd "$here" && npm ci --no-audit --no-fund >/dev/null) || fail "npm ci failed"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
count() { if [ "$1" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi; }
for f in "$CORPORA"/kusto-*.tar.gz; do
	[ -f "$f" ] || fail "no Kusto archive in $CORPORA"
	name=$(basename "$f" .tar.gz)
	"$BIN/detcat-fetch-unpack" --source "$name" --vendor kusto "$f" -o "$tmp/raw.zst" 2>/dev/null
	"$BIN/detcat-normalize" --mappings "$top/mappings" "$tmp/raw.zst" -o "$tmp/rules.zst" 2>/dev/null
	zstd -dc "$tmp/rules.zst" | node "$here/kql-diff.js" "$name" --min-ok 98 --min-agree 98 --details 5
	count $?
done
# our own fixtures: the golden KQL cases and the bad inputs (the 1 MB query left out:
# Kusto.Language takes minutes on it; the 10,000-deep parentheses too: Kusto.Language
# accepts them, we refuse past KQL_MAX_DEPTH by design)
: > "$tmp/raw.ndjson"
for f in "$top"/tests/golden/normalize/kusto/*/rule.* "$top"/tests/bad/kql/*.kql "$top"/tests/bad/kql/*.md \
	 "$top"/tests/bad/kql/*.yaml; do
	[ -f "$f" ] || continue
	case $f in
	*.sh) sh "$f" > "$tmp/input"; p=bad/$(basename "$f" .sh) ;;
	*/golden/*) cp "$f" "$tmp/input"; p=$(basename "$(dirname "$f")").${f##*.} ;;
	*) cp "$f" "$tmp/input"; p=bad/$(basename "$f") ;;
	esac
	case $p in *.yaml) p=Detections/$p ;; esac
	jq -cn --rawfile text "$tmp/input" --arg path "$p" \
		'{source: "fixtures", vendor: "kusto", path: $path, sha256: "", bytes: ($text | utf8bytelength), text: $text}' >> "$tmp/raw.ndjson"
done
"$BIN/detcat-normalize" --plain --mappings "$top/mappings" "$tmp/raw.ndjson" 2>/dev/null |
	node "$here/kql-diff.js" fixtures --min-ok 100 --min-agree 100 --details 5
count $?
echo "kql-diff: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
