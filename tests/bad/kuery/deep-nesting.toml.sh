# a kuery query in 50,000 parentheses
sed -n '1,/^type/p' "$(dirname "$0")/unbalanced-parentheses.toml" | sed 's/000000000401/000000000406/; s/unbalanced parentheses/deep nesting/'
printf "query = '''\n"
i=0; while [ $i -lt 50000 ]; do printf '('; i=$((i + 1)); done
printf 'process.name:cmd.exe'
i=0; while [ $i -lt 50000 ]; do printf ')'; i=$((i + 1)); done
printf "\n'''\n"
