#!/bin/sh
# suite.sh LOG CMD...: run one test suite, keep its output in LOG (for summary.sh),
# show it, and exit with the suite's status.
log=$1; shift
mkdir -p "$(dirname "$log")"
"$@" > "$log" 2>&1
rc=$?
cat "$log"
exit $rc
