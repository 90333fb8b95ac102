#!/bin/sh
# run-unit.sh RESULTS TEST...: run the cmocka unit tests, print each one's verdict
# and "unit: N passed, M failed" (counting test cases), also into RESULTS/unit.log.
results=$1; shift
passed=0 failed=0
log=$results/unit.log
: > "$log"
for t in "$@"; do
	out=$(CMOCKA_MESSAGE_OUTPUT=stdout "$t" 2>&1); rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' | tail -n 1)
	p=${p:-0} f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or failed outside a test case
	fi
	if [ "$f" -ne 0 ] || [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out" | tee -a "$log"
		echo "FAIL $(basename "$t") ($p passed, $f failed, exit $rc)" | tee -a "$log"
	else
		echo "PASS $(basename "$t") ($p tests)" | tee -a "$log"
	fi
	passed=$((passed + p)) failed=$((failed + f))
done
echo "unit: $passed passed, $failed failed" | tee -a "$log"
[ "$failed" -eq 0 ]
