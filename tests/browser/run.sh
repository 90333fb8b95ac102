#!/bin/sh
# tests/browser/run.sh BIN SITE [KEEP [PAGE]]: the site as a real browser sees it.
# Debian's chromium, headless with a new empty profile each run, opens
# SITE/index.html and one technique page (PAGE, relative to SITE, or the first
# technique/*.html; PAGE may list several, separated by spaces) from disk and:
# - screenshots it: exit 0, a PNG of 1280x1600 (signature and IHDR read with od),
#   not blank: over 3x the PNG of an empty page rendered the same way (empty page
#   ~9 KB, the index without fonts ~13 KB, the smallest real page ~46 KB);
# - logs every file it loads (--vmodule=file_url_loader_factory=1): each must be a
#   file inside SITE; no console message ("Uncaught", "Failed to load resource",
#   net::ERR_*) and no "Could not find any font" (fonts-dejavu-core missing);
# - dumps the DOM: same <h1> text and as many <a elements outside comments as the
#   source (an unclosed <!-- or quote swallows the rest), and the closing </html>;
# and tests/linkcheck.sh checks every link of SITE. Without chromium the suite
# fails: tools/install-deps.sh --browser installs it. BIN is unused (the suites' convention).
# KEEP: a folder to keep the PNGs, DOMs and chromium logs in.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
site=${2:?usage: run.sh BIN SITE [KEEP [PAGE]]}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
keep=${3:-$tmp/keep}
mkdir -p "$keep" && site=$(cd "$site" && pwd) || exit 2
page=${4:-$(cd "$site" && ls technique/*.html 2>/dev/null | head -n 1)}

# chromium NAME URL ACTION...: one headless run with a fresh profile, log in $keep/NAME.log
chromium_run() {
	name=$1 url=$2; shift 2
	prof=$(mktemp -d "$tmp/profile.XXXXXX")
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--disable-background-networking --no-first-run --user-data-dir="$prof" \
		--window-size=1280,1600 --enable-logging=stderr --v=0 \
		--vmodule=file_url_loader_factory=1 "$@" "$url" 2>"$keep/$name.log"
}
# h1 text of an HTML file (the generator writes <h1> on one line), tags stripped
h1() { sed -n 's/.*<h1[^>]*>\(.*\)<\/h1>.*/\1/p' "$1" | head -n 1 | sed "s/<[^>]*>//g; s/&#39;/'/g; s/&quot;/\"/g"; }
# number of <a elements of an HTML file outside closed comments (the DOM closes an
# unclosed <!-- at the end of the file: what it swallowed is no longer counted)
links() { awk '{ s = $0
	while (s != "") {
		if (inc) { j = index(s, "-->"); c = j ? substr(s, 1, j - 1) : s; cn += gsub(/<a /, "", c)
			if (!j) break; s = substr(s, j + 3); inc = cn = 0; continue }
		i = index(s, "<!--"); o = i ? substr(s, 1, i - 1) : s; n += gsub(/<a /, "", o)
		if (!i) break; s = substr(s, i + 4); inc = 1
	} } END { print n + (inc ? cn : 0) }' "$1"; }
# unsigned big-endian 32-bit integer at byte offset $2 of file $1
be32() { od -An -tu1 -j"$2" -N4 "$1" | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }'; }

if ! command -v chromium >/dev/null 2>&1; then
	check "chromium installed" 1 "chromium not found: install it (apt-get install chromium fonts-dejavu-core; tools/install-deps.sh --browser does)"
else
	check "chromium installed" 0
	printf '<!DOCTYPE html>\n<html><head><title>blank</title></head><body></body></html>\n' >"$tmp/blank.html"
	chromium_run blank "file://$tmp/blank.html" --screenshot="$keep/blank.png" >/dev/null
	blank=$(wc -c <"$keep/blank.png" 2>/dev/null || echo 0)
	[ "$blank" -gt 0 ]; check "an empty page renders ($blank bytes of PNG)" $?
	[ -n "$page" ]; check "a technique page to open (${page:-none})" $?
	for p in index.html $page; do
		n=$(echo "$p" | sed 's,[/:],_,g')
		url=file://$(printf '%s/%s' "$site" "$p" | sed 's/%/%25/g; s/ /%20/g; s/#/%23/g; s/?/%3F/g')
		[ -f "$site/$p" ]; check "$p exists" $?

		chromium_run "$n.shot" "$url" --screenshot="$keep/$n.png" >/dev/null
		rc=$?; check "$p: chromium --screenshot exits 0" $rc "status $rc$([ $rc -eq 124 ] && echo ', timed out after 60 s')"
		sig=$(od -An -tx1 -N16 "$keep/$n.png" 2>/dev/null | tr -d ' \n')
		[ "$sig" = 89504e470d0a1a0a0000000d49484452 ]; check "$p: PNG signature and IHDR" $?
		size=$(be32 "$keep/$n.png" 16)x$(be32 "$keep/$n.png" 20)
		[ "$size" = 1280x1600 ]; check "$p: PNG is 1280x1600" $? "$size"
		bytes=$(wc -c <"$keep/$n.png" 2>/dev/null || echo 0)
		[ "$bytes" -gt $((3 * blank)) ]; check "$p: not blank ($bytes bytes, empty page $blank)" $?
		! grep -q 'Could not find any font' "$keep/$n.shot.log"
		check "$p: fonts found" $? "install fonts-dejavu-core"
		bad=$(grep -E 'Failed to load resource|net::ERR_|Uncaught|:CONSOLE' "$keep/$n.shot.log")
		[ -z "$bad" ]; check "$p: no page errors" $? "$bad"
		# every file the page loaded exists inside SITE
		bad=$(sed -n 's/.*FileURLLoader::Start: file:\/\///p' "$keep/$n.shot.log" | sed 's/[?#].*//' |
			awk '{ s = $0; o = ""; while (match(s, /%[0-9A-Fa-f][0-9A-Fa-f]/)) {
				o = o substr(s, 1, RSTART - 1) sprintf("%c", index("0123456789abcdef", tolower(substr(s, RSTART + 1, 1))) * 16 - 16 + index("0123456789abcdef", tolower(substr(s, RSTART + 2, 1))) - 1)
				s = substr(s, RSTART + 3) } print o s }' |
			while IFS= read -r f; do
				case $f in "$site"/*) [ -f "$f" ] || echo "missing $f" ;; *) echo "outside the site: $f" ;; esac
			done)
		[ -z "$bad" ] && grep -q 'FileURLLoader::Start' "$keep/$n.shot.log"
		check "$p: every file it loads is in the site" $? "$bad"

		chromium_run "$n.dom" "$url" --dump-dom >"$keep/$n.dom.html"
		rc=$?; check "$p: chromium --dump-dom exits 0" $rc "status $rc"
		want=$(h1 "$site/$p") got=$(h1 "$keep/$n.dom.html")
		[ -n "$want" ] && [ "$got" = "$want" ]; check "$p: DOM has the <h1> \"$want\"" $? "got \"$got\""
		want=$(links "$site/$p") got=$(links "$keep/$n.dom.html")
		[ "$got" -eq "$want" ] && grep -q '</html>' "$keep/$n.dom.html"
		check "$p: DOM complete ($got of $want links, </html>)" $?
	done
fi
# Layout at 1,400 x 1,000 (issue 13): a copy of each page with a script that measures
# it once loaded (base href: the site's own files) and writes the figures into the DOM.
# SHOTS (environment): a folder for screenshots of the same pages at that size.
layout_js='<script>addEventListener("load", function () {
	var d = document.documentElement, r = { sw: d.scrollWidth, cw: d.clientWidth, tops: [], h2: [], subs: 0, subs_shown: 0 };
	r.right = 0;
	document.querySelectorAll(".matrix > section").forEach(function (s) { var b = s.getBoundingClientRect();
		r.tops.push(Math.round(b.top)); r.right = Math.max(r.right, Math.round(b.right)); });
	document.querySelectorAll("details.subs").forEach(function (x) { r.subs++;
		if (x.open || x.getBoundingClientRect().height > x.querySelector("summary").getBoundingClientRect().height + 2) r.subs_shown++; });
	document.querySelectorAll("h2").forEach(function (h) { r.h2.push([h.textContent, Math.round(h.getBoundingClientRect().top + scrollY)]); });
	r.height = d.scrollHeight;
	var pre = document.createElement("pre"); pre.id = "layout"; pre.textContent = JSON.stringify(r); document.body.appendChild(pre);
});</script>'
if command -v chromium >/dev/null 2>&1; then
	lpage=$( [ -f "$site/technique/T1204.html" ] && echo technique/T1204.html || echo "$page")
	for p in index.html $lpage; do
		n=layout_$(echo "$p" | sed 's,[/:],_,g')
		dir=$(dirname "$site/$p")
		{ sed "s|<head>|<head><base href=\"file://$dir/\">|" "$site/$p" | sed '$d'; echo "$layout_js"; echo '</html>'; } >"$tmp/$n.html"
		prof=$(mktemp -d "$tmp/profile.XXXXXX")
		timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
			--user-data-dir="$prof" --window-size=1400,1000 --virtual-time-budget=10000 --dump-dom \
			"file://$tmp/$n.html" >"$keep/$n.dom.html" 2>"$keep/$n.log"
		sed -n 's/.*<pre id="layout">\(.*\)<\/pre>.*/\1/p' "$keep/$n.dom.html" | sed 's/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' >"$keep/$n.json"
		jq -e . "$keep/$n.json" >/dev/null 2>&1; check "$p at 1400x1000: measured" $? "$(tail -n 3 "$keep/$n.log")"
		jq -e '.sw <= .cw' "$keep/$n.json" >/dev/null 2>&1
		check "$p at 1400x1000: no horizontal scrollbar" $? "$(jq -c '{sw, cw}' "$keep/$n.json" 2>&1)"
		late=$(jq -r '.h2[] | select(.[1] > 14000) | .[0]' "$keep/$n.json" 2>&1)
		[ -z "$late" ]; check "$p: every section starts within 14,000 px" $? "$late"
		if [ "$p" = index.html ]; then
			jq -e '(.tops | length) >= 1 and (.tops | unique | length) == 1 and .right <= .cw' "$keep/$n.json" >/dev/null 2>&1
			check "index: the matrix's $(jq '.tops | length' "$keep/$n.json" 2>&1) tactics side by side in the window (one row, no scrolling)" $? "$(jq -c '{tops, right, cw}' "$keep/$n.json" 2>&1)"
			jq -e '.subs > 0 and .subs_shown == 0' "$keep/$n.json" >/dev/null 2>&1
			check "index: sub-techniques folded into their technique ($(jq .subs "$keep/$n.json" 2>&1) techniques with some, all closed)" $?
		fi
		if [ -n "${SHOTS:-}" ]; then
			mkdir -p "$SHOTS"
			prof=$(mktemp -d "$tmp/profile.XXXXXX")
			timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
				--user-data-dir="$prof" --window-size=1400,1000 --screenshot="$SHOTS/$(basename "$p" .html).png" \
				"file://$site/$p" >/dev/null 2>&1
		fi
	done
fi
out=$(sh "$here/../linkcheck.sh" "$site"); rc=$?
echo "$out" | sed 's/^/  /'
check "every link of the site resolves" $rc
finish browser
