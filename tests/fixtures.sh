#!/bin/sh
# fixtures.sh OUT: counts are assertions too. Every rule file of fixtures/ comes
# out of normalize as its rules, however the collection lays them out, and
# nothing else does (a README, a converter configuration). OUT is the
# fixtures' build folder (out/fixtures). Prints PASS/FAIL per source and
# "fixtures: N passed, M failed".
out=$1
passed=0 failed=0

# source  rules  files that must not become rules (paths, space-separated)
while read -r src want skip; do
	f=$out/rules/$src.ndjson.zst
	if [ ! -f "$f" ]; then
		failed=$((failed + 1))
		echo "FAIL $src: no $f (run make first)"
		continue
	fi
	got=$(zstd -dcf "$f" | wc -l | tr -d ' ')
	bad=
	for p in $skip; do
		[ "$p" = - ] && continue
		if zstd -dcf "$f" | jq -e --arg p "$p" 'select(.path == $p)' >/dev/null; then
			bad="$bad $p"
		fi
	done
	if [ "$got" -ne "$want" ]; then
		failed=$((failed + 1))
		echo "FAIL $src: $got rules, want $want"
	elif [ -n "$bad" ]; then
		failed=$((failed + 1))
		echo "FAIL $src: not rules, yet records:$bad"
	else
		passed=$((passed + 1))
		echo "PASS $src: $got rules"
	fi
done <<'LIST'
sigma 17 -
sigma-thirdparty 3 README.md config/backends.yml
elastic 9 -
splunk 6 -
sentinel 7 -
kql-md 6 -
LIST
echo "fixtures: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
