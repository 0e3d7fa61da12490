# pyheat — out-of-process sampling profiler for CPython.
#   make            build ./pyheat
#   make check      build and run every test (see tests/README.md)
#   make install    PREFIX=/usr/local DESTDIR=
#   make SAN=1      build with ASan+UBSan (into build-san/)
#   make CC=clang   any C11 compiler; -Wall -Wextra -Werror always

PREFIX  ?= /usr/local
DESTDIR ?=
# link what is used: more libraries join as the renderers and native unwinding land
PKGS    := libelf
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
MAIN_OBJ := $(BUILD)/main.o
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
BIN     := $(if $(filter 1,$(SAN)),$(BUILD)/pyheat,pyheat)

.PHONY: all check check-san install clean fuzz units
all: $(BIN) units

$(BIN): $(MAIN_OBJ) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c $(wildcard include/*.h) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

units: $(UNIT_BINS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) $(wildcard include/*.h) | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(BUILD):
	@mkdir -p $(BUILD)

check: all
	tests/run

check-san:
	$(MAKE) SAN=1 all
	PYHEAT=$(CURDIR)/build-san/pyheat PYHEAT_UNITS=$(CURDIR)/build-san/tests PYHEAT_SAN=1 tests/run

install: pyheat
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 pyheat $(DESTDIR)$(PREFIX)/bin/pyheat
	install -m 644 man/pyheat.1 $(DESTDIR)$(PREFIX)/share/man/man1/pyheat.1

clean:
	rm -rf build build-san build-fuzz pyheat
