# a 1 MB search: one comparison or'd 120,000 times, past the cap on predicates a rule may carry
printf 'name: huge search\nid: 00000000-0000-4000-8000-00000000050a\nstatus: production\nsearch: "sourcetype=x (Image=a.exe'
awk 'BEGIN { for (i = 0; i < 120000; i++) printf " OR Image=a.exe"; printf ")\"\n" }'
