# a 1 MB query: one in-list of 200,000 values, past the builder's cap of predicates per rule
printf 'DeviceProcessEvents\n| where FileName in~ ('
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "%s\"f%d\"", (i ? "," : ""), i % 1000; printf ")\n" }'
