# a condition with 50,000 nested parentheses
printf 'title: deep condition\nid: 00000000-0000-4000-8000-0000000000b5\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image: x\n  condition: '
i=0; while [ $i -lt 50000 ]; do printf '('; i=$((i + 1)); done
printf 'sel'
i=0; while [ $i -lt 50000 ]; do printf ')'; i=$((i + 1)); done
printf '\n'
