# a 1 MB kuery query: one comparison or'd 90,000 times, then a dangling 'and'
sed -n '1,/^type/p' "$(dirname "$0")/unbalanced-parentheses.toml" | sed 's/000000000401/000000000407/; s/unbalanced parentheses/huge query/'
printf "query = '''\nprocess.name:cmd.exe"
awk 'BEGIN { for (i = 0; i < 90000; i++) printf " or a:\"x\""; printf " and \n" }'
printf "'''\n"
