#!/bin/sh
# tests/report/run.sh BIN [CATALOG [SCHEMA_CHECK]]: checks of detcat-report. BIN
# is the folder holding detcat-report (or the binary itself); CATALOG defaults to
# the fixtures' catalog that `make` writes (out/fixtures/catalog.ndjson.zst);
# SCHEMA_CHECK to build/default/tests/schema-check.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
bin=${1:?usage: run.sh BIN [CATALOG]}
[ -d "$bin" ] && bin="$bin/detcat-report"
catalog=${2:-out/fixtures/catalog.ndjson.zst}
schema_check=${3:-build/default/tests/schema-check}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# every internal link of every HTML and Markdown page resolves (tests/linkcheck.sh)
linkcheck() { sh "$here/../linkcheck.sh" "$1" >"$tmp/links" 2>&1 || { sed 's/^/  /' "$tmp/links" | tail -n 5; return 1; }; }

"$bin" --version >/dev/null 2>&1; check "version" $?
"$bin" -h | grep -q '^usage: detcat-report'; check "help" $?
"$bin" "$catalog" >/dev/null 2>&1; [ $? -eq 2 ]; check "missing -o is a usage error (2)" $?
"$bin" -o "$tmp/x" "$tmp/absent.ndjson" 2>"$tmp/err"; [ $? -eq 2 ] && grep -q '^detcat-report: ' "$tmp/err"
check "unreadable catalog exits 2 with a message" $?

"$bin" -o "$tmp/a" "$catalog"; check "exit 0 on the catalog" $?
for f in index.html index.md style.css technique/T1204.001.html technique/T1204.001.md technique/T1204.html \
	vendor/sigma.html vendor/sigma.md navigator/all.json navigator/sigma.json navigator/elastic.json navigator/splunk.json \
	navigator/kusto.json; do
	[ -s "$tmp/a/$f" ]; check "$f exists" $?
done
n=$(find "$tmp/a/rule" -name '*.html' | wc -l)
want=$(zstdcat -f "$catalog" | jq -c 'select(.kind=="rule")' | wc -l)
[ "$n" -eq "$want" ]; check "one page per rule ($n of $want)" $?
n=$(find "$tmp/a/rule" -name '*.md' | wc -l)
[ "$n" -eq "$want" ]; check "one Markdown page per rule ($n of $want)" $?
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
# the one script: the index's search, external and deferred (progressive enhancement)
[ "$(grep -rli --include='*.html' '<script' "$tmp/a")" = "$tmp/a/index.html" ] &&
	[ "$(grep -ci '<script' "$tmp/a/index.html")" -eq 1 ] &&
	grep -qx '<script src="search.js" defer></script>' "$tmp/a/index.html"
check "no script in the site but the index's external search.js" $?
# without script the search form opens rules.html, which lists every rule
grep -q '<form id="search" class="search" action="rules.html" role="search">' "$tmp/a/index.html"
check "index: a search form that works without script (action rules.html)" $?
n=$(grep -c '^<tr><td>.*href="rule/' "$tmp/a/rules.html")
want=$(zstdcat -f "$catalog" | jq -c 'select(.kind=="rule")' | wc -l)
[ "$n" -eq "$want" ] && ! grep -q 'href="rule/' "$tmp/a/index.html" && grep -q 'href="rules.html"' "$tmp/a/index.html"
check "rules.html has every rule ($n of $want), the index none but a link to it" $?
# the search index: every technique, every rule, every indicator value, as the catalog has them
sed '1s/^window\.detcatIndex = //; $s/;$//' "$tmp/a/search-index.js" >"$tmp/search.json"
ok=0
got=$(jq -c '[.t[][0]]' "$tmp/search.json") want=$(zstdcat -f "$catalog" | jq -s -c '[.[] | select(.kind=="technique") | .id]')
[ "$got" = "$want" ] || { echo "  techniques: $got"; ok=1; }
got=$(jq -r '.r[][0]' "$tmp/search.json" | sort) want=$(zstdcat -f "$catalog" | jq -r 'select(.kind=="rule") | .title // .uid' | sort)
[ "$got" = "$want" ] || { echo "  rule titles differ"; ok=1; }
got=$(jq -r '.v[][0]' "$tmp/search.json") want=$(zstdcat -f "$catalog" | jq -r 'select(.kind=="technique") | .indicators[] | select(.reach >= 2) | .value | tostring | select(length <= 120)' | LC_ALL=C sort -u)
[ "$got" = "$want" ] || { echo "  indicator values differ"; ok=1; }
for f in $(jq -r '.r[][1]' "$tmp/search.json"); do [ -f "$tmp/a/rule/$f.html" ] || { echo "  no page $f"; ok=1; break; }; done
check "search-index.js: every technique, rule title and shared indicator value, each to a page that exists" $ok
# the script itself, on a stub DOM: a technique by name, a rule by title, an indicator value
if command -v node >/dev/null 2>&1; then
	ok=0
	node "$here/search.js" "$tmp/a" 'malicious link' >"$tmp/found" 2>&1 || ok=1
	grep -q '^technique/T1204.001.html	T1204.001 Malicious Link	technique$' "$tmp/found" || ok=1
	node "$here/search.js" "$tmp/a" 'run dialog history' >"$tmp/found" 2>&1 || ok=1
	grep -q '^rule/sigma~3a0456fc15-b58b-4639-9d0f-444448afa759.html	Run Dialog History Holding a Pasted Download Command	Sigma rule$' "$tmp/found" || ok=1
	val=$(jq -r '.v[0][0]' "$tmp/search.json") tid=$(jq -r '.v[0][1][0]' "$tmp/search.json")
	node "$here/search.js" "$tmp/a" "$val" >"$tmp/found" 2>&1 || ok=1
	grep -qF "technique/$tid.html	$val	indicator of $tid" "$tmp/found" || ok=1
	node "$here/search.js" "$tmp/a" 'zzzz-no-such-thing' >"$tmp/found" 2>&1 || ok=1
	grep -q '^rules.html	Nothing found' "$tmp/found" || ok=1
	check "search.js finds techniques by name, rules by title, indicator values; says when nothing" $ok "$(head -n 3 "$tmp/found")"
fi
if [ "$catalog" = out/fixtures/catalog.ndjson.zst ]; then
	diff -u "$here/../golden/report/T1204.001.md" "$tmp/a/technique/T1204.001.md" >"$tmp/golden.diff"
	check "T1204.001.md is the hand-checked golden (tests/golden/report/)" $? "$(head -n 12 "$tmp/golden.diff")"
	diff -u "$here/../golden/report/event-Sysmon-13.md" "$tmp/a/event/Sysmon-13.md" >"$tmp/golden.diff"
	check "event/Sysmon-13.md is the hand-checked golden (tests/golden/report/)" $? "$(head -n 12 "$tmp/golden.diff")"
	grep -q '\[13\](../event/Sysmon-13.md)' "$tmp/a/technique/T1204.001.md"
	check "a technique page links its events to their pages" $?
	"$bin" --have "$here/../golden/report/profile.yaml" -o "$tmp/p" "$catalog" 2>"$tmp/err"
	check "--have the golden profile: exit 0" $? "$(head -n 3 "$tmp/err")"
	diff -u "$here/../golden/report/T1204.001-have.md" "$tmp/p/technique/T1204.001.md" >"$tmp/golden.diff"
	check "T1204.001.md with --have is the hand-checked golden (tests/golden/report/)" $? "$(head -n 12 "$tmp/golden.diff")"
fi

# --have PROFILE: what a team's telemetry runs (issue 17), recounted here with jq
# from the catalog's rules and the profile (the Sysmon-only example)
prof=$here/../../mappings/profiles/sysmon-windows.yaml
"$bin" --have "$prof" -o "$tmp/p" "$catalog" 2>"$tmp/err"; check "--have $(basename "$prof"): exit 0" $? "$(head -n 3 "$tmp/err")"
# the profile as {provider: [events] or "any"}: its one events line is a flow list
have=$(sed -n 's/^  \([A-Za-z-]*\): \[\(.*\)\]$/{"\1": [\2]}/p' "$prof" | jq -c 'map_values(map(tostring))')
runnable='def covers($p): . as $e | $p[$e.provider] as $v | ($v == "any") or
	($e.event != "any" and ($v | type) == "array" and ($v | index([$e.event])) != null);
	[.[] | select(.kind == "rule" and .retired != true) | select(any(.events[]?; covers($have))) | .uid]'
zstdcat -f "$catalog" | jq -s -c --argjson have "$have" "$runnable"' as $run |
	[.[] | select(.kind == "technique" and .rules.total > 0) | [.id, ([.rules.uids[] | select(. as $u | $run | index([$u]))] | length), .rules.total]] | sort' >"$tmp/want"
grep -o '<a class="cell[^"]*"[^>]*><span class="tid">[^<]*</span> <span class="count"[^>]*>[0-9]*/[0-9]*</span>' "$tmp/p/index.html" |
	sed 's/.*"tid">\([^<]*\)<.*"count"[^>]*>\([0-9]*\)\/\([0-9]*\)<.*/\1 \2 \3/' | sort -u |
	jq -R -s -c 'split("\n") | map(select(length > 0) | split(" ") | [.[0], (.[1] | tonumber), (.[2] | tonumber)]) | sort' >"$tmp/got"
[ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"
check "--have: every matrix cell is runnable/all rules as jq recounts them from the tagged rules" $? "$(head -c 300 "$tmp/got")"
# a technique with none runnable is set apart; one with some is not
zero=$(jq -r '.[] | select(.[1] == 0) | .[0]' "$tmp/want" | head -n 1)
some=$(jq -r '.[] | select(.[1] > 0) | .[0]' "$tmp/want" | head -n 1)
[ -n "$zero" ] && [ -n "$some" ] &&
	grep -q "<a class=\"cell heat-0[^\"]* norun\" style=\"[^\"]*dashed[^\"]*\" href=\"technique/$zero.html\"" "$tmp/p/index.html" &&
	grep -q "<a class=\"cell heat-[1-5][^\"]*\" href=\"technique/$some.html\"" "$tmp/p/index.html"
check "--have: $zero (none runnable) has a dashed, unshaded cell; $some (some runnable) is shaded" $?
# the index says which profile, and how much of the catalog it runs
nrun=$(zstdcat -f "$catalog" | jq -s --argjson have "$have" "$runnable | length")
ntot=$(zstdcat -f "$catalog" | jq -s '[.[] | select(.kind == "rule" and .retired != true)] | length')
grep -q "<strong>Sysmon-only Windows fleet</strong>" "$tmp/p/index.html" &&
	grep -q "^$nrun of $ntot live rules are runnable with it" "$tmp/p/index.md"
check "--have: the index names the profile and its $nrun of $ntot runnable rules" $?
# each rule of a technique page marked by what jq says of it
tid=T1204
ok=0
zstdcat -f "$catalog" | jq -r --arg t $tid 'select(.kind == "technique" and .id == $t) | .rules.uids[]' >"$tmp/uids"
[ -s "$tmp/uids" ] || ok=1
while IFS= read -r u; do
	href=$(printf '%s' "$u" | sed 's/:/~3a/g; s/ /~20/g; s|/|~2f|g; s/#/~23/g')
	if zstdcat -f "$catalog" | jq -s -e --argjson have "$have" --arg u "$u" "$runnable | index([\$u]) != null" >/dev/null; then
		want='(runnable)'
	else
		want='(not runnable)'
	fi
	# (after the link, and after the path when two rules share a title)
	grep -F "](../rule/$href.md)" "$tmp/p/technique/$tid.md" | grep -qF " $want" || { echo "  $u: not $want"; ok=1; }
done <"$tmp/uids"
check "--have: every rule on the $tid page marked runnable or not as jq says" $ok
# the next events: coverage's ranking (detcat-coverage prints the same), top 20 of those that add rules
cov=$(dirname "$bin")/detcat-coverage
if [ -x "$cov" ]; then
	"$cov" --have "$prof" "$catalog" 2>/dev/null | jq -r 'select(.kind == "next_event" and .rules_gained > 0) |
		"| \(.rank) | \(.provider) | \(.event) | \(.rules_gained) | \(.techniques_gained) |"' | head -n 20 >"$tmp/want"
	sed -n '/^## Next events to collect/,/^## /p' "$tmp/p/index.md" | grep '^| [0-9]' |
		sed 's/\[\([^]]*\)\]([^)]*)/\1/' | awk -F' \\| ' '{ print $1 " | " $2 " | " $3 " | " $5 " | " $6 }' >"$tmp/got"
	[ -s "$tmp/want" ] && diff "$tmp/want" "$tmp/got" >"$tmp/golden.diff"
	check "--have: the index's next events are detcat-coverage's ranking, top 20 ($(wc -l <"$tmp/got") rows)" $? "$(head -n 6 "$tmp/golden.diff")"
fi
linkcheck "$tmp/p"; check "--have: every internal link resolves" $?
# back without the profile: the same bytes as a site never built with one
"$bin" -o "$tmp/p" "$catalog" 2>/dev/null && diff -r -x .detcat-manifest "$tmp/a" "$tmp/p" >/dev/null
check "without --have again, the site is byte-identical to one never built with a profile" $?
rm -rf "$tmp/p"
printf 'events:\n  Sysmon: {1: yes}\n' >"$tmp/bad.yaml"
"$bin" --have "$tmp/bad.yaml" -o "$tmp/p" "$catalog" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -qx "detcat-report: $tmp/bad.yaml:2: provider 'Sysmon': expected a list of events or 'any'" "$tmp/err" && [ ! -e "$tmp/p" ]
check "--have a profile of the wrong shape: exit 2, one line naming file:line, nothing written" $? "rc $rc: $(head -n 2 "$tmp/err")"

# Navigator layers: the schema, and scores that are the catalog's rule counts
for f in "$tmp"/a/navigator/*.json; do jq -c . "$f"; done >"$tmp/layers.ndjson"
"$schema_check" "$here/../../schema/navigator-layer.schema.json" "$tmp/layers.ndjson" >/dev/null 2>"$tmp/err"
check "Navigator layers fit schema/navigator-layer.schema.json" $? "$(head -n 3 "$tmp/err")"
want=$(zstdcat -f "$catalog" | jq -s -c '[.[] | select(.kind == "technique" and .rules.total > 0 and .deprecated != true and .revoked != true) | [.id, .rules.total]]')
got=$(jq -c '[.techniques[] | [.techniqueID, .score]]' "$tmp/a/navigator/all.json")
[ "$got" = "$want" ]; check "navigator/all.json scores every technique by its rules" $? "$got"
want=$(zstdcat -f "$catalog" | jq -s -c '[.[] | select(.kind == "technique" and .rules.by_vendor.sigma > 0 and .deprecated != true and .revoked != true) | [.id, .rules.by_vendor.sigma]]')
got=$(jq -c '[.techniques[] | [.techniqueID, .score]]' "$tmp/a/navigator/sigma.json")
[ "$got" = "$want" ]; check "navigator/sigma.json scores by Sigma rules only" $? "$got"
jq -e '.versions.layer == "4.5" and .domain == "enterprise-attack"' "$tmp/a/navigator/all.json" >/dev/null
check "layer format 4.5, enterprise domain" $?
want=$(zstdcat -f "$catalog" | jq -r 'select(.kind == "corpus") | .attack_version')
jq -e --arg v "$want" '(.versions.attack // "null") == $v and (.legendItems | length) >= 1' "$tmp/a/navigator/all.json" >/dev/null &&
	jq -e '[.techniques[].comment | test("^[0-9]+ Sigma rules?$")] | all' "$tmp/a/navigator/sigma.json" >/dev/null &&
	jq -e '.legendItems[0].label | test("Sigma rules?$")' "$tmp/a/navigator/sigma.json" >/dev/null
check "layers: versions.attack ($want), a legend; the Sigma layer comments on Sigma rules only" $?
dep=$(zstdcat -f "$catalog" | jq -r 'select(.kind == "technique" and .deprecated == true) | .id' | head -n 1)
if [ -n "$dep" ]; then
	! jq -e --arg d "$dep" '.techniques[] | select(.techniqueID == $d)' "$tmp/a/navigator/all.json" >/dev/null
	check "layers leave out the deprecated technique $dep" $?
fi

# the vendor filter: the index links every vendor with rules; a vendor's matrix has its techniques only
grep -q 'href="vendor/sigma.html"' "$tmp/a/index.html"; check "index links the Sigma filter" $?
want=$(zstdcat -f "$catalog" | jq -r 'select(.kind == "technique" and .rules.by_vendor.sigma > 0) | .id' | sort -u)
got=$(grep -o 'class="cell[^"]*" href="../technique/[^"]*"' "$tmp/a/vendor/sigma.html" | sed 's|.*technique/||; s|\.html"||' | sort -u)
[ "$got" = "$want" ]; check "vendor/sigma.html: the matrix holds exactly the techniques with Sigma rules" $?

# a rule's upstream link, when its record has a url
uid=$(zstdcat -f "$catalog" | jq -r 'select(.kind == "rule" and .url != null) | .uid' | head -n 1)
if [ -n "$uid" ]; then
	url=$(zstdcat -f "$catalog" | jq -r --arg u "$uid" 'select(.kind == "rule" and .uid == $u) | .url')
	grep -rlF "href=\"$url\"" "$tmp/a/rule" | grep -q '\.html$'
	check "rule page links its upstream file" $?
fi

# files the tool did not write stay, even named like pages (its own stale pages go:
# tests/cli/tools.sh)
touch "$tmp/a/rule/gone.html" "$tmp/a/technique/T0000.md" "$tmp/a/navigator/old.json" "$tmp/a/rule/notes.txt"
"$bin" -o "$tmp/a" "$catalog" 2>/dev/null && [ -e "$tmp/a/rule/gone.html" ] && [ -e "$tmp/a/technique/T0000.md" ] &&
	[ -e "$tmp/a/navigator/old.json" ] && [ -e "$tmp/a/rule/notes.txt" ] && [ -s "$tmp/a/index.html" ]
check "a second run keeps files it did not write" $?
rm -f "$tmp/a/rule/notes.txt" "$tmp/a/rule/gone.html" "$tmp/a/technique/T0000.md" "$tmp/a/navigator/old.json"
linkcheck "$tmp/a"; check "every internal link resolves" $?

"$bin" -o "$tmp/b" "$catalog" && diff -r -x .detcat-manifest "$tmp/a" "$tmp/b" >/dev/null # the manifest holds mtimes and inodes
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
# (in Markdown, a query is shown as written inside a code fence, where no renderer reads markup)
! { grep -ri --include='*.html' '<script\|<img\|<b>' "$tmp/h" | grep -vx "$tmp/h/index.html:<script src=\"search.js\" defer></script>"; find "$tmp/h" -name '*.md' -exec awk '
	/^```/ { fenced = !fenced; next } !fenced && tolower($0) ~ /<script|<img|<b>/ { print FILENAME; exit }' {} \; ; } | grep -q .
check "hostile catalog: markup escaped" $?
grep -B1 -A1 -F '</code></pre><script>q</script>' "$tmp/h/rule/sigma~3a~2e~2e~2f~2e~2e~2f~2e~2e~2fevil.md" | grep -c '^```$' | grep -q '^2$'
check "hostile catalog: the Markdown query stays inside its fence" $?
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/h/technique/T9999.html"; check "hostile title shown as text" $?
[ -z "$(find "$tmp" -mindepth 1 -maxdepth 1 ! -name a ! -name b ! -name h ! -name x ! -name err ! -name hostile.ndjson ! -name links ! -name layers.ndjson ! -name golden.diff ! -name search.json ! -name found ! -name want ! -name got ! -name bad.yaml ! -name uids)" ] &&
	[ -z "$(find "$tmp/h" -name '*..*' -o -name '.*' ! -name .detcat-pages ! -name .detcat-manifest | grep -v '^\.$')" ] &&
	[ "$(find "$tmp/h" -type f ! -name .detcat-pages ! -name .detcat-manifest | wc -l)" -eq 29 ]
check "hostile uids stay inside the folder, no '..' in names (29 files: index, rules and events index in HTML and .md, style.css, search.js and its index, 6 layers, 3 rules, 2 techniques and 2 vendor pages in HTML and Markdown)" $?
linkcheck "$tmp/h"; check "hostile catalog: every internal link resolves" $?

# similar rules: a Sigma and an Elastic rule with a close overlap, a third with none
cat >"$tmp/similar.ndjson" <<'EOT'
{"kind":"technique","id":"T1204","name":"User Execution","tactics":["execution"],"parent":null,"rules":{"total":3,"by_vendor":{"elastic":1,"sigma":2},"uids":["elastic:e1","sigma:s1","sigma:s2"]},"events":[],"fields":[],"indicators":[],"exclusions":[],"similar":{"min_percent":50,"other_vendors":2,"same_vendor":0}}
{"kind":"rule","uid":"elastic:e1","vendor":"elastic","title":"Office child (Elastic)","techniques":["T1204"],"tactics":[],"events":[],"parse":{"status":"ok","errors":[]},"predicates":[{"field":"process.name","op":"eq","value":"winword.exe"}],"similar":{"other_vendors":[{"uid":"sigma:s1","vendor":"sigma","shared":2,"union":3}],"same_vendor":[]}}
{"kind":"rule","uid":"sigma:s1","vendor":"sigma","title":"Office child (Sigma)","techniques":["T1204"],"tactics":[],"events":[],"parse":{"status":"ok","errors":[]},"predicates":[{"field":"process.name","op":"eq","value":"winword.exe"}],"similar":{"other_vendors":[{"uid":"elastic:e1","vendor":"elastic","shared":2,"union":3}],"same_vendor":[{"uid":"sigma:s2","vendor":"sigma","shared":1,"union":4}]}}
{"kind":"rule","uid":"sigma:s2","vendor":"sigma","title":"Unrelated","techniques":["T1204"],"tactics":[],"events":[],"parse":{"status":"ok","errors":[]},"predicates":[{"field":"process.name","op":"eq","value":"other.exe"}],"similar":{"other_vendors":[],"same_vendor":[{"uid":"sigma:s1","vendor":"sigma","shared":1,"union":4}]}}
{"kind":"corpus","rules":{"total":3,"by_vendor":{"elastic":1,"sigma":2}},"parse":{"ok":3},"techniques_with_rules":1}
EOT
"$bin" -o "$tmp/s" "$tmp/similar.ndjson"; check "similar: exit 0" $?
grep -q '<strong>2 of 3</strong> have a close counterpart in another vendor, and 0 a near-duplicate' "$tmp/s/technique/T1204.html"
check "technique page: how many rules have a close counterpart" $?
grep -q 'counterpart: <a href="../rule/elastic~3ae1.html">Elastic: Office child (Elastic)</a>, 67 %' "$tmp/s/technique/T1204.html" &&
	! grep -q 'Unrelated</a> <span class="meta">counterpart' "$tmp/s/technique/T1204.html"
check "technique page: each close counterpart next to its rule (2/3 = 67 %), none for the 25 % one" $?
grep -q '<td>Elastic</td><td class="num">2</td><td class="num">3</td><td class="num">67 %</td>' "$tmp/s/rule/sigma~3as1.html" &&
	grep -q '| \[Office child (Elastic)\](../rule/elastic~3ae1.md) | Elastic | 2 | 3 | 67 % |' "$tmp/s/rule/sigma~3as1.md" &&
	grep -q '<td>Sigma</td><td class="num">1</td><td class="num">4</td><td class="num">25 %</td>' "$tmp/s/rule/sigma~3as1.html"
check "rule page: counterparts and near-duplicates with shared, union and overlap (HTML and Markdown)" $?
grep -q 'No rule of another vendor shares' "$tmp/s/rule/sigma~3as2.html"; check "rule page: says when there is no counterpart" $?

# retired rules: listed apart on each technique page, never among the live ones (issue 13)
tid=$(zstdcat -f "$catalog" | jq -r 'select(.kind == "technique" and .rules.retired.total > 0 and .rules.retired.counted == false) | .id' | head -n 1)
if [ -n "$tid" ]; then
	f="$tmp/a/technique/$tid.html"
	n=$(zstdcat -f "$catalog" | jq -r --arg t "$tid" 'select(.kind == "technique" and .id == $t) | .rules.retired.total')
	ok=0
	grep -q "<h2>Retired rules ($n)</h2>" "$f" && grep -q "^## Retired rules ($n)" "$tmp/a/technique/$tid.md" || ok=1
	# every retired uid appears after the heading only, with why
	for u in $(zstdcat -f "$catalog" | jq -r --arg t "$tid" 'select(.kind == "technique" and .id == $t) | .rules.retired.uids[]'); do
		href=$(printf '%s' "$u" | sed 's/:/~3a/g')
		sed -n '/<h2>Retired rules/,$p' "$f" | grep -q "rule/$href.html\">.*retired: " || ok=1
		sed -n '/<h2>Rules under this technique/,/<h2>Retired rules/p' "$f" | grep -q "rule/$href.html" && ok=1
	done
	check "$tid: retired rules listed apart, with why, not among the live rules" $ok
fi

# rule pages: metadata as the rule states it; tactics from techniques; no claim without indicators
cat >"$tmp/meta.ndjson" <<'EOT'
{"kind":"technique","id":"T1204","name":"User Execution","tactics":["execution"],"parent":null,"rules":{"total":3,"by_vendor":{"sigma":2,"splunk":1},"uids":["sigma:m1","sigma:m2","splunk:m3"],"retired":{"total":1,"counted":false,"uids":["sigma:old"]}},"events":[],"fields":[],"indicators":[],"exclusions":[]}
{"kind":"rule","uid":"sigma:m1","vendor":"sigma","source":"sigma","path":"rules/windows/b.yml","title":"Same Title","status":"test","retired":false,"severity":"high","description":"Finds <things>.","author":"A. Author","date":"2024-01-02","modified":"2025-03-04","references":["https://example.org/ref"],"falsepositives":["Admin scripts"],"context":{"category":"process_creation","product":"windows"},"techniques":["T1204"],"tactics":["execution"],"events":[],"parse":{"status":"ok","errors":[]},"predicates":[{"field":"process.name","op":"eq","value":"x.exe"}],"similar":{"other_vendors":[],"same_vendor":[]}}
{"kind":"rule","uid":"sigma:m2","vendor":"sigma","source":"sigma","path":"rules/windows/a.yml","title":"Same Title","status":"test","retired":false,"techniques":["T1204"],"tactics":["execution"],"events":[],"parse":{"status":"ok","errors":[]},"predicates":[{"field":"process.name","op":"eq","value":"y.exe"}],"similar":{"other_vendors":[],"same_vendor":[]}}
{"kind":"rule","uid":"splunk:m3","vendor":"splunk","source":"splunk","path":"detections/endpoint/c.yml","title":"A Splunk Rule","status":"production","retired":false,"context":{"data_source":["Sysmon EventID 1"],"datamodel":["Endpoint"]},"techniques":["T1204"],"tactics":["execution"],"tactics_derived":true,"events":[],"parse":{"status":"failed","errors":[{"message":"SPL queries are not parsed yet: metadata only"}]},"predicates":[],"similar":{"other_vendors":[],"same_vendor":[]}}
{"kind":"rule","uid":"sigma:old","vendor":"sigma","source":"sigma","path":"deprecated/windows/o.yml","title":"An Old Rule","status":"deprecated","retired":true,"retired_why":"in the deprecated/ folder","techniques":["T1204"],"tactics":["execution"],"events":[],"parse":{"status":"ok","errors":[]},"predicates":[]}
{"kind":"corpus","rules":{"total":4,"by_vendor":{"sigma":3,"splunk":1},"retired":1,"retired_counted":false},"parse":{"ok":3,"failed":1},"techniques_with_rules":1}
EOT
"$bin" -o "$tmp/m" "$tmp/meta.ndjson"; check "metadata catalog: exit 0" $?
ok=0
for s in '<tr><th>Status</th><td>test</td></tr>' '<tr><th>Author</th><td>A. Author</td></tr>' \
	'<tr><th>Date</th><td>2024-01-02</td></tr>' '<tr><th>Modified</th><td>2025-03-04</td></tr>' \
	'<tr><th>Scope</th><td>category: process_creation; product: windows</td></tr>' \
	'<tr><th>Severity</th><td>high</td></tr>' '<p class="description">Finds &lt;things&gt;.</p>' \
	'<h2>False positives</h2>' '<li>Admin scripts</li>' '<li><a href="https://example.org/ref">https://example.org/ref</a></li>'; do
	grep -qF "$s" "$tmp/m/rule/sigma~3am1.html" || { echo "  missing: $s"; ok=1; }
done
grep -qF -- '- **Author**: A. Author' "$tmp/m/rule/sigma~3am1.md" && grep -qF -- '## References' "$tmp/m/rule/sigma~3am1.md" || ok=1
check "rule page: status, author, dates, scope, severity, description, false positives, references (HTML and Markdown)" $ok
grep -qF '<tr><th>Scope</th><td>data_source: Sysmon EventID 1; datamodel: Endpoint</td></tr>' "$tmp/m/rule/splunk~3am3.html" &&
	grep -qF 'execution <span class="meta">(from its techniques: the rule states none)</span>' "$tmp/m/rule/splunk~3am3.html"
check "Splunk rule page: data source and data model as scope, tactics from its techniques" $?
grep -qF 'This rule has no indicator to compare (no predicate: parse status failed)' "$tmp/m/rule/splunk~3am3.html" &&
	! grep -q 'No rule of another vendor shares' "$tmp/m/rule/splunk~3am3.html"
check "rule page: a rule without predicates does not claim no rule shares its indicators" $?
grep -qF '<tr><th>Status</th><td>deprecated (retired: in the deprecated/ folder)</td></tr>' "$tmp/m/rule/sigma~3aold.html"
check "rule page: a retired rule says so, and why" $?
# rules by title; equal titles told apart by their path
got=$(sed -n '/<h2>Rules under this technique/,/<h2>Retired/p' "$tmp/m/technique/T1204.html" | grep '^<li>.*class="meta">' | sed -E 's|.*\.html">([^<]*)</a> <span class="meta">([^<]*)</span>.*|\1 @ \2|')
want='Same Title @ rules/windows/a.yml
Same Title @ rules/windows/b.yml'
[ "$got" = "$want" ]; check "technique page: rules sorted by title, equal titles told apart by path" $? "$got"
grep -qF '<h2>Retired rules (1)</h2>' "$tmp/m/technique/T1204.html" &&
	grep -qF 'An Old Rule</a> <span class="meta retired">retired: in the deprecated/ folder</span>' "$tmp/m/technique/T1204.html"
check "technique page: retired rules apart, with why" $?

finish report
