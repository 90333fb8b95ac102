#!/bin/sh
# tools.sh BIN BUILD: the tools explain themselves (issue 13). Each check runs the
# tools as a user would and looks at exit status, messages and what is left on disk:
# a folder as input, zstd on a terminal, detcat-report's input and its output folder.
BIN=$1 BUILD=$2
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
. tests/lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# a small chain of the fixtures, in $T
"$BIN/detcat-fetch-unpack" -s attack -V attack fixtures/attack/enterprise-attack-mini.json -o "$T/attack-raw.zst" &&
"$BIN/detcat-attack" "$T/attack-raw.zst" -o "$T/attack.zst" 2>/dev/null &&
"$BIN/detcat-fetch-unpack" -s sigma -V sigma fixtures/sigma -o "$T/raw.zst" &&
{ "$BIN/detcat-normalize" --mappings mappings "$T/raw.zst" -o "$T/rules.zst" 2>/dev/null || [ $? -eq 1 ]; } &&
"$BIN/detcat-tag" --attack "$T/attack.zst" --events mappings/events.yaml "$T/rules.zst" -o "$T/tagged.zst" 2>/dev/null &&
"$BIN/detcat-aggregate" --attack "$T/attack.zst" "$T/tagged.zst" -o "$T/catalog.zst" 2>/dev/null
check "the fixtures' chain builds" $?

# ---- a folder as input: exit 2, one message ----
mkdir "$T/folder"
for t in normalize tag aggregate attack report; do
	case $t in
	tag|aggregate) set -- --attack "$T/attack.zst" ;;
	report) set -- -o "$T/folder-site" ;;
	*) set -- ;;
	esac
	"$BIN/detcat-$t" "$@" -p "$T/folder" >/dev/null 2>"$T/err"; rc=$?
	[ $t = report ] && { "$BIN/detcat-$t" "$@" "$T/folder" >/dev/null 2>"$T/err"; rc=$?; }
	[ $rc -eq 2 ] && [ "$(wc -l < "$T/err")" -eq 1 ] && grep -q "is a folder" "$T/err"
	check "detcat-$t with a folder as input: exit 2, one message (rc $rc: $(head -c 120 "$T/err"))" $?
done

# ---- zstd never goes to a terminal unless asked for plain text or a file ----
if script -qec true /dev/null >/dev/null 2>&1; then
	script -qec "$BIN/detcat-tag --attack $T/attack.zst --events mappings/events.yaml $T/rules.zst" /dev/null > "$T/tty" 2>&1; rc=$?
	[ $rc -eq 2 ] && grep -q "will not write zstd-compressed output to a terminal" "$T/tty" && ! grep -q "$(printf '\050\265\057\375')" "$T/tty"
	check "detcat-tag refuses to write zstd to a terminal (rc $rc)" $?
	script -qec "$BIN/detcat-tag -p --attack $T/attack.zst --events mappings/events.yaml $T/rules.zst" /dev/null > "$T/tty" 2>&1; rc=$?
	[ $rc -eq 0 ] && grep -q '"uid"' "$T/tty"
	check "with -p it writes plain NDJSON to the terminal (rc $rc)" $?
	script -qec "$BIN/detcat-fetch-unpack -s sigma -V sigma fixtures/sigma" /dev/null > "$T/tty" 2>&1; rc=$?
	[ $rc -eq 2 ] && grep -q "will not write zstd" "$T/tty"
	check "detcat-fetch-unpack refuses too, before reading anything (rc $rc)" $?
else
	check "script(1) runs, to give the tools a terminal" 1
fi

# ---- detcat-report: standard input, an empty catalog, its own files only ----
S=$T/site
"$BIN/detcat-report" -o "$S" < "$T/catalog.zst" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && [ -s "$S/index.html" ] && [ -s "$S/.detcat-pages" ]
check "detcat-report reads the catalog from standard input (rc $rc: $(head -c 120 "$T/err"))" $?
grep -q "open $S/index.html" "$T/err"
check "and says where the site is" $?

mkdir -p "$T/empty-site"
: > "$T/empty.ndjson"
"$BIN/detcat-report" -o "$T/empty-site" "$T/empty.ndjson" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "no rule in the catalog" "$T/err" && [ -z "$(ls -A "$T/empty-site")" ]
check "an empty catalog is an error and writes nothing (rc $rc)" $?
zstdcat "$T/catalog.zst" | jq -c 'select(.kind != "rule")' > "$T/norules.ndjson"
"$BIN/detcat-report" -o "$T/empty-site" "$T/norules.ndjson" 2>/dev/null; rc=$?
[ $rc -eq 2 ] && [ -z "$(ls -A "$T/empty-site")" ]
check "so is a catalog of techniques without a rule (rc $rc)" $?

# files under -o the tool did not write survive every run, even where pages go
echo mine > "$S/rule/my-notes.html"
echo mine > "$S/technique/T0000.md"
echo mine > "$S/README.md"
first=$(zstdcat "$T/catalog.zst" | jq -r 'select(.kind == "rule") | .uid' | sort | head -n 1)
page=$(grep "^rule/" "$S/.detcat-pages" | head -n 1)
zstdcat "$T/catalog.zst" | jq -c --arg u "$first" 'select(.kind != "rule" or .uid != $u)' > "$T/less.ndjson"
"$BIN/detcat-report" -o "$S" "$T/less.ndjson" 2>/dev/null; rc=$?
[ $rc -eq 0 ] && [ -f "$S/rule/my-notes.html" ] && [ -f "$S/technique/T0000.md" ] && [ -f "$S/README.md" ]
check "files under -o that detcat-report did not write are left alone (rc $rc)" $?
n_before=$(grep -c . "$S/.detcat-pages")
"$BIN/detcat-report" -o "$S" "$T/catalog.zst" 2>/dev/null &&
"$BIN/detcat-report" -o "$S" "$T/less.ndjson" 2>/dev/null
[ -n "$page" ] && [ "$(grep -c . "$S/.detcat-pages")" -eq "$n_before" ] &&
	! grep -qx "rule/my-notes.html" "$S/.detcat-pages"
check "the list names only what the run wrote ($n_before lines)" $?
ls "$S/rule" | sed 's|^|rule/|' | sort > "$T/on-disk"
grep '^rule/' "$S/.detcat-pages" | sort > "$T/listed"
[ "$(comm -23 "$T/on-disk" "$T/listed")" = "rule/my-notes.html" ]
check "a rule page the last run wrote and this one did not is removed, nothing else" $?

# ---- one summary line per source; no rule is fatal with --require-rules ----
"$BIN/detcat-normalize" --mappings mappings "$T/raw.zst" -o "$T/rules2.zst" 2>"$T/err"
files=$(zstdcat "$T/raw.zst" | grep -c .)
rules=$(zstdcat "$T/rules2.zst" | grep -c .)
ok=$(zstdcat "$T/rules2.zst" | jq -r .parse.status | grep -c '^ok$')
line="detcat-normalize: sigma: $files files → $rules rules: $ok ok"
[ "$(grep -c ' files → ' "$T/err")" -eq 1 ] && grep -qxF "$line" "$T/err"
check "normalize prints one summary line per source ($line)" $? "$(cat "$T/err")"
"$BIN/detcat-fetch-unpack" -s wrong -V sigma fixtures/elastic -o "$T/wrong-raw.zst" &&
"$BIN/detcat-normalize" --require-rules --mappings mappings "$T/wrong-raw.zst" -o "$T/wrong.zst" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "^detcat-normalize: wrong: no rule in [0-9]* files" "$T/err" && [ ! -e "$T/wrong.zst" ]
check "--require-rules: Elastic files read as Sigma give no rule: exit 2, the source named, nothing written (rc $rc)" $?
"$BIN/detcat-fetch-unpack" -s none -V sigma --include 'nothing/*' fixtures/sigma -o "$T/none-raw.zst" &&
"$BIN/detcat-normalize" --require-rules --mappings mappings "$T/none-raw.zst" -o "$T/none.zst" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "none-raw.zst: no rule file in the input" "$T/err" && [ ! -e "$T/none.zst" ]
check "--require-rules: an --include matching nothing is exit 2 too (rc $rc)" $?
printf 'not json\n{"also": "not a raw file"}\n' > "$T/junk.ndjson"
"$BIN/detcat-normalize" --mappings mappings "$T/junk.ndjson" -o "$T/junk.zst" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && [ ! -e "$T/junk.zst" ]
check "an input where every line is bad is exit 2, not 1 (rc $rc)" $?

# ---- a local source's record holds no date: the same files, the same catalog anywhere ----
cp -R fixtures/sigma "$T/local-sigma"
"$BIN/detcat-fetch-unpack" -s sigma -V sigma --record "$T/local.json" "$T/local-sigma" -o "$T/local.zst" &&
	cp "$T/local.json" "$T/local.before" && sleep 1.1 && touch "$T/local-sigma/rules" "$(find "$T/local-sigma" -type f | head -n 1)" &&
	"$BIN/detcat-fetch-unpack" -s sigma -V sigma --record "$T/local.json" "$T/local-sigma" -o "$T/local.zst"
cmp -s "$T/local.json" "$T/local.before" && jq -e '.kind == "source" and .files > 0 and .stale == false and (has("fetched") | not)' "$T/local.json" >/dev/null
check "a local source's record has no fetch date and does not change with mtimes" $? "$(cat "$T/local.json")"

# ---- the wrong kind of input is named once ----
zstdcat "$T/raw.zst" | gzip -c > "$T/raw.gz"
"$BIN/detcat-normalize" --mappings mappings "$T/raw.gz" -o "$T/x.zst" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$T/err")" -eq 1 ] && grep -q "gzip-compressed input" "$T/err"
check "gzip given as NDJSON: one message, exit 2 (rc $rc, $(wc -l < "$T/err") lines)" $?
"$BIN/detcat-tag" --attack "$T/attack.zst" --events mappings/events.yaml -p "$T/raw.zst" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$T/err")" -eq 1 ] && grep -q "raw-file records of detcat-fetch-unpack: run detcat-normalize on them first" "$T/err"
check "raw records given to detcat-tag: one message saying what to run (rc $rc)" $?
"$BIN/detcat-report" -o "$T/rule-site" "$T/rules.zst" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$T/err")" -eq 1 ] && grep -q "rule records of detcat-normalize: run detcat-tag then detcat-aggregate" "$T/err" &&
	[ ! -e "$T/rule-site" ]
check "rule records given to detcat-report: one message, no site (rc $rc)" $?
"$BIN/detcat-aggregate" --attack "$T/attack.zst" -p "$T/catalog.zst" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$T/err")" -eq 1 ] && grep -q "give --merge" "$T/err"
check "a catalog given to detcat-aggregate without --merge: one message (rc $rc)" $?
{ zstdcat "$T/tagged.zst" | head -n 1; yes 'not json' | head -n 500; } > "$T/many-bad.ndjson"
"$BIN/detcat-aggregate" --attack "$T/attack.zst" -p "$T/many-bad.ndjson" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && [ "$(grep -c 'invalid JSON' "$T/err")" -eq 10 ] && grep -q "490 more messages like these not shown (500 in all)" "$T/err"
check "500 bad lines: 10 shown, the rest counted at the end (rc $rc)" $?
yes 'not json' | head -n 50 > "$T/all-bad.ndjson"
"$BIN/detcat-tag" --attack "$T/attack.zst" --events mappings/events.yaml -p "$T/all-bad.ndjson" >/dev/null 2>"$T/err"; rc1=$?
"$BIN/detcat-aggregate" --attack "$T/attack.zst" -p "$T/all-bad.ndjson" >/dev/null 2>"$T/err"; rc2=$?
[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ]
check "tag and aggregate: when every line is bad, exit 2 (rc $rc1, $rc2)" $?

# a tool that stops on its input leaves nothing in the output's folder
mkdir "$T/outdir"
"$BIN/detcat-normalize" --mappings mappings "$T/tagged.zst" -o "$T/outdir/a.zst" 2>/dev/null
"$BIN/detcat-tag" --attack "$T/attack.zst" --events mappings/events.yaml "$T/folder" -o "$T/outdir/b.zst" 2>/dev/null
"$BIN/detcat-aggregate" --attack "$T/attack.zst" "$T/rules.zst" -o "$T/outdir/c.zst" 2>/dev/null
[ -z "$(ls -A "$T/outdir")" ]
check "a tool that stops on its input leaves no temporary file behind ($(ls -A "$T/outdir" | tr '\n' ' '))" $?

# ---- --attack takes the STIX bundle as downloaded, plain or zstd, as well as the table ----
zstd -qc fixtures/attack/enterprise-attack-mini.json > "$T/bundle.json.zst"
"$BIN/detcat-tag" --attack "$T/attack.zst" --events mappings/events.yaml -p "$T/rules.zst" > "$T/by-table" 2>/dev/null
for b in fixtures/attack/enterprise-attack-mini.json "$T/bundle.json.zst"; do
	"$BIN/detcat-tag" --attack "$b" --events mappings/events.yaml -p "$T/rules.zst" > "$T/by-bundle" 2>"$T/err"; rc=$?
	[ $rc -eq 0 ] && [ -s "$T/by-table" ] && cmp -s "$T/by-table" "$T/by-bundle"
	check "detcat-tag --attack $(basename "$b"): the same records as with the table (rc $rc)" $? "$(head -c 200 "$T/err")"
	"$BIN/detcat-aggregate" --attack "$b" -p "$T/tagged.zst" > "$T/agg-bundle" 2>"$T/err"; rc=$?
	"$BIN/detcat-aggregate" --attack "$T/attack.zst" -p "$T/tagged.zst" > "$T/agg-table" 2>/dev/null
	[ $rc -eq 0 ] && cmp -s "$T/agg-table" "$T/agg-bundle"
	check "detcat-aggregate --attack $(basename "$b"): the same catalog as with the table (rc $rc)" $?
done
echo '{"type": "nope"}' > "$T/not-bundle.json"
"$BIN/detcat-tag" --attack "$T/not-bundle.json" -p "$T/rules.zst" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "neither the table of detcat-attack nor a STIX bundle" "$T/err"
check "--attack with neither: exit 2, says what it expected (rc $rc)" $?

# ---- installed tools find their mappings beside themselves, from any folder ----
make --no-print-directory -s install PREFIX="$T/opt" BIN="$BIN" >"$T/install" 2>&1
check "make install PREFIX=\$T/opt" $? "$(tail -n 3 "$T/install")"
(cd / && "$T/opt/bin/detcat-normalize" --require-rules "$T/raw.zst" -o "$T/installed.zst") 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && [ "$(zstdcat "$T/installed.zst" | grep -c .)" -eq "$(zstdcat "$T/rules2.zst" | grep -c .)" ]
check "the installed detcat-normalize, run from /, finds PREFIX/share/detcat/mappings (rc $rc)" $? "$(head -c 300 "$T/err")"
(cd / && "$T/opt/bin/detcat-tag" --attack "$T/attack.zst" "$T/rules.zst" -o "$T/installed-tagged.zst") 2>"$T/err"; rc=$?
[ $rc -eq 0 ]
check "so does the installed detcat-tag, for events.yaml (rc $rc)" $? "$(head -c 300 "$T/err")"
mv "$T/opt/share/detcat/mappings" "$T/opt/share/detcat/moved"
(cd / && "$T/opt/bin/detcat-normalize" "$T/raw.zst" -o "$T/installed.zst") 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- "--mappings DIR, \$DETCAT_MAPPINGS" "$T/err"
check "mappings missing: exit 2, and the message says how to point at them (rc $rc)" $? "$(cat "$T/err")"
(cd / && DETCAT_MAPPINGS=$T/opt/share/detcat/moved "$T/opt/bin/detcat-normalize" "$T/raw.zst" -o "$T/installed.zst") 2>/dev/null
check "and \$DETCAT_MAPPINGS points at them" $?

# ---- --log: the rules' own messages in a file, the summary on standard error ----
printf '{"source":"s","vendor":"sigma","path":"rules/broken.yml","bytes":9,"sha256":"x","text":"title: [\\n"}\n' > "$T/broken.ndjson"
"$BIN/detcat-normalize" --log "$T/rules.log" --mappings mappings "$T/broken.ndjson" -o "$T/broken.zst" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "rules/broken.yml" "$T/rules.log" && ! grep -q "rules/broken.yml" "$T/err" &&
	grep -q "^detcat-normalize: s: 1 files → 1 rules: 1 failed$" "$T/err" && grep -q "1 message about rules in $T/rules.log" "$T/err"
check "normalize --log: the parse error goes to the log, the summary says where (rc $rc)" $? "$(cat "$T/err")"

"$BIN/detcat-normalize" --require-rules --log "$T/rules.log" --mappings mappings "$T/broken.ndjson" -o "$T/broken2.zst" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "^detcat-normalize: s: every one of its 1 rules failed to parse" "$T/err" && [ ! -e "$T/broken2.zst" ]
check "--require-rules: a source whose every rule failed to parse stops too (rc $rc)" $? "$(cat "$T/err")"

# ---- make alone installs no browser ----
! tools/install-deps.sh --list | grep -qw chromium && tools/install-deps.sh --browser --list | grep -qw chromium
check "install-deps.sh wants chromium only with --browser" $?
[ "$(grep -c 'install-deps.sh --browser' Makefile)" -eq 1 ] &&
	sed -n '/^check-browser:/,/^$/p' Makefile | grep -q 'install-deps.sh --browser'
check "and only the browser test passes --browser" $?

finish cli-tools
