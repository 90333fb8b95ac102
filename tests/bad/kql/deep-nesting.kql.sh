# a where clause in 50,000 parentheses
printf 'DeviceProcessEvents\n| where '
i=0; while [ $i -lt 50000 ]; do printf '('; i=$((i + 1)); done
printf 'FileName == "cmd.exe"'
i=0; while [ $i -lt 50000 ]; do printf ')'; i=$((i + 1)); done
printf '\n'
