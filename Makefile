# detcat: build the tools, then the catalog of the sources in $(SOURCES).
#
#   make                                  tools + catalog of pipeline/fixtures.yaml
#   make SOURCES=pipeline/shared.yaml     catalog of ../shared/corpora (out/shared/)
#   make check                            every test, then again under ASan/UBSan
#   make accept / make bench              real corpora: counts / timings
#
# Missing libraries are installed by tools/install-deps.sh before the first compile.

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2
WERROR ?=
SANITIZE ?=
SOURCES ?= pipeline/fixtures.yaml
SHARED ?= ../shared

ifneq ($(SANITIZE),)
BUILD ?= build/san
BIN ?= build/san/bin
# GCC 12 warns of a "null format string" in vsnprintf(NULL, 0, ...) under UBSan: a false positive
SANFLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all -Wno-format-truncation
else
BUILD ?= build/default
BIN ?= bin
SANFLAGS =
endif

PKGS = yaml-0.1 jansson libpcre2-8 libzstd libarchive
# libcurl: headers at build time, loaded at run time by tools/lib/io/http.c
# recursively expanded: evaluated in recipes, after install-deps has run
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) libcurl)
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -ldl
TEST_LIBS = $(shell pkg-config --libs cmocka)

ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DDETCAT_DATADIR='"$(PREFIX)/share/detcat"' $(CFLAGS) $(WARNINGS) $(WERROR) $(SANFLAGS) -Itools/lib $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

LIB_SRC := $(sort $(wildcard tools/lib/*/*.c))
LIB_OBJ := $(LIB_SRC:tools/lib/%.c=$(BUILD)/lib/%.o)
LIB := $(BUILD)/libdetcat.a
TOOL_SRC := $(sort $(wildcard tools/*.c))
TOOLS := $(TOOL_SRC:tools/%.c=$(BIN)/detcat-%)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_PROGS := $(BUILD)/tests/schema-check $(BUILD)/tests/mkhostile $(BUILD)/tests/yaml-parse
DEPS_OK := $(BUILD)/.deps-ok

SET := $(basename $(notdir $(SOURCES)))
OUT := out/$(SET)

.PHONY: all tools catalog check check-unit check-layers check-bad check-fixtures regen check-cli check-schema check-golden check-report check-browser check-http check-chain \
	check-sanitize check-fuzz accept bench bench-fetch bench-normalize fuzz install clean FORCE
.DELETE_ON_ERROR:
# keep object files (make would delete them as intermediates) for incremental builds
.SECONDARY:

all: tools catalog

tools: $(TOOLS)

$(DEPS_OK): tools/install-deps.sh
	@mkdir -p $(@D)
	@tools/install-deps.sh
	@touch $@

$(BUILD)/lib/%.o: tools/lib/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tools/%.o: tools/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tests/yaml-parse.o: tests/bench/yaml_parse.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/unit/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN)/detcat-%: $(BUILD)/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $< $(LIB) $(PKG_LIBS) -lpthread -o $@

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) $< $(LIB) $(PKG_LIBS) $(TEST_LIBS) -lpthread -o $@

$(BUILD)/tests/schema-check $(BUILD)/tests/mkhostile $(BUILD)/tests/yaml-parse: $(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB)
	$(CC) $(ALL_LDFLAGS) $< $(LIB) $(PKG_LIBS) -lpthread -o $@

-include $(LIB_OBJ:.o=.d) $(TOOL_SRC:tools/%.c=$(BUILD)/tools/%.d) $(UNIT:%=%.d) $(TEST_PROGS:%=%.d)

# ---- the catalog chain ----
# $(OUT)/sources.mk holds one rule per source: $(OUT)/raw/NAME.ndjson.zst.
# (left out only when every goal is one of these: `make check-unit check-report`
# on a fresh clone needs the sources, or its catalog would be empty)
ifneq ($(if $(MAKECMDGOALS),$(filter-out clean install tools check-unit,$(MAKECMDGOALS)),all),)
-include $(OUT)/sources.mk
endif

$(OUT)/sources.mk: $(SOURCES) $(BIN)/detcat-pipeline
	@mkdir -p $(OUT)/cmd
	$(BIN)/detcat-pipeline --cmd-dir $(OUT)/cmd $(SOURCES) > $@.tmp && mv $@.tmp $@

RAW = $(SOURCE_NAMES:%=$(OUT)/raw/%.ndjson.zst)
# every source but the ATT&CK bundle holds rules
RULE_SOURCES = $(foreach s,$(SOURCE_NAMES),$(if $(filter attack,$(SOURCE_VENDOR_$(s))),,$(s)))
RULES = $(RULE_SOURCES:%=$(OUT)/rules/%.ndjson.zst)
# a source's rules depend on its vendor's field map (and shared maps), no other
.SECONDEXPANSION:
RULE_MAPPINGS = $(wildcard mappings/fields/$(SOURCE_VENDOR_$(1)).yaml mappings/fields/common.yaml)

# exit status 1 (some rules carry parse errors) is a complete output; a source
# that gives no rule, or an input of nothing but bad lines, is exit 2 and stops.
# The rules' own messages go to rules/NAME.log; the summary line says how many.
$(OUT)/rules/%.ndjson.zst: $(OUT)/raw/%.ndjson.zst $(BIN)/detcat-normalize $$(call RULE_MAPPINGS,$$*)
	@mkdir -p $(@D)
	$(BIN)/detcat-normalize --require-rules --log $(OUT)/rules/$*.log --mappings mappings $< -o $@ || [ $$? -eq 1 ]

# the compact ATT&CK table, read once per build (the bundle is ~40 MB of JSON)
ATTACK_SOURCE = $(firstword $(foreach s,$(SOURCE_NAMES),$(if $(filter attack,$(SOURCE_VENDOR_$(s))),$(s))))
ATTACK_TABLE = $(if $(ATTACK_SOURCE),$(OUT)/attack.ndjson.zst)

$(OUT)/attack.ndjson.zst: $(OUT)/raw/$(ATTACK_SOURCE).ndjson.zst $(BIN)/detcat-attack
	$(BIN)/detcat-attack $< -o $@ || [ $$? -eq 1 ]

# rules tagged with validated ATT&CK techniques and the log events they read
TAGGED = $(if $(ATTACK_TABLE),$(RULE_SOURCES:%=$(OUT)/tagged/%.ndjson.zst))

$(OUT)/tagged/%.ndjson.zst: $(OUT)/rules/%.ndjson.zst $(ATTACK_TABLE) $(BIN)/detcat-tag mappings/events.yaml
	@mkdir -p $(@D)
	$(BIN)/detcat-tag --attack $(ATTACK_TABLE) --events mappings/events.yaml $< -o $@ || [ $$? -eq 1 ]

# one catalog of the whole build: techniques, rules, corpus totals
CATALOG = $(if $(TAGGED),$(OUT)/catalog.ndjson.zst)

# each source's record (raw/NAME.source.json, written by fetch-unpack --record):
# when it was last fetched, whether it is stale; listed in the corpus record
RECORDS = $(SOURCE_NAMES:%=$(OUT)/raw/%.source.json)

$(OUT)/catalog.ndjson.zst: $(TAGGED) $(ATTACK_TABLE) $(BIN)/detcat-aggregate $(wildcard $(RECORDS))
	$(BIN)/detcat-aggregate --attack $(ATTACK_TABLE) $(addprefix --sources ,$(RECORDS)) $(TAGGED) -o $@ || [ $$? -eq 1 ]

# the static site and its Markdown pages; detcat-report rewrites site/.detcat-pages
# (the list of what it wrote) at every run, even when every page kept its bytes:
# make's stamp of the site
SITE = $(if $(CATALOG),$(OUT)/site/.detcat-pages)
# HAVE=PROFILE: the site built for that telemetry profile (runnable rules in the
# matrix and on technique pages, the next events to collect). $(OUT)/site.have
# holds the HAVE of the last site, rewritten when it changes (at parse time, so
# that make -q stays true), so that switching profiles or dropping one rebuilds it.
REPORT_HAVE = $(if $(HAVE),--have $(HAVE))
ifneq ($(wildcard $(OUT)/.),)
$(shell echo '$(HAVE)' | cmp -s - $(OUT)/site.have || echo '$(HAVE)' > $(OUT)/site.have)
endif
$(OUT)/site.have:
	@mkdir -p $(@D) && echo '$(HAVE)' > $@

$(OUT)/site/.detcat-pages: $(CATALOG) $(BIN)/detcat-report $(OUT)/site.have $(if $(HAVE),$(HAVE) mappings/events.yaml)
	$(BIN)/detcat-report $(REPORT_HAVE) -o $(OUT)/site $(CATALOG) || [ $$? -eq 1 ]

# HAVE=PROFILE (a telemetry profile, mappings/profiles/): what it can run, as
# NDJSON (detcat-coverage) and an ATT&CK Navigator layer, beside the catalog
COVERAGE = $(if $(and $(HAVE),$(CATALOG)),$(OUT)/coverage-$(basename $(notdir $(HAVE))).ndjson)
$(OUT)/coverage-%.ndjson: $(CATALOG) $(BIN)/detcat-coverage $(HAVE) mappings/events.yaml
	$(BIN)/detcat-coverage --have $(HAVE) --layer $(OUT)/coverage-$*.layer.json $(CATALOG) -o $@ || [ $$? -eq 1 ]
# the end of a build: where the site is; a stale source (its fetch failed, its last
# good raw file used) makes the build fail here, after the site is written, so that
# cron reports it. The stamp is left out then, so every later make says it again.
DONE = $(if $(SITE),$(OUT)/.built)

$(OUT)/.built: $(SITE) $(wildcard $(RECORDS))
	@stale=$$(grep -l '"stale":true' $(RECORDS) 2>/dev/null | sed 's|.*/||; s|\.source\.json$$||' | tr '\n' ' '); \
	$(if $(filter fixtures,$(SET)),echo "fixtures: the rules that fail are broken on purpose (each tests one bad input); their messages: $(OUT)/rules/*.log";) \
	echo "site: $(OUT)/site/index.html"; \
	if [ -n "$$stale" ]; then \
		echo "make: stale sources: $$stale(their fetch failed; the site shows their last good fetch)" >&2; exit 1; \
	fi; \
	touch $@

catalog: $(RAW) $(RULES) $(ATTACK_TABLE) $(TAGGED) $(CATALOG) $(COVERAGE) $(SITE) $(DONE)

FORCE:

# ---- snapshots and what changed between them (detcat-diff) ----
# make snapshot NAME=x   keep this build's catalog and tagged rules in snapshots/x/
# make diff OLD=x [NEW=y] what changed from snapshot x (a name or a folder) to y, or
#                        to this build: $(OUT)/diff.ndjson, and site/diff.html and
#                        diff.md beside the index, which then links them
.PHONY: snapshot diff
SNAPSHOTS ?= snapshots
snapshot_dir = $(if $(wildcard $(1)/catalog.ndjson.zst),$(1),$(SNAPSHOTS)/$(1))

snapshot: catalog
	@test -n "$(NAME)" || { echo "usage: make snapshot NAME=name" >&2; exit 2; }
	@rm -rf $(SNAPSHOTS)/$(NAME) && mkdir -p $(SNAPSHOTS)/$(NAME)/tagged
	cp $(CATALOG) $(SNAPSHOTS)/$(NAME)/catalog.ndjson.zst
	cp $(TAGGED) $(SNAPSHOTS)/$(NAME)/tagged/

DIFF_NEW = $(if $(NEW),$(call snapshot_dir,$(NEW)),$(OUT))
diff: catalog
	@test -n "$(OLD)" || { echo "usage: make diff OLD=snapshot [NEW=snapshot]" >&2; exit 2; }
	$(BIN)/detcat-diff $(call snapshot_dir,$(OLD)) $(DIFF_NEW) -o $(OUT)/diff.ndjson || [ $$? -eq 1 ]
	$(BIN)/detcat-diff -f html $(call snapshot_dir,$(OLD)) $(DIFF_NEW) -o $(OUT)/site/diff.html || [ $$? -eq 1 ]
	$(BIN)/detcat-diff -f md $(call snapshot_dir,$(OLD)) $(DIFF_NEW) -o $(OUT)/site/diff.md || [ $$? -eq 1 ]
	$(BIN)/detcat-report $(REPORT_HAVE) -o $(OUT)/site $(CATALOG) || [ $$? -eq 1 ]

# ---- tests ----
# Each suite prints PASS/FAIL lines and "SUITE: N passed, M failed"; tests/summary
# adds them up at the end.
RESULTS = $(BUILD)/results

check: tools
	@rm -rf $(BUILD)/results && mkdir -p $(BUILD)/results
	@$(MAKE) --no-print-directory check-unit check-layers check-schema check-cli check-golden check-bad check-fixtures check-report check-browser check-http check-chain check-kql-diff
	@$(MAKE) --no-print-directory check-sanitize
	@$(MAKE) --no-print-directory accept
	@sh tests/summary.sh $(BUILD)/results build/san/results

check-unit: $(UNIT)
	@mkdir -p $(RESULTS)
	@sh tests/run-unit.sh $(RESULTS) $(UNIT)

# inputs every parser must reject cleanly, each followed by a good rule that must survive
check-bad: $(TOOLS)
	@mkdir -p $(RESULTS)
	@sh tests/suite.sh $(RESULTS)/bad.log sh tests/bad/run.sh $(BIN)
	@sh tests/suite.sh $(RESULTS)/bad-diff.log sh tests/bad/diff/run.sh $(BIN)
	@sh tests/suite.sh $(RESULTS)/bad-tools.log sh tests/bad/tools.sh $(BIN)

# our KQL parser beside Microsoft's (Kusto.Language, pinned in tests/kql-diff/package-lock.json,
# installed with npm ci) on the shared corpora and our KQL fixtures
.PHONY: check-kql-diff
check-kql-diff: $(TOOLS)
	@tools/install-deps.sh --node
	@mkdir -p $(RESULTS)
	@sh tests/suite.sh $(RESULTS)/kql-diff.log sh tests/kql-diff/run.sh $(BIN) $(SHARED)/corpora

# every fixture rule file gives its rules, whatever its folder; nothing else does
check-fixtures: catalog
	@mkdir -p $(RESULTS)
	@sh tests/suite.sh $(RESULTS)/fixtures.log sh tests/fixtures.sh $(OUT)

# rewrite the normalize goldens' expected.json from what normalize gives: review the diff
regen: $(TOOLS)
	@sh tests/golden/normalize/run.sh $(BIN) --update

# the library's folders are layers: an include points down, never across vendors
check-layers:
	@mkdir -p $(RESULTS)
	@sh tests/suite.sh $(RESULTS)/layers.log sh tests/layers.sh tools/lib

check-schema: $(BUILD)/tests/schema-check
	@mkdir -p $(RESULTS)
	@sh tests/suite.sh $(RESULTS)/schema.log sh tests/schema/run.sh $(BUILD)/tests/schema-check

check-cli: $(TOOLS) $(BUILD)/tests/mkhostile $(BUILD)/tests/schema-check
	@mkdir -p $(RESULTS)
	@sh tests/suite.sh $(RESULTS)/cli.log sh tests/cli/run.sh $(BIN) $(BUILD)
	@sh tests/suite.sh $(RESULTS)/cli-tools.log sh tests/cli/tools.sh $(BIN) $(BUILD)
	@sh tests/suite.sh $(RESULTS)/man.log sh tests/cli/man.sh $(BIN)

# hand-written expected predicates for one small rule per construct
check-golden: $(TOOLS) $(BUILD)/tests/schema-check
	@mkdir -p $(RESULTS)
	@sh tests/suite.sh $(RESULTS)/golden.log sh tests/golden/normalize/run.sh $(BIN)
	@sh tests/suite.sh $(RESULTS)/golden-diff.log sh tests/golden/diff/run.sh $(BIN) $(BUILD)/tests/schema-check

# the site of the fixtures' catalog: sections, escaping, links, determinism
check-report: $(TOOLS) $(BUILD)/tests/schema-check catalog
	@mkdir -p $(RESULTS)
	@sh tests/suite.sh $(RESULTS)/report.log sh tests/report/run.sh $(BIN) $(OUT)/catalog.ndjson.zst $(BUILD)/tests/schema-check
	@sh tests/suite.sh $(RESULTS)/report-incremental.log sh tests/report/incremental.sh $(BIN) $(OUT)/catalog.ndjson.zst

# the site in headless chromium: renders, loads only its own files, parses whole; every link resolves
check-browser: catalog
	@mkdir -p $(RESULTS)
	@tools/install-deps.sh --browser
	@sh tests/suite.sh $(RESULTS)/browser.log sh tests/browser/run.sh $(BIN) $(OUT)/site $(RESULTS)/browser
	@# the site built for the Sysmon-only profile (its matrix on the index), with event pages
	@rm -rf $(BUILD)/browser-have && $(BIN)/detcat-report --have mappings/profiles/sysmon-windows.yaml -o $(BUILD)/browser-have $(CATALOG) 2>/dev/null
	@sh tests/suite.sh $(RESULTS)/browser-have.log sh tests/browser/run.sh $(BIN) $(BUILD)/browser-have $(RESULTS)/browser-have \
		"event/Sysmon-1.html event/index.html technique/T1204.html"

check-http: $(TOOLS)
	@mkdir -p $(RESULTS)
	@sh tests/suite.sh $(RESULTS)/http.log sh tests/http/run.sh $(BIN) $(BUILD)
	@sh tests/suite.sh $(RESULTS)/http-upstream.log sh tests/http/upstream.sh $(BIN)

check-chain: $(TOOLS)
	@mkdir -p $(RESULTS)
	@sh tests/suite.sh $(RESULTS)/chain.log sh tests/chain/run.sh $(BIN)

# the same suites, built and run with AddressSanitizer and UBSan
check-sanitize:
	@$(MAKE) --no-print-directory SANITIZE=address,undefined tools $(patsubst $(BUILD)/%,build/san/%,$(UNIT) $(TEST_PROGS))
	@rm -rf build/san/results && mkdir -p build/san/results
	@$(MAKE) --no-print-directory SANITIZE=address,undefined check-unit check-schema check-cli check-golden check-bad check-http accept

# real corpora in $(SHARED)/corpora: file counts, sorted and byte-identical output;
# then each front end's own acceptance, tests/accept/vendor-*.sh
ACCEPT = run normalize tag aggregate catalog coverage diff-sigma $(patsubst tests/accept/%.sh,%,$(sort $(wildcard tests/accept/vendor-*.sh)))
accept: tools $(BUILD)/tests/schema-check
	@mkdir -p $(RESULTS)
	@for a in $(ACCEPT); do \
		case $$a in run) log=accept ;; *) log=accept-$$a ;; esac; \
		sh tests/suite.sh $(RESULTS)/$$log.log sh tests/accept/$$a.sh $(BIN) $(BUILD) $(SHARED)/corpora || exit 1; \
	done

# libFuzzer targets (clang): each runs FUZZ_SECONDS on its own corpus folder
FUZZ_SECONDS ?= 60
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_LIB_SRC = $(filter-out tools/lib/io/http.c,$(LIB_SRC))

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) | $(DEPS_OK)
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Itools/lib $(PKG_CFLAGS) \
		$< $(FUZZ_LIB_SRC) $(PKG_LIBS) -lpthread -o $@

# FUZZ_ONLY=fuzz_x runs one target; tests/fuzz/TARGET.seeds (sh, given the corpus
# folder) copies the target's seed inputs in
FUZZ_ONLY ?=
fuzz: $(if $(FUZZ_ONLY),$(FUZZ_ONLY:%=build/fuzz/%),$(FUZZ))
	@for f in $^; do \
		t=$$(basename $$f); \
		mkdir -p build/fuzz/corpus/$$t; \
		[ ! -f tests/fuzz/$$t.seeds ] || sh tests/fuzz/$$t.seeds build/fuzz/corpus/$$t; \
		echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 build/fuzz/corpus/$$t 2>&1 | tail -n 2 || exit 1; \
	done

# every fuzz target for a short fixed time (CI: 10 s each, about 3 minutes in all)
.PHONY: check-fuzz
check-fuzz:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

# make bench: the chain on $(BENCH_SOURCES), each stage, its floors and the incremental
# scenarios, BENCH_RUNS times (median); out/bench/NAME.json (BENCH_NAME=...)
BENCH_SOURCES ?= pipeline/shared.yaml
bench: tools $(BUILD)/tests/yaml-parse
	@tools/install-deps.sh --bench
	@sh tests/bench/chain.sh $(BIN) $(BUILD) $(SHARED)/corpora $(BENCH_SOURCES)

# two runs of make bench side by side: make bench-compare OLD=out/bench/a.json NEW=out/bench/b.json
.PHONY: bench-compare
bench-compare:
	@test -n "$(OLD)" -a -n "$(NEW)" || { echo "usage: make bench-compare OLD=a.json NEW=b.json" >&2; exit 2; }
	@sh tests/bench/compare.sh $(OLD) $(NEW)

bench-fetch: tools
	@sh tests/bench/fetch.sh $(BIN) $(SHARED)/corpora

bench-normalize: tools $(BUILD)/tests/yaml-parse
	@sh tests/bench/normalize.sh $(BIN) $(BUILD) $(SHARED)/corpora

# ---- install ----
install: tools
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/detcat
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	cp -R mappings $(DESTDIR)$(PREFIX)/share/detcat/

clean:
	rm -rf bin build out
