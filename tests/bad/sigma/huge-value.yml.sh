# a 1 MB value beside a broken one (the value alone is fine: it must not hide the error)
printf 'title: huge value\nid: 00000000-0000-4000-8000-0000000000bc\nlogsource: {product: windows}\ndetection:\n  sel:\n    CommandLine|contains: '
awk 'BEGIN { for (i = 0; i < 65536; i++) printf "0123456789abcdef"; printf "\n" }'
printf '  condition: sel and missing\n'
