#!/bin/sh
# summary.sh DIR...: add up the "SUITE: N passed, M failed" lines of every log in
# the result folders and print the closing line of the whole suite.
passed=0 failed=0
for d in "$@"; do
	[ -d "$d" ] || continue
	for log in "$d"/*.log; do
		[ -f "$log" ] || continue
		line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
		if [ -z "$line" ]; then
			echo "summary: $log has no result line" >&2
			failed=$((failed + 1))
			continue
		fi
		p=$(echo "$line" | sed 's/^[a-z-]*: \([0-9]*\) passed.*/\1/')
		f=$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')
		passed=$((passed + p)) failed=$((failed + f))
	done
done
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
