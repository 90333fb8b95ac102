#!/bin/sh
# tests/report/run.sh BIN [CATALOG]: checks of detcat-report. BIN is the folder
# holding detcat-report (or the binary itself); CATALOG defaults to the fixtures'
# catalog that `make` writes (out/fixtures/catalog.ndjson.zst).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
bin=${1:?usage: run.sh BIN [CATALOG]}
[ -d "$bin" ] && bin="$bin/detcat-report"
catalog=${2:-out/fixtures/catalog.ndjson.zst}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# every href="X" of every page names a file that exists (fragments and external links aside)
linkcheck() {
	bad=0
	for page in $(find "$1" -name '*.html' | sort); do
		dir=$(dirname "$page")
		for h in $(grep -o 'href="[^"]*"' "$page" | sed 's/^href="//; s/"$//' | sort -u); do
			case $h in
			http://*|https://*|mailto:*|\#*) continue ;;
			esac
			h=${h%%#*}
			if [ ! -f "$dir/$h" ]; then
				echo "  broken link in $page: $h"
				bad=1
			fi
		done
	done
	return $bad
}

"$bin" --version >/dev/null 2>&1; check "version" $?
"$bin" -h | grep -q '^usage: detcat-report'; check "help" $?
"$bin" "$catalog" >/dev/null 2>&1; [ $? -eq 2 ]; check "missing -o is a usage error (2)" $?
"$bin" -o "$tmp/x" "$tmp/absent.ndjson" 2>"$tmp/err"; [ $? -eq 2 ] && grep -q '^detcat-report: ' "$tmp/err"
check "unreadable catalog exits 2 with a message" $?

"$bin" -o "$tmp/a" "$catalog"; check "exit 0 on the catalog" $?
for f in index.html style.css technique/T1204.001.html technique/T1204.001.md technique/T1204.html; do
	[ -s "$tmp/a/$f" ]; check "$f exists" $?
done
n=$(find "$tmp/a/rule" -name '*.html' | wc -l)
want=$(zstdcat -f "$catalog" | jq -c 'select(.kind=="rule")' | wc -l)
[ "$n" -eq "$want" ]; check "one page per rule ($n of $want)" $?
n=$(find "$tmp/a/technique" -name '*.md' | wc -l)
want=$(zstdcat -f "$catalog" | jq -c 'select(.kind=="technique")' | wc -l)
[ "$n" -eq "$want" ]; check "one Markdown page per technique ($n of $want)" $?
ok=0
for s in 'Events covered' 'Fields filtered most' 'Top indicator values' 'Exclusions' 'Rules under this technique' '<details>'; do
	grep -q "$s" "$tmp/a/technique/T1204.001.html" || { echo "  missing: $s"; ok=1; }
done
check "T1204.001 has every section" $ok
# counts on the page against the catalog
ev=$(zstdcat -f "$catalog" | jq -r 'select(.kind=="technique" and .id=="T1204.001") | .events | length')
ind=$(zstdcat -f "$catalog" | jq -r 'select(.kind=="technique" and .id=="T1204.001") | .indicators | length')
grep -q "^$ev catalog event" "$tmp/a/technique/T1204.001.md" &&
	grep -q "^### Top indicator values ($ind distinct)" "$tmp/a/technique/T1204.001.md"
check "T1204.001 counts match the catalog" $?
! grep -rqi '<script' "$tmp/a"; check "no script in the site" $?
linkcheck "$tmp/a"; check "every internal link resolves" $?

"$bin" -o "$tmp/b" "$catalog" && diff -r "$tmp/a" "$tmp/b" >/dev/null
check "deterministic (two runs, same bytes)" $?

# a hostile catalog: markup in every text, uids that try to leave the folder
cat >"$tmp/hostile.ndjson" <<'EOT'
{"kind":"technique","id":"T9999","name":"<script>alert(1)</script>","tactics":["<b>x</b>"],"parent":null,"rules":{"total":2,"by_vendor":{"sigma":1,"<img src=x>":1},"uids":["sigma:../../../evil","x:<script>"]},"events":[{"provider":"<script>p</script>","event":"1","title":"t\"'<","rules":1}],"fields":[{"field":"<script>f","rules":1,"ops":{"<script>":1},"samples":["<script>s</script>"]}],"indicators":[{"field":"a","op":"eq","value":"<script>v</script>","rules":1,"reach":1,"uids":["sigma:../../../evil"]}],"exclusions":[{"field":"a","op":"eq","value":"\"><script>e</script>","rules":1,"uids":["x:<script>"]}]}
{"kind":"technique","id":"../T1","name":"dots","tactics":[],"parent":"T9999","rules":{"total":0,"by_vendor":{},"uids":[]},"events":[],"fields":[],"indicators":[],"exclusions":[]}
{"kind":"rule","uid":"sigma:../../../evil","vendor":"sigma","source":"s","path":"<script>p","title":"<script>x</script>","severity":null,"rule_type":null,"language":null,"techniques":["T9999","<script>"],"tactics":[],"events":[],"parse":{"status":"<script>","errors":[{"message":"<script>m</script>"}]},"attack_issues":["<script>"],"query":"</code></pre><script>q</script>","predicates":[{"field":"<script>","raw_field":"<script>","op":"eq","value":"<script>","raw_value":["<script>"],"selection":"<script>"}]}
{"kind":"rule","uid":"x:<script>","vendor":"<img src=x>","title":null,"parse":{"status":"ok","errors":[]}}
{"kind":"rule","uid":"..","vendor":"sigma","title":"dots"}
{"kind":"corpus","rules":{"total":2,"by_vendor":{"sigma":1,"<img src=x>":1}},"parse":{"<script>":1},"techniques_with_rules":1}
EOT
"$bin" -o "$tmp/h" "$tmp/hostile.ndjson"; check "hostile catalog: exit 0" $?
! grep -rqi '<script\|<img\|<b>' "$tmp/h"; check "hostile catalog: markup escaped" $?
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/h/technique/T9999.html"; check "hostile title shown as text" $?
[ -z "$(find "$tmp" -mindepth 1 -maxdepth 1 ! -name a ! -name b ! -name h ! -name x ! -name err ! -name hostile.ndjson)" ] &&
	[ -z "$(find "$tmp/h" -name '*..*' -o -name '.*' | grep -v '^\.$')" ] &&
	[ "$(find "$tmp/h" -type f | wc -l)" -eq 9 ]
check "hostile uids stay inside the folder, no '..' in names" $?
linkcheck "$tmp/h"; check "hostile catalog: every internal link resolves" $?

finish report
