# an array nested 50,000 deep
printf '[rule]\nrule_id = "00000000-0000-4000-8000-0000000000c3"\nx = '
i=0; while [ $i -lt 50000 ]; do printf '['; i=$((i + 1)); done
i=0; while [ $i -lt 50000 ]; do printf ']'; i=$((i + 1)); done
printf '\n'
