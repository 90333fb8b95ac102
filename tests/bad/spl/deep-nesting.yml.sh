# a search in 50,000 parentheses (and a where in as many)
printf 'name: deep nesting\nid: 00000000-0000-4000-8000-000000000509\nstatus: production\nsearch: "'
i=0; while [ $i -lt 50000 ]; do printf '('; i=$((i + 1)); done
printf 'Image=cmd.exe'
i=0; while [ $i -lt 50000 ]; do printf ')'; i=$((i + 1)); done
printf ' | where '
i=0; while [ $i -lt 50000 ]; do printf 'NOT ('; i=$((i + 1)); done
printf 'a=1'
i=0; while [ $i -lt 50000 ]; do printf ')'; i=$((i + 1)); done
printf '"\n'
