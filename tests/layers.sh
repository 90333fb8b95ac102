#!/bin/sh
# layers.sh [LIBDIR]: the library's folders are layers, and an include may
# only point down. From the bottom:
#
#   0 common    util, cli, text, sha256, hash map, case mapping
#   1 io        ndjson, rawfile, jsonout, http, yamldoc
#   2 rule      rule records, predicate builder, boolean tree, canon, field maps
#   3 sigma elastic splunk kusto attack    the front ends and ATT&CK: peers,
#               none of which includes another
#   4 catalog   events, the reduce, similar rules
#   5 site      pages, html, navigator
#
# A file may include its own folder's headers and those of any lower layer;
# a folder not listed here is an error too, so that a new folder is placed on
# purpose. Front ends go through the predicate builder (rule/predicate.h): a
# call to a fieldmap_ or canon_ function in a vendor folder is an error too.
# Prints PASS/FAIL per folder and "layers: N passed, M failed".
lib=${1:-tools/lib}
passed=0 failed=0

rank() {
	case $1 in
	common) echo 0 ;;
	io) echo 1 ;;
	rule) echo 2 ;;
	sigma|elastic|splunk|kusto|attack) echo 3 ;;
	catalog) echo 4 ;;
	site) echo 5 ;;
	*) echo -1 ;;
	esac
}

for dir in "$lib"/*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	mine=$(rank "$name")
	bad=
	if [ "$mine" -lt 0 ]; then
		bad="folder '$name' has no layer (tests/layers.sh lists them)"
	else
		for f in "$dir"/*.c "$dir"/*.h; do
			[ -f "$f" ] || continue
			# every quoted include, with its line number
			grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
			sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1 \2/' > "${TMPDIR:-/tmp}/layers.$$"
			while read -r line inc; do
				case $inc in
				*/*) to=${inc%%/*} ;;
				*) bad="$bad
	$f:$line: '$inc' does not name its folder"; continue ;;
				esac
				[ "$to" = "$name" ] && continue
				theirs=$(rank "$to")
				if [ "$theirs" -lt 0 ]; then
					bad="$bad
	$f:$line: '$inc' is in no layer"
				elif [ "$theirs" -ge "$mine" ]; then
					bad="$bad
	$f:$line: $name (layer $mine) includes '$inc' (layer $theirs)"
				fi
			done < "${TMPDIR:-/tmp}/layers.$$"
			rm -f "${TMPDIR:-/tmp}/layers.$$"
			case $name in
			sigma|elastic|splunk|kusto)
				calls=$(grep -n '\b\(fieldmap\|canon\)_[a-z_]*[[:space:]]*(' "$f" |
					sed "s|^|	$f:|; s|\$|   <- fieldmap/canon call: use the predicate builder|")
				[ -n "$calls" ] && bad="$bad
$calls"
				;;
			esac
		done
	fi
	if [ -n "$bad" ]; then
		failed=$((failed + 1))
		echo "FAIL $name:$bad"
	else
		passed=$((passed + 1))
		echo "PASS $name"
	fi
done
echo "layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
