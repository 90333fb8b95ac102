# a selection of 100,000 distinct fields, one of them written again at the end:
# found without comparing every pair
printf 'title: many keys\nid: 00000000-0000-4000-8000-0000000000d3\nlogsource: {product: windows}\ndetection:\n  sel:\n'
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "    F%d: v\n", i; print "    F7: again" }'
printf '  condition: sel\n'
