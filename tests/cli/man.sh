#!/bin/sh
# man.sh BIN: every man page renders with groff -ww (all warnings) and none, holds
# no control character (a literal form feed where "\f" was meant once rendered
# "navigator/all.jsoRP"), shows no stray font letter ("rule_idR;"), and names
# the same long options as its tool's --help, both ways.
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
. tests/lib.sh
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for page in man/*.1; do
	tool=$(basename "$page" .1)
	groff -Tutf8 -ww -man "$page" > "$T/out" 2> "$T/warn"
	[ $? -eq 0 ] && [ ! -s "$T/warn" ] && [ -s "$T/out" ]
	check "$tool(1) renders with groff -Tutf8 -ww -man, no warning" $? "$(head -n 3 "$T/warn")"
	! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$page"
	check "$tool(1) holds no control character" $?
	col -b < "$T/out" > "$T/text"
	! grep -nE '[a-z0-9_]R[,;.:)]|R,P|[a-z]RP' "$T/text" > "$T/stray"
	check "$tool(1) shows no stray font letter" $? "$(head -n 3 "$T/stray")"
	if [ -x "$BIN/$tool" ]; then
		"$BIN/$tool" --help | sed -n 's/^  *\(-[a-zA-Z], \)*\(--[a-z][a-z-]*\).*/\2/p' | sort -u > "$T/help"
		# the options are the tagged paragraphs: the line after each .TP
		awk 'tp { print } { tp = ($0 == ".TP") }' "$page" |
			sed -n 's/^\.[BI][RI]* *\(\\-[a-zA-Z] *", " *\)*\\-\\-\([a-z][a-z-]*\).*/--\2/p' |
			sed 's/\\-/-/g' | sort -u > "$T/man"
		missing=$(comm -23 "$T/help" "$T/man" | tr '\n' ' ')
		extra=$(comm -13 "$T/help" "$T/man" | tr '\n' ' ')
		[ -z "$missing" ] && [ -z "$extra" ]
		check "$tool(1) documents every option of --help, and no other" $? "missing: $missing; not in --help: $extra"
	fi
done
# the detcat-attack(1) example, on the table of our fixture bundle: revoked ids
# and their replacements, not the head record's [null,null] first
filter=$(sed -n "s/^zstdcat attack.ndjson.zst | jq \\\\-c '\\(.*\\)'\$/\\1/p" man/detcat-attack.1)
"$BIN/detcat-fetch-unpack" -s attack -V attack fixtures/attack/enterprise-attack-mini.json -o "$T/raw.zst" &&
	"$BIN/detcat-attack" "$T/raw.zst" -o "$T/attack.zst" &&
	zstdcat "$T/attack.zst" | jq -c "$filter" > "$T/example"
[ -n "$filter" ] && [ -s "$T/example" ] && ! grep -q null "$T/example"
check "the detcat-attack(1) example prints revoked ids and their replacements ($(head -n 1 "$T/example"))" $? "filter: $filter"
finish man
