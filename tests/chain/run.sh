#!/bin/sh
# run.sh BIN: the make chain is incremental. On a copy of the fixtures (so the
# real tree is not touched) with a source list of its own: a first make builds
# every source; a second make runs nothing; touching one source's file re-runs
# that source alone; editing one source's entry in the list re-runs it alone.
BIN=$1
top=$(pwd)
tmp=$(mktemp -d)
set_name=chaintest-$$
trap 'rm -rf "$tmp" "$top/out/$set_name"' EXIT
. "$(dirname "$0")/../lib.sh"
cp -R fixtures "$tmp/fixtures"
list=$tmp/$set_name.yaml
write_list() {	# EXTRA-EXCLUDE-FOR-ELASTIC
	cat > "$list" <<LIST
sources:
  - name: sigma
    vendor: sigma
    location: fixtures/sigma
  - name: elastic
    vendor: elastic
    location: fixtures/elastic
    exclude: ["$1"]
  - name: attack
    vendor: attack
    location: fixtures/attack/enterprise-attack-mini.json
LIST
}
write_list "none"
mk() { make --no-print-directory --no-silent SOURCES="$list" BIN="$BIN" "$@" 2>&1; }
# the stages a make ran, as "fetch:NAME", "normalize:NAME", "attack", "tag:NAME", sorted
runs() {
	sed -n -e "s/.*detcat-fetch-unpack --source '\([a-z-]*\)'.*/fetch:\1/p" \
	       -e "s|.*detcat-normalize .*/raw/\([a-z-]*\)\.ndjson\.zst.*|normalize:\1|p" \
	       -e "s|.*detcat-attack .*|attack|p" \
	       -e "s|.*detcat-tag .*/rules/\([a-z-]*\)\.ndjson\.zst.*|tag:\1|p" \
	       -e "s|.*detcat-aggregate .*|aggregate|p" | sort | tr '\n' ' '
}

got=$(mk catalog | runs)
[ "$got" = "aggregate attack fetch:attack fetch:elastic fetch:sigma normalize:elastic normalize:sigma tag:elastic tag:sigma " ]
check "first make runs every stage for every source ($got)" $?
mk -q catalog >/dev/null; check "second make has nothing to do (make -q)" $?
got=$(mk catalog | runs)
[ -z "$got" ]; check "second make runs nothing" $?
touch mappings/fields/sigma.yaml 2>/dev/null && sleep 1.1 && touch mappings/fields/sigma.yaml
got=$(mk catalog | runs)
[ "$got" = "aggregate normalize:sigma tag:sigma " ]; check "a changed Sigma field map re-runs Sigma's normalize and tag, and the catalog ($got)" $?

sleep 1.1
touch "$(find "$tmp/fixtures/sigma" -type f | head -n 1)"
got=$(mk catalog | runs)
[ "$got" = "aggregate fetch:sigma normalize:sigma tag:sigma " ]; check "touching a sigma fixture re-runs sigma's chain and the catalog ($got)" $?

sleep 1.1
touch "$tmp/fixtures/attack/enterprise-attack-mini.json"
got=$(mk catalog | runs)
[ "$got" = "aggregate attack fetch:attack tag:elastic tag:sigma " ]; check "touching the ATT&CK file re-runs its table, the tagging and the catalog, nothing else ($got)" $?

# a change that leaves every page's bytes the same still ends in a site make trusts
sleep 1.1
touch mappings/events.yaml
mk catalog >/dev/null
mk -q catalog >/dev/null; check "after a touch of events.yaml and one make, nothing is left to do (the site's stamp)" $?
got=$(mk catalog | grep -c 'detcat-report ')
[ "$got" = 0 ]; check "and a third make does not run detcat-report again ($got runs)" $?

sleep 1.1
write_list "*/_deprecated/*"
got=$(mk catalog | runs)
[ "$got" = "aggregate fetch:elastic normalize:elastic tag:elastic " ]; check "editing one source's entry re-runs its chain and the catalog ($got)" $?
mk -q catalog >/dev/null; check "and then nothing is left to do" $?

# with a goal that needs no sources beside one that does (make tools catalog, make
# check-unit check-report on a fresh clone), the sources are still read
rm -rf "out/$set_name"
got=$(mk tools catalog | runs)
[ "$got" = "aggregate attack fetch:attack fetch:elastic fetch:sigma normalize:elastic normalize:sigma tag:elastic tag:sigma " ]
check "make tools catalog on an empty out/ builds every stage ($got)" $?

# a raw file without its source record (made by an older detcat) is fetched again
rm "out/$set_name/raw/sigma.source.json"
got=$(mk catalog | runs)
case $got in *fetch:sigma*) ok=0 ;; *) ok=1 ;; esac
[ $ok = 0 ] && [ -s "out/$set_name/raw/sigma.source.json" ]; check "a raw file without its record is fetched again ($got)" $?

# a source that gives no rule stops the build, naming the source, before any site
cat > "$list" <<LIST
sources:
  - name: wrongvendor
    vendor: sigma
    location: fixtures/elastic
  - name: attack
    vendor: attack
    location: fixtures/attack/enterprise-attack-mini.json
LIST
mk catalog > "$tmp/wrong.log"; rc=$?
[ $rc -ne 0 ] && grep -q "detcat-normalize: wrongvendor: no rule in [0-9]* files" "$tmp/wrong.log" &&
	[ ! -e "out/$set_name/rules/wrongvendor.ndjson.zst" ] && ! grep -q "detcat-report " "$tmp/wrong.log"
check "Elastic files under the sigma vendor: make stops with a message naming the source (rc $rc)" $? "$(tail -n 3 "$tmp/wrong.log")"

finish chain
