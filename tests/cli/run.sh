#!/bin/sh
# run.sh BIN BUILD: golden CLI tests. Each folder tests/cli/TOOL/CASE holds
#   args     the command line after the tool name (sh words; $H is the folder of
#            hostile inputs made by mkhostile, with attack-raw.ndjson and
#            attack.zst, the raw record and the ATT&CK table of fixtures/attack;
#            $C the case folder)
#   stdout   expected standard output (the tools run with --plain)
#   stderr   expected standard error
#   rc       expected exit status
#   output   (optional) expected contents of the file "$O" the case writes with
#            -o "$O" (compared decompressed)
#   jq       (optional) a jq filter applied to each output record before the
#            comparison, to leave out what the case is not about (long texts)
# REGEN=1 rewrites the expectations from the current run; review the diff line by
# line before committing it.
BIN=$1 BUILD=$2
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."	# paths (BIN, BUILD, schema/) are the repository's
H=$(mktemp -d)
trap 'rm -rf "$H"' EXIT
"$BUILD/tests/mkhostile" "$H" || { echo "cli: 0 passed, 1 failed"; exit 1; }
# the ATT&CK table of our fixture bundle, for the detcat-tag cases ($H/attack.zst)
"$BIN/detcat-fetch-unpack" -s attack -V attack --plain fixtures/attack/enterprise-attack-mini.json \
	-o "$H/attack-raw.ndjson" && "$BIN/detcat-attack" "$H/attack-raw.ndjson" -o "$H/attack.zst" ||
	{ echo "cli: 0 passed, 1 failed"; exit 1; }
export H
passed=0 failed=0
for c in "$here"/*/*/; do
	c=${c%/}
	name=${c#"$here"/}
	tool=${name%%/*}
	[ -f "$c/args" ] || continue
	out=$(mktemp -d)
	C=$c
	O=$out/output
	export C O
	eval "set -- $(cat "$c/args")"
	"$BIN/detcat-$tool" "$@" >"$out/stdout" 2>"$out/stderr"; echo $? >"$out/rc"
	if [ -f "$c/jq" ]; then
		jq -c "$(cat "$c/jq")" < "$out/stdout" > "$out/filtered" 2>&1 && mv "$out/filtered" "$out/stdout"
	fi
	if [ -f "$c/output" ]; then
		zstd -dcf "$O" > "$out/output.plain" 2>&1
		mv "$out/output.plain" "$out/output"
	fi
	# messages name the temporary folders, which differ on every run
	sed -i -e "s|$H|\$H|g" -e "s|$out|\$OUT|g" -e "s|$c|\$C|g" "$out/stderr" "$out/stdout"
	if [ -n "${REGEN:-}" ]; then
		cp "$out/stdout" "$out/stderr" "$out/rc" "$c/"
		[ -f "$c/output" ] && cp "$out/output" "$c/output"
	fi
	ok=1
	files="stdout stderr rc"
	[ -f "$c/output" ] && files="$files output"
	for f in $files; do
		if ! cmp -s "$out/$f" "$c/$f"; then
			ok=0
			echo "--- $name: $f differs"
			diff -u "$c/$f" "$out/$f" | head -n 40
		fi
	done
	# every record fetch-unpack writes is a raw-file record
	if [ "$tool" = fetch-unpack ] && [ ! -f "$c/jq" ] && [ "$(head -c 1 "$out/stdout")" = "{" ] &&
	   ! "$BUILD/tests/schema-check" schema/raw-file.schema.json "$out/stdout" 2>"$out/schema"; then
		ok=0
		echo "--- $name: output does not fit schema/raw-file.schema.json"
		head -n 5 "$out/schema"
	fi
	if [ $ok = 1 ]; then
		passed=$((passed + 1)); echo "PASS $name"
	else
		failed=$((failed + 1)); echo "FAIL $name"
	fi
	rm -rf "$out"
done
echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
