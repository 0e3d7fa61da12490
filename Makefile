# pyheat — out-of-process sampling profiler for CPython.
#   make            build ./pyheat
#   make check      build and run every test (see tests/README.md)
#   make install    PREFIX=/usr/local DESTDIR=
#   make SAN=1      build with ASan+UBSan (into build-san/)
#   make CC=clang   any C11 compiler; -Wall -Wextra -Werror always

PREFIX  ?= /usr/local
DESTDIR ?=
# link what is used: more libraries join as the renderers and native unwinding land
PKGS    := libelf libpng ncursesw
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude $(PKG_CFLAGS) $(CFLAGS)
LDLIBS  := $(PKG_LIBS) -lpthread -lm

ifeq ($(SAN),1)
BUILD   := build-san
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
BUILD   := build
endif

SRCS    := $(wildcard src/*.c)
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/%.o,$(filter-out src/main.c,$(SRCS)))
# the HTML report's and SVG flame graph's JS and CSS (src/html-assets/),
# embedded as a generated C file (contrib/embed-assets)
HTML_ASSETS := $(sort $(wildcard src/html-assets/*.js src/html-assets/*.css))
LIB_OBJS += $(BUILD)/html-assets.o
MAIN_OBJ := $(BUILD)/main.o
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
# test tools: programs the integration tests drive against real targets
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRCS))
BIN     := $(if $(filter 1,$(SAN)),$(BUILD)/pyheat,pyheat)

.PHONY: all check check-san demo install clean fuzz units
all: $(BIN) units

$(BIN): $(MAIN_OBJ) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c $(wildcard include/*.h) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

units: $(UNIT_BINS) $(TOOL_BINS)

$(BUILD)/tests/tools/%: tests/tools/%.c $(LIB_OBJS) $(wildcard include/*.h) | $(BUILD)
	@mkdir -p $(BUILD)/tests/tools
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) $(wildcard include/*.h tests/unit/*.h) | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(BUILD)/html-assets.c: $(HTML_ASSETS) contrib/embed-assets | $(BUILD)
	contrib/embed-assets $(HTML_ASSETS) > $@.tmp$$$$ && mv $@.tmp$$$$ $@

$(BUILD)/html-assets.o: $(BUILD)/html-assets.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD):
	@mkdir -p $(BUILD)

# contrib/setup first: on a fresh machine it installs the compiler and libraries
# the build needs; tests/run then runs `contrib/setup --tests` (interpreters).
check:
	contrib/setup
	$(MAKE) all
	tests/run

# ASan+UBSan build (gcc's, or CC=clang) running the unit, line-table and
# integration tests on a few interpreters (see tests/run).
check-san:
	contrib/setup
	$(MAKE) SAN=1 all
	PYHEAT_SAN=1 PYHEAT=$(CURDIR)/build-san/pyheat PYHEAT_UNITS=$(CURDIR)/build-san/tests tests/run

# Build pyheat and run `pyheat dump` on contrib/demo.py (README's first command).
demo:
	contrib/demo

# libFuzzer targets tests/fuzz/fuzz-NAME.c, each linked with every library
# source (not main.c, cli.c, builtin-*.c) built with the fuzz flags, and run
# for FUZZ_SECONDS on build-fuzz/corpus-NAME, seeded from tests/fuzz/seeds/NAME/.
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Wno-unused-parameter -Iinclude \
                $(PKG_CFLAGS) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_SRCS    := $(filter-out src/main.c src/cli.c src/builtin-%.c,$(SRCS))
FUZZ_OBJS    := $(patsubst src/%.c,build-fuzz/obj/%.o,$(FUZZ_SRCS)) build-fuzz/obj/html-assets.o
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BINS    := $(patsubst %,build-fuzz/fuzz-%,$(FUZZ_NAMES))

fuzz: $(FUZZ_BINS)
	@set -e; for name in $(FUZZ_NAMES); do \
		corpus=build-fuzz/corpus-$$name; mkdir -p $$corpus build-fuzz/artifacts; \
		if [ -d tests/fuzz/seeds/$$name ]; then cp -R tests/fuzz/seeds/$$name/. $$corpus/; fi; \
		echo "fuzz-$$name: $(FUZZ_SECONDS) s on $$corpus ($$(ls $$corpus | wc -l) inputs)"; \
		if ! build-fuzz/fuzz-$$name -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/$$name- $(FUZZ_FLAGS) \
			$$corpus >build-fuzz/fuzz-$$name.log 2>&1; then \
			tail -n 60 build-fuzz/fuzz-$$name.log; \
			echo "fuzz-$$name: FAILED (log: build-fuzz/fuzz-$$name.log, input: build-fuzz/artifacts/$$name-*)"; \
			exit 1; \
		fi; \
		echo "fuzz-$$name: passed ($$(grep -E '^Done [0-9]+ runs' build-fuzz/fuzz-$$name.log | tail -n 1))"; \
	done

build-fuzz/obj/%.o: src/%.c $(wildcard include/*.h)
	@mkdir -p build-fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

build-fuzz/obj/html-assets.o: $(HTML_ASSETS) contrib/embed-assets
	@mkdir -p build-fuzz/obj
	contrib/embed-assets $(HTML_ASSETS) > build-fuzz/obj/html-assets.c
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ build-fuzz/obj/html-assets.c

build-fuzz/libpyheat-fuzz.a: $(FUZZ_OBJS)
	rm -f $@
	ar rcs $@ $^

build-fuzz/fuzz-%: tests/fuzz/fuzz-%.c build-fuzz/libpyheat-fuzz.a $(wildcard include/*.h)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
		build-fuzz/libpyheat-fuzz.a $(PKG_LIBS) -lpthread -lm

install: pyheat
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 pyheat $(DESTDIR)$(PREFIX)/bin/pyheat
	install -m 644 man/pyheat.1 $(DESTDIR)$(PREFIX)/share/man/man1/pyheat.1

clean:
	rm -rf build build-san build-fuzz pyheat
