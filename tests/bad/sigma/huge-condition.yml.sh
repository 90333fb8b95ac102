# a 1 MB condition: one identifier or'd with itself, then one that is not there
printf 'title: huge condition\nid: 00000000-0000-4000-8000-0000000000b6\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image: x\n  condition: sel'
awk 'BEGIN { for (i = 0; i < 131072; i++) printf " or sel"; printf " or missing\n" }'
