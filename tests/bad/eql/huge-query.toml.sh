# a 1 MB EQL query: one comparison or'd 90,000 times, then a function EQL does not have
sed -n '1,/^type/p' "$(dirname "$0")/unbalanced-parentheses.toml" | sed 's/000000000301/000000000307/; s/unbalanced parentheses/huge query/'
printf "query = '''\nprocess where process.name : \"cmd.exe\""
awk 'BEGIN { for (i = 0; i < 90000; i++) printf " or a == \"x\""; printf " or nosuch(a)\n" }'
printf "'''\n"
