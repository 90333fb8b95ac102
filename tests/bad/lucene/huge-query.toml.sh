# a 1 MB Lucene query: one term or'd 90,000 times, then a dangling AND
sed -n '1,/^type/p' "$(dirname "$0")/unbalanced-parentheses.toml" | sed 's/000000000451/000000000457/; s/unbalanced parentheses/huge query/'
printf "query = '''\nprocess.name:cmd.exe"
awk 'BEGIN { for (i = 0; i < 90000; i++) printf " OR a:\"x\""; printf " AND\n" }'
printf "'''\n"
