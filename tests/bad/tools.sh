#!/bin/sh
# tools.sh BIN: hostile input and faults given to every stage (SPEC §8, issue 15).
# For each of normalize, tag, aggregate, attack, report and diff: a 100 MB
# single-line record and a JSON nesting bomb (100,000 deep) among good records,
# a zstd stream with a corrupt frame; then a closed pipe, SIGTERM and SIGINT in
# the middle of a run writing -o over a previous output, a full disk (a 64 KiB
# tmpfs), ATT&CK input that is not STIX or is STIX but empty, and 5,000 YAML
# documents in one file. Each check looks at the exit status, the message's
# shape, and the good records still in the output.
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
. tests/lib.sh
T=$(mktemp -d)
trap 'umount "$T/full" 2>/dev/null; rm -rf "$T"' EXIT
"$BIN/detcat-fetch-unpack" -s attack -V attack fixtures/attack/enterprise-attack-mini.json -o "$T/attack-raw.zst" &&
"$BIN/detcat-attack" "$T/attack-raw.zst" -o "$T/attack.zst" 2>/dev/null &&
"$BIN/detcat-fetch-unpack" -s sigma -V sigma fixtures/sigma -o "$T/raw.zst" &&
{ "$BIN/detcat-normalize" --mappings mappings "$T/raw.zst" -o "$T/rules.zst" 2>/dev/null || [ $? -eq 1 ]; } &&
"$BIN/detcat-tag" --attack "$T/attack.zst" --events mappings/events.yaml "$T/rules.zst" -o "$T/tagged.zst" 2>/dev/null &&
"$BIN/detcat-aggregate" --attack "$T/attack.zst" "$T/tagged.zst" -o "$T/catalog.zst" 2>/dev/null
check "the fixtures' chain builds" $?

# the command line of each stage, its input; the run's records as plain NDJSON on stdout
stage() {	# TOOL INPUT
	t=$1 in=$2
	case $t in
	normalize) "$BIN/detcat-normalize" --mappings mappings -p "$in" ;;
	tag) "$BIN/detcat-tag" --attack "$T/attack.zst" --events mappings/events.yaml -p "$in" ;;
	aggregate) "$BIN/detcat-aggregate" --attack "$T/attack.zst" -p "$in" ;;
	attack) "$BIN/detcat-attack" -p "$in" ;;
	report) rm -rf "$T/site"; "$BIN/detcat-report" -o "$T/site" "$in"; rc=$?; cat "$T/site/.detcat-pages" 2>/dev/null; return $rc ;;
	diff) "$BIN/detcat-diff" "$T/catalog.zst" "$in" ;;
	esac
}
input_of() {
	case $1 in
	normalize) echo raw ;; tag) echo rules ;; aggregate) echo tagged ;; attack) echo attack-raw ;;
	*) echo catalog ;;
	esac
}

{ printf '{"x":"'; head -c 100000000 /dev/zero | tr '\0' a; printf '"}\n'; } > "$T/huge.line"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; for (i = 0; i < 100000; i++) printf "]"; printf "\n" }' > "$T/deep.line"
for t in normalize tag aggregate attack report diff; do
	in=$(input_of $t)
	zstdcat "$T/$in.zst" > "$T/good.ndjson"
	stage $t "$T/good.ndjson" > "$T/want" 2>/dev/null; wrc=$?
	for bad in huge deep; do
		# the bad line second: the tools check the first record's kind
		{ head -n 1 "$T/good.ndjson"; cat "$T/$bad.line"; tail -n +2 "$T/good.ndjson"; } > "$T/in.ndjson"
		start=$(date +%s)
		stage $t "$T/in.ndjson" > "$T/out" 2> "$T/err"; rc=$?
		secs=$(( $(date +%s) - start ))
		case $t in
		diff) want_rc=2 ;;	# a catalog with a broken line is trouble: diff(1)'s 2
		*) want_rc=1 ;;
		esac
		[ $rc -eq $want_rc ] && [ $secs -lt 60 ] &&
			grep -q "^detcat-$t: $T/in.ndjson:2: " "$T/err" &&
			! grep -v "^detcat-$t: " "$T/err" | grep -q . &&
			{ [ $t = diff ] || cmp -s "$T/want" "$T/out"; }
		check "$t: a $bad line among good records: exit $want_rc in ${secs}s, one message naming line 2, the good records all there (rc $rc, clean run rc $wrc)" $? "$(head -c 300 "$T/err")"
	done
	# a zstd stream whose second frame is corrupt (a byte of its header flipped)
	{ head -n 1 "$T/good.ndjson" | zstd -q; tail -n +2 "$T/good.ndjson" | zstd -q; } > "$T/two.zst"
	off=$(head -n 1 "$T/good.ndjson" | zstd -q | wc -c)
	cp "$T/two.zst" "$T/corrupt.zst"
	printf '\377\377\377\377\377\377' | dd of="$T/corrupt.zst" bs=1 seek=$((off + 4)) conv=notrunc 2>/dev/null
	stage $t "$T/corrupt.zst" > "$T/out" 2> "$T/err"; rc=$?
	[ $rc -ge 1 ] && [ $rc -le 2 ] && grep -q "^detcat-$t: .*corrupt.zst" "$T/err" &&
		[ "$(grep -c . "$T/err")" -le 3 ] && ! grep -v "^detcat-$t: " "$T/err" | grep -q .
	check "$t: a corrupt zstd frame: exit 1 or 2 with a message naming the file (rc $rc)" $? "$(head -c 300 "$T/err")"
done

# ---- a closed pipe: `| head -n 1` on an output far bigger than a pipe's buffer
# (so the tool is still writing when head has gone): quiet, exit 0, never
# killed by SIGPIPE (141) ----
i=0
while [ $i -lt 5000 ]; do
	printf -- '---\ntitle: doc %d\nid: 00000000-0000-4000-8000-%012d\ntags: [attack.execution, attack.t1059.001]\nlogsource: {product: windows, category: process_creation}\ndetection:\n  sel:\n    Image: x%d\n  condition: sel\n' $i $i $i
	i=$((i + 1))
done > "$T/pipe.yml"
mkdir -p "$T/pipe-src/rules"
for k in 1 2 3 4 5 6 7 8; do sed "s/^id: 00000000-0000-4000-8000-0/id: 0000000$k-0000-4000-8000-0/" "$T/pipe.yml" > "$T/pipe-src/rules/many-$k.yml"; done
"$BIN/detcat-fetch-unpack" -s sigma -V sigma "$T/pipe-src" -o "$T/pipe-raw.zst" &&
"$BIN/detcat-normalize" --mappings mappings "$T/pipe-raw.zst" -o "$T/pipe-rules.zst" 2>/dev/null &&
"$BIN/detcat-tag" --attack "$T/attack.zst" --events mappings/events.yaml "$T/pipe-rules.zst" -o "$T/pipe-tagged.zst" 2>/dev/null &&
"$BIN/detcat-aggregate" --attack "$T/attack.zst" "$T/pipe-tagged.zst" -o "$T/pipe-catalog.zst" 2>/dev/null
check "40,000 rules for the closed-pipe checks build" $?
# an ATT&CK bundle of 5,000 more techniques: clones of the mini bundle's first, new ids
jq -c '.objects |= (. + (first(.[] | select(.type == "attack-pattern")) as $t | [range(5000) as $n | $t
	| .id = "attack-pattern--00000000-0000-4000-8000-\($n + 100000000000)" | .name = "\(.name) \($n)"
	| .external_references[0].external_id = "T\($n + 5000)"]))' fixtures/attack/enterprise-attack-mini.json > "$T/big-attack.json"
"$BIN/detcat-fetch-unpack" -s attack -V attack "$T/big-attack.json" -o "$T/big-attack-raw.zst"
for t in fetch-unpack normalize tag aggregate attack diff; do
	case $t in
	fetch-unpack) set -- "$BIN/detcat-fetch-unpack" -s sigma -V sigma -p "$T/pipe-src" ;;
	normalize) set -- "$BIN/detcat-normalize" --mappings mappings -p "$T/pipe-raw.zst" ;;
	tag) set -- "$BIN/detcat-tag" --attack "$T/attack.zst" --events mappings/events.yaml -p "$T/pipe-rules.zst" ;;
	aggregate) set -- "$BIN/detcat-aggregate" --attack "$T/attack.zst" -p "$T/pipe-tagged.zst" ;;
	attack) set -- "$BIN/detcat-attack" -p "$T/big-attack-raw.zst" ;;
	diff) set -- "$BIN/detcat-diff" "$T/catalog.zst" "$T/pipe-catalog.zst" ;;
	esac
	size=$("$@" 2>/dev/null | wc -c)
	{ "$@" 2> "$T/err"; echo $? > "$T/rc"; } | head -n 1 > /dev/null
	rc=$(cat "$T/rc")
	[ "$size" -gt 500000 ] && [ "$rc" -eq 0 ] && ! grep -qi 'pipe\|write\|error' "$T/err"
	check "$t | head -n 1 ($size bytes of output): quiet, exit 0 (rc $rc)" $? "$(head -c 200 "$T/err")"
done

# ---- 5,000 YAML documents in one file: 5,000 rules ----
i=0
while [ $i -lt 5000 ]; do
	printf -- '---\ntitle: doc %d\nid: 00000000-0000-4000-8000-%012d\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image: x%d\n  condition: sel\n' $i $i $i
	i=$((i + 1))
done > "$T/many.yml"
jq -cn --rawfile text "$T/many.yml" '{source: "g", vendor: "sigma", path: "rules/many.yml", sha256: "", bytes: ($text | utf8bytelength), text: $text}' > "$T/many.ndjson"
"$BIN/detcat-normalize" --mappings mappings -p "$T/many.ndjson" > "$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && [ "$(jq -r .parse.status "$T/out" | grep -c '^ok$')" -eq 5000 ]
check "5,000 YAML documents in one file give 5,000 rules, ok (rc $rc)" $? "$(head -c 300 "$T/err")"

# ---- SIGTERM and SIGINT mid-run: the previous output intact, no temporary file ----
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	jq -c --arg k $k '.path = "rules/many-\($k).yml"' "$T/many.ndjson"
done | zstd -q > "$T/slow.zst"
for sig in TERM INT; do
	mkdir -p "$T/sig-$sig"
	cp "$T/rules.zst" "$T/sig-$sig/rules.zst"
	# a script's background job starts with SIGINT ignored: give it back its default
	env --default-signal=INT "$BIN/detcat-normalize" --mappings mappings "$T/slow.zst" -o "$T/sig-$sig/rules.zst" 2>/dev/null &
	pid=$!
	sleep 0.3
	kill -$sig $pid 2>/dev/null
	wait $pid; rc=$?
	cmp -s "$T/rules.zst" "$T/sig-$sig/rules.zst" && [ "$(ls -A "$T/sig-$sig")" = rules.zst ]
	check "SIG$sig in the middle of normalize -o: the previous output intact, nothing else in its folder (rc $rc: $(ls -A "$T/sig-$sig" | tr '\n' ' '))" $?
done

# ---- a full disk: a 64 KiB tmpfs ----
mkdir -p "$T/full"
if mount -t tmpfs -o size=64k tmpfs "$T/full" 2>/dev/null; then
	for t in fetch-unpack normalize tag aggregate attack diff; do
		case $t in
		fetch-unpack) set -- "$BIN/detcat-fetch-unpack" -s sigma -V sigma -p "$T/pipe-src" ;;
		normalize) set -- "$BIN/detcat-normalize" --mappings mappings -p "$T/pipe-raw.zst" ;;
		tag) set -- "$BIN/detcat-tag" --attack "$T/attack.zst" --events mappings/events.yaml -p "$T/pipe-rules.zst" ;;
		aggregate) set -- "$BIN/detcat-aggregate" --attack "$T/attack.zst" -p "$T/pipe-tagged.zst" ;;
		attack) set -- "$BIN/detcat-attack" -p "$T/big-attack-raw.zst" ;;
		diff) set -- "$BIN/detcat-diff" "$T/catalog.zst" "$T/pipe-catalog.zst" ;;
		esac
		"$@" -o "$T/full/out.ndjson" 2>"$T/err"
		rc=$?
		left=$(ls -A "$T/full")
		[ $rc -eq 2 ] && grep -q "^detcat-$t: $T/full/out.ndjson: No space left on device\$" "$T/err" &&
			[ "$(grep -c 'No space\|write\|error' "$T/err")" -eq 1 ] && [ -z "$left" ]
		ok=$?
		rm -f "$T/full"/*
		check "$t -o on a full disk: exit 2, one message 'FILE: No space left on device', nothing left behind (rc $rc: $left)" $ok "$(head -c 300 "$T/err")"
	done
	umount "$T/full"
else
	echo "not run: full disk (needs root to mount a tmpfs)"
fi

# ---- ATT&CK input that is not STIX, or STIX but empty ----
printf '{"hello": "world"}\n' > "$T/not-stix.json"
printf '{"type": "bundle", "id": "bundle--0", "objects": []}\n' > "$T/empty-stix.json"
for b in not-stix empty-stix; do
	"$BIN/detcat-fetch-unpack" -s attack -V attack -p "$T/$b.json" -o "$T/$b.raw" 2>/dev/null
	"$BIN/detcat-attack" -p "$T/$b.raw" > "$T/out" 2> "$T/err"; rc=$?
	[ $rc -eq 2 ] && [ ! -s "$T/out" ] && grep -q "^detcat-attack: .*no enterprise ATT&CK technique" "$T/err"
	check "detcat-attack on $b: exit 2, says no technique was found (rc $rc)" $? "$(head -c 300 "$T/err")"
done


finish bad-tools
