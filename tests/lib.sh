# tests/lib.sh: sourced by the test scripts. check NAME STATUS [WHY] counts and
# prints one PASS/FAIL line; finish SUITE prints "SUITE: N passed, M failed" and
# gives the suite's exit status; skip_without DIR SUITE ends a suite that needs
# the real corpora cleanly when they are absent.
passed=0 failed=0
check() {
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1)); echo "PASS $1"
	else
		failed=$((failed + 1)); echo "FAIL $1${3:+: $3}"
	fi
}
finish() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
skip_without() {
	if [ ! -d "$1" ]; then
		echo "$2: skipped: $1 is absent"
		echo "$2: 0 passed, 0 failed"
		exit 0
	fi
}
