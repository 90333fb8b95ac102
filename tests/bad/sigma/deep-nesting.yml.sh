# a detection value nested 50,000 lists deep
printf 'title: deep\nid: 00000000-0000-4000-8000-0000000000b4\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image: '
i=0; while [ $i -lt 50000 ]; do printf '['; i=$((i + 1)); done
printf 'x'
i=0; while [ $i -lt 50000 ]; do printf ']'; i=$((i + 1)); done
printf '\n  condition: sel\n'
