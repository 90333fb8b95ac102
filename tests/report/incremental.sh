#!/bin/sh
# tests/report/incremental.sh BIN [CATALOG]: detcat-report renders only the pages
# whose inputs changed (DIR/.detcat-manifest), and what it leaves is the site a
# fresh run writes. On a catalog of our own where every page's inputs are known
# (the rewritten pages are listed by hand), then on CATALOG (the fixtures').
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
bin=${1:?usage: incremental.sh BIN [CATALOG]}
[ -d "$bin" ] && bin="$bin/detcat-report"
catalog=${2:-out/fixtures/catalog.ndjson.zst}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the site a fresh run writes, beside $1 (the manifest's mtimes and inodes aside)
same_as_fresh() {
	rm -rf "$tmp/fresh"
	"$bin" -o "$tmp/fresh" "$2" 2>/dev/null
	diff -r -x .detcat-manifest "$1" "$tmp/fresh" >"$tmp/diff" 2>&1 || { head -n 5 "$tmp/diff"; return 1; }
}
# run into $1 from $2; the pages whose file changed, sorted, in $tmp/rewritten; units rendered in $tmp/units
run() {
	touch "$tmp/stamp"
	sleep 0.02
	"$bin" -o "$1" "$2" 2>"$tmp/err"
	rc=$?
	(cd "$1" && find . -type f -newer "$tmp/stamp" ! -name .detcat-pages ! -name .detcat-manifest | sed 's|^\./||' | sort) >"$tmp/rewritten"
	sed -n 's/.*: \([0-9,]*\) units of pages rendered.*/\1/p' "$tmp/err" | tr -d , >"$tmp/units"
	return $rc
}
rule() { # uid vendor title similar-uid technique description
	printf '{"kind":"rule","uid":"%s","vendor":"%s","source":"%s","path":"rules/%s.yml","title":"%s","status":"test","retired":false,"description":"%s","techniques":[%s],"tactics":["execution"],"events":[],"parse":{"status":"ok","errors":[]},"predicates":[{"field":"process.name","op":"eq","value":"%s.exe"}],"similar":{"other_vendors":[%s],"same_vendor":[]}}\n' \
		"$1" "$2" "$2" "$1" "$3" "$6" "${5:+\"$5\"}" "$1" "${4:+{\"uid\":\"$4\",\"vendor\":\"x\",\"shared\":1,\"union\":1\}}"
}
catalog() { # title of elastic:b, description of sigma:d, with sigma:d or not
	printf '%s\n' '{"kind":"technique","id":"T1059","name":"Command and Scripting Interpreter","tactics":["execution"],"parent":null,"rules":{"total":2,"by_vendor":{"sigma":1,"elastic":1},"uids":["sigma:a","elastic:b"]},"events":[],"fields":[],"indicators":[],"exclusions":[]}'
	printf '%s\n' '{"kind":"technique","id":"T1204","name":"User Execution","tactics":["execution"],"parent":null,"rules":{"total":1,"by_vendor":{"splunk":1},"uids":["splunk:c"]},"events":[],"fields":[],"indicators":[],"exclusions":[]}'
	rule sigma:a sigma "Rule A" elastic:b T1059 "first"
	rule elastic:b elastic "$1" sigma:a T1059 "second"
	rule splunk:c splunk "Rule C" "" T1204 "third"
	[ "$3" = without-d ] || rule sigma:d sigma "Rule D" "" "" "$2"
	printf '%s\n' '{"kind":"corpus","rules":{"total":4,"by_vendor":{"sigma":2,"elastic":1,"splunk":1},"retired":0,"retired_counted":false},"parse":{"ok":4},"techniques_with_rules":2}'
}
S=$tmp/site
catalog "Rule B" "fourth" >"$tmp/c1.ndjson"
run "$S" "$tmp/c1.ndjson"; check "first run: exit 0" $?
[ "$(cat "$tmp/units")" = 7 ] && [ -s "$S/.detcat-manifest" ]
check "first run renders every unit: global, 2 techniques, 4 rules (got $(cat "$tmp/units"))" $?

run "$S" "$tmp/c1.ndjson"
[ "$(cat "$tmp/units")" = 0 ] && [ ! -s "$tmp/rewritten" ]
check "same catalog again: nothing rendered, no page rewritten" $? "$(cat "$tmp/units") units, $(wc -l <"$tmp/rewritten") pages"

# a rule's description: read by its own page only (the global pages are rendered, their bytes stay)
catalog "Rule B" "changed" >"$tmp/c2.ndjson"
run "$S" "$tmp/c2.ndjson"
printf '%s\n' rule/sigma~3ad.html rule/sigma~3ad.md >"$tmp/want"
[ "$(cat "$tmp/units")" = 2 ] && cmp -s "$tmp/rewritten" "$tmp/want"
check "one rule's description: units global and that rule's; its two pages rewritten" $? "$(cat "$tmp/units") units: $(tr '\n' ' ' <"$tmp/rewritten")"
same_as_fresh "$S" "$tmp/c2.ndjson"; check "... and the site is a fresh run's" $?

# a rule's title: shown by its page, its counterpart's, its technique's, and the lists of every rule
catalog "Rule B renamed" "changed" >"$tmp/c3.ndjson"
run "$S" "$tmp/c3.ndjson"
printf '%s\n' rule/elastic~3ab.html rule/elastic~3ab.md rule/sigma~3aa.html rule/sigma~3aa.md rules.html rules.md \
	search-index.js technique/T1059.html technique/T1059.md >"$tmp/want"
[ "$(cat "$tmp/units")" = 4 ] && cmp -s "$tmp/rewritten" "$tmp/want"
check "one rule's title: units global, T1059, the rule and its counterpart; exactly these pages rewritten" $? \
	"$(cat "$tmp/units") units: $(tr '\n' ' ' <"$tmp/rewritten")"
same_as_fresh "$S" "$tmp/c3.ndjson"; check "... and the site is a fresh run's" $?

rm "$S/rule/splunk~3ac.html"
run "$S" "$tmp/c3.ndjson"
[ "$(cat "$tmp/units")" = 1 ] && [ -s "$S/rule/splunk~3ac.html" ]
check "a deleted page is rendered again (its unit only)" $? "$(cat "$tmp/units") units"
same_as_fresh "$S" "$tmp/c3.ndjson"; check "... and the site is a fresh run's" $?

echo "edited by hand" >>"$S/technique/T1204.md"
run "$S" "$tmp/c3.ndjson"
[ "$(cat "$tmp/units")" = 1 ] && ! grep -q 'edited by hand' "$S/technique/T1204.md"
check "a page edited by hand is rendered again" $? "$(cat "$tmp/units") units"

catalog "Rule B renamed" "changed" without-d >"$tmp/c4.ndjson"
run "$S" "$tmp/c4.ndjson"
[ ! -e "$S/rule/sigma~3ad.html" ] && [ ! -e "$S/rule/sigma~3ad.md" ] && ! grep -q 'sigma:d' "$S/.detcat-manifest"
check "a rule gone from the catalog: its pages and its manifest lines removed" $?
same_as_fresh "$S" "$tmp/c4.ndjson"; check "... and the site is a fresh run's" $?

sed -i '1s/.*/detcat-report-manifest 1 0.0.0 another-build/' "$S/.detcat-manifest"
run "$S" "$tmp/c4.ndjson"
[ "$(cat "$tmp/units")" = 6 ] && head -n 1 "$S/.detcat-manifest" | grep -q "^detcat-report-manifest 1 [^ ]* [0-9a-f]\{64\}$"
check "a manifest of another build is not trusted: every unit rendered" $? "$(cat "$tmp/units") units"
printf 'garbage\tline\n' >>"$S/.detcat-manifest"
run "$S" "$tmp/c4.ndjson"; rc=$?
[ $rc -eq 0 ] && [ "$(cat "$tmp/units")" = 6 ]
check "a manifest with a line it did not write is not trusted (rc $rc)" $? "$(cat "$tmp/units") units"
same_as_fresh "$S" "$tmp/c4.ndjson"; check "... and the site is a fresh run's" $?

# the fixtures: incremental runs over each other's sites end where a fresh run does
if [ -s "$catalog" ]; then
	F=$tmp/fx
	run "$F" "$tmp/c1.ndjson" && run "$F" "$catalog"; check "fixtures over another catalog's site: exit 0" $?
	same_as_fresh "$F" "$catalog"; check "... and the site is a fresh run's" $?
	run "$F" "$catalog"
	[ "$(cat "$tmp/units")" = 0 ] && [ ! -s "$tmp/rewritten" ]; check "fixtures again: nothing rendered" $?
fi
finish report-incremental
