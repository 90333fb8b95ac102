# an EQL condition in 50,000 parentheses
sed -n '1,/^type/p' "$(dirname "$0")/unbalanced-parentheses.toml" | sed 's/000000000301/000000000306/; s/unbalanced parentheses/deep nesting/'
printf "query = '''\nprocess where "
i=0; while [ $i -lt 50000 ]; do printf '('; i=$((i + 1)); done
printf 'process.name : "cmd.exe"'
i=0; while [ $i -lt 50000 ]; do printf ')'; i=$((i + 1)); done
printf "\n'''\n"
