#!/bin/sh
# compare.sh OLD.json NEW.json: two runs of make bench (out/bench/*.json) side by
# side: each stage's median wall time, CPU time and peak RSS in both, and NEW/OLD.
# A stage only one of them has is shown with a dash for the other.
[ $# -eq 2 ] || { echo "usage: compare.sh OLD.json NEW.json" >&2; exit 2; }
for f in "$1" "$2"; do
	jq -e .stages "$f" >/dev/null 2>&1 || { echo "bench-compare: $f: not a make bench file" >&2; exit 2; }
done
echo "bench-compare: old $(jq -r '"\(.name) (\(.date), load \(.load))"' "$1")"
echo "               new $(jq -r '"\(.name) (\(.date), load \(.load))"' "$2")"
jq -r -n --slurpfile o "$1" --slurpfile n "$2" '
	def f(x): if x == null then "-" else (x * 1000 | round / 1000 | tostring) end;
	def r(a; b): if a == null or b == null or a == 0 then "-" else ((b / a) * 100 | round / 100 | tostring) + "x" end;
	($o[0].stages) as $os | ($n[0].stages) as $ns
	| (["stage", "wall old", "wall new", "ratio", "cpu old", "cpu new", "rss old", "rss new", "ratio"] | @tsv),
	  ((($os | keys) + ($ns | keys) | unique)[] as $k
	   | [$k, f($os[$k].wall), f($ns[$k].wall), r($os[$k].wall; $ns[$k].wall),
	      f($os[$k].cpu), f($ns[$k].cpu), f($os[$k].rss_mb), f($ns[$k].rss_mb), r($os[$k].rss_mb; $ns[$k].rss_mb)] | @tsv)' |
awk -F'\t' '{ printf "  %-30s %9s %9s %7s %9s %9s %8s %8s %7s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }'
