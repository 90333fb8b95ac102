#!/bin/sh
# tests/linkcheck.sh DIR: every local link of a generated site leads somewhere.
# For each *.html under DIR, every href="..." and src="..." (HTML-unescaped); for
# each *.md, every markdown link ](target) outside fenced code. http:, https:,
# mailto:, data: and //host links are skipped; any other scheme is broken. The
# rest is resolved against the page's folder, ?query and #fragment are cut off and
# the path percent-decoded; the target must be a file inside DIR (a link that
# climbs out of DIR or starts with / does not work from disk, so it is broken; a
# path ending in / means its index.html). A #fragment into an .html page needs an
# id= (or name=) there; into an .md page, a heading of that GitHub-style slug.
# An href/src value still open at the end of its line is broken (lost quote).
# Prints "linkcheck: FILE: broken link TARGET" (the first 50), then
# "linkcheck: N files, M links, K broken" (M counts external links too).
# Exit 0: none broken; 1: some broken; 2: usage error.
# One find and one awk over the whole site: ~300,000 links take seconds.
[ $# -eq 1 ] && [ -d "$1" ] || { echo "usage: linkcheck.sh DIR" >&2; exit 2; }
root=$(printf '%s' "$1" | sed 's,//*$,,')
[ -n "$root" ] || root=/

prog=$(cat <<'EOF'
BEGIN {
	for (i = 0; i < 256; i++) { chr[i] = sprintf("%c", i); hex[sprintf("%02x", i)] = i; hex[sprintf("%02X", i)] = i }
	ent["amp"] = "&"; ent["lt"] = "<"; ent["gt"] = ">"; ent["quot"] = "\""; ent["apos"] = "'"
}
{ f = substr($0, 3); exists[f] = 1; if (f ~ /\.(html|md)$/) page[++npage] = f }
function utf8(c) {
	if (c < 128) return chr[c]
	if (c < 2048) return chr[192 + int(c / 64)] chr[128 + c % 64]
	if (c < 65536) return chr[224 + int(c / 4096)] chr[128 + int(c / 64) % 64] chr[128 + c % 64]
	return chr[240 + int(c / 262144)] chr[128 + int(c / 4096) % 64] chr[128 + int(c / 64) % 64] chr[128 + c % 64]
}
function unesc(s,   out, e, c, i, d) {	# &amp; &lt; &#39; &#x2f; ... as bytes
	out = ""
	while (match(s, /&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);/)) {
		e = substr(s, RSTART + 1, RLENGTH - 2)
		out = out substr(s, 1, RSTART - 1)
		if (e ~ /^#[xX]/) { c = 0; for (i = 3; i <= length(e); i++) { d = index("0123456789abcdef", tolower(substr(e, i, 1))) - 1; c = c * 16 + d }; out = out utf8(c) }
		else if (e ~ /^#/) out = out utf8(substr(e, 2) + 0)
		else if (e in ent) out = out ent[e]
		else out = out "&" e ";"
		s = substr(s, RSTART + RLENGTH)
	}
	return out s
}
function pdec(s,   out) {
	out = ""
	while (match(s, /%[0-9A-Fa-f][0-9A-Fa-f]/)) {
		out = out substr(s, 1, RSTART - 1) chr[hex[substr(s, RSTART + 1, 2)]]
		s = substr(s, RSTART + 3)
	}
	return out s
}
function broken(f, t) {
	if (++nbroken <= 50) print "linkcheck: " root "/" f ": broken link " t
}
function resolve(base, u,   n, p, i, k, out, path) {	# "" when it leaves DIR
	path = base u
	n = split(path, p, "/"); k = 0
	for (i = 1; i <= n; i++) {
		if (p[i] == "" || p[i] == ".") continue
		if (p[i] == "..") { if (k == 0) return ""; k--; continue }
		st[++k] = p[i]
	}
	out = ""
	for (i = 1; i <= k; i++) out = out (i > 1 ? "/" : "") st[i]
	if (path ~ /\/$/ || out == "" || p[n] == "." || p[n] == "..") out = out (out == "" ? "" : "/") "index.html"
	return out
}
function link(f, t,   u, fr, i, tgt, base) {
	nlinks++
	if (t ~ /^\/\// || tolower(t) ~ /^(https?|mailto|data):/) return
	if (t ~ /^[A-Za-z][A-Za-z0-9+.-]*:/ || t ~ /^\//) { broken(f, t); return }
	u = t; fr = ""
	if ((i = index(u, "#"))) { fr = substr(u, i + 1); u = substr(u, 1, i - 1) }
	if ((i = index(u, "?"))) u = substr(u, 1, i - 1)
	u = pdec(u)
	if (u == "") tgt = f
	else {
		base = f; sub(/[^\/]*$/, "", base)
		if ((tgt = resolve(base, u)) == "") { broken(f, t); return }
	}
	if (!(tgt in exists)) { broken(f, t); return }
	if (fr != "" && tolower(fr) != "top" && tgt ~ /\.(html|md)$/) { nfrag++; ff[nfrag] = f; ft[nfrag] = t; fp[nfrag] = tgt; fid[nfrag] = fr }
}
function slug(f, s,   k) {	# a GitHub heading anchor: lower case, punctuation out, spaces to -
	s = tolower(unesc(s))
	gsub(/[]\[!"#$%&'()*+,.\/:;<=>?@\\^`{|}~]/, "", s)
	gsub(/ /, "-", s)
	k = s; if (k in seen) k = s "-" seen[s]; seen[s]++
	ids[f, k] = 1
}
END {
	for (n = 1; n <= npage; n++) {
		f = page[n]; md = f ~ /\.md$/; fence = 0; split("", seen)
		while ((getline line < f) > 0) {
			if (md) {
				if (line ~ /^ ? ? ?(```|~~~)/) { fence = !fence; continue }
				if (fence) continue
				if (line ~ /^#+ /) { h = line; sub(/^#+ +/, "", h); sub(/ +#* *$/, "", h); slug(f, h) }
				s = line
				while ((i = index(s, "]("))) {
					pre = substr(s, 1, i - 1); s = substr(s, i + 2)
					if (match(pre, /\\+$/) && RLENGTH % 2) continue	# \]( is text
					if (s ~ /^</) { t = substr(s, 2); sub(/>.*/, "", t) } else { t = s; sub(/[ \t)].*/, "", t) }
					link(f, t)
				}
				continue
			}
			s = " " line
			while (match(s, /[ \t\n](href|src|id|name)=("[^"]*"|'[^']*')/)) {
				a = substr(s, RSTART + 1, RLENGTH - 1); s = substr(s, RSTART + RLENGTH)
				i = index(a, "="); v = unesc(substr(a, i + 2, length(a) - i - 2))
				if (substr(a, 1, 1) ~ /[in]/) ids[f, v] = 1; else link(f, v)
			}
			if (match(s, /[ \t](href|src)=["'][^"']*$/)) { nlinks++; broken(f, substr(s, RSTART + 1) " (no closing quote)") }
		}
		close(f)
	}
	for (i = 1; i <= nfrag; i++)
		if (!((fp[i], fid[i]) in ids) && !((fp[i], pdec(fid[i])) in ids)) broken(ff[i], ft[i])
	if (nbroken > 50) print "linkcheck: ... and " nbroken - 50 " more broken links"
	print "linkcheck: " npage " files, " nlinks + 0 " links, " nbroken + 0 " broken"
	exit nbroken > 0
}
EOF
)
cd "$1" && find . -type f | LC_ALL=C sort | LC_ALL=C awk -v root="$root" "$prog"
