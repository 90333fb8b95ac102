# a 1 MB ES|QL query: one comparison or'd 90,000 times, then a comparison with null
sed -n '1,/^type/p' "$(dirname "$0")/unbalanced-parentheses.toml" | sed 's/000000000311/000000000317/; s/unbalanced parentheses/huge query/'
printf "query = '''\nFROM logs-* | WHERE process.name == \"cmd.exe\""
awk 'BEGIN { for (i = 0; i < 90000; i++) printf " OR a == \"x\""; printf " OR b == null\n" }'
printf "'''\n"
