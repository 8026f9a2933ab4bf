# systour — build, run, test, install.
# `make run` and `make test` first make sure the Debian packages they need are
# there (scripts/deps.sh). `make test SAN=1` builds under ASan and UBSan.

PREFIX  ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0

CC      ?= cc
PKGS    := ncursesw readline sqlite3 md4c libcrypto vterm hiredis
# CFLAGS is the user's (optimisation, debug info: `make CFLAGS=-O0`); what
# the code needs to build at all is in STCFLAGS and always applies.
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
APP_DIRS := $(sort $(dir $(wildcard app/*/*.c)))
APP_INC  := -Iapp $(patsubst %/,-I%,$(APP_DIRS))
STCFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
           -DSYSTOUR_VERSION='"$(VERSION)"' \
           -DSYSTOUR_LESSONS_DIR='"$(PREFIX)/share/systour/lessons"' \
           -DSYSTOUR_EXERCISES_DIR='"$(PREFIX)/share/systour/exercises"' \
           $(APP_INC) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lncursesw -ltinfo -lreadline -lsqlite3 -lmd4c -lcrypto -lvterm -lhiredis) -ldl -lpthread -lutil

ifeq ($(SAN),1)
BUILD   := build-san
SANFLAGS := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
STCFLAGS += $(SANFLAGS) -DSYSTOUR_MODULE_FILE='"demos.san.so"'
MODULE  := demos.san.so
LDFLAGS += -fsanitize=address,undefined
BIN     := $(BUILD)/systour
else
BUILD   := build
BIN     := systour
MODULE  := demos.so
endif
ALL_CFLAGS = $(CFLAGS) $(STCFLAGS)

APP_SRC := $(wildcard app/*.c app/*/*.c)
APP_HDR := $(wildcard app/*/*.h)
APP_OBJ := $(APP_SRC:app/%.c=$(BUILD)/app/%.o)
LIB_OBJ := $(filter-out $(BUILD)/app/main.o,$(APP_OBJ))
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
MODULES := $(patsubst %/demos.c,%/$(MODULE),$(wildcard lessons/*/demos.c))

.PHONY: all run test unit bench install uninstall clean deps deps-test \
        fuzz fuzz-build fuzz-merge

all: $(BIN) $(MODULES)

deps:
	@sh scripts/deps.sh run
deps-test:
	@sh scripts/deps.sh test

run: deps
	@$(MAKE) --no-print-directory all
	./$(BIN)

$(BIN): $(APP_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/app/%.o: app/%.c $(APP_HDR) data/*.sql
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Lesson modules are built beside their source, so the source tree and the
# installed tree look the same to the loader. A lesson with a demos.c (its
# module table) has a module, built from every .c file of its folder
# (demos.c and, say, one demo_*.c per demo) and the shared helpers of
# app/demo/demo_lib.c; only demos.so is installed. Under SAN=1 they are
# instrumented too, as demos.san.so, which only the sanitizer build loads.
MODULE_SRC := $(wildcard app/demo/demo_lib.c)
.SECONDEXPANSION:
lessons/%/$(MODULE): lessons/%/demos.c $$(wildcard lessons/$$*/*.c) $(MODULE_SRC) \
                    $(wildcard app/demo/*.h) $$(wildcard lessons/$$*/*.h)
	$(CC) $(CFLAGS) -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter $(SANFLAGS) \
	      -fPIC -shared -Iapp/demo -o $@ $(filter %.c,$^) -lpthread

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/unit.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)

# Bench programs link with the app's objects, as the unit tests do.
$(BUILD)/bench/%: bench/%.c $(LIB_OBJ) $(wildcard lessons/*/*.h) $(wildcard bench/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

bench: deps-test
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@SYSTOUR=$(CURDIR)/$(BIN) BUILD=$(BUILD) sh bench/run.sh

test: deps-test
	@$(MAKE) --no-print-directory all unit SAN=$(SAN)
	@SYSTOUR=$(CURDIR)/$(BIN) BUILD=$(BUILD) sh tests/run.sh

# libFuzzer targets (tests/fuzz/) for the frames and the handshake
# (app/queue/wire.c) and the pickle codec (app/pickle/*.c), built with clang into
# build-fuzz/. `make fuzz` runs each for FUZZ_SECONDS over
# tests/fuzz/corpus/T, keeping new inputs in build-fuzz/corpus/T;
# `make fuzz-merge` minimizes the seeds and those together into
# build-fuzz/merged/T, to pick from for checking in.
FUZZ_CC      ?= $(shell command -v clang 2>/dev/null || command -v clang-14 2>/dev/null)
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer \
                -fsanitize=fuzzer-no-link,address,undefined \
                -fno-sanitize-recover=undefined -Wall -Wextra -Wno-unused-parameter
FUZZ_LIBSRC  := app/queue/wire.c app/core/util.c app/core/buf.c app/core/lang.c $(wildcard app/pickle/*.c)
FUZZ_LIBOBJ  := $(FUZZ_LIBSRC:app/%.c=build-fuzz/app/%.o)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN     := $(FUZZ_TARGETS:%=build-fuzz/%)

build-fuzz/app/%.o: app/%.c $(APP_HDR)
	@test -n "$(FUZZ_CC)" || { echo "make fuzz: clang not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(APP_INC) -c -o $@ $<

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIBOBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $(APP_INC) -o $@ $< $(FUZZ_LIBOBJ) -lcrypto -lm

fuzz-build: $(FUZZ_BIN)
.SECONDARY: $(FUZZ_LIBOBJ)

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(FUZZ_TARGETS)

fuzz-merge: fuzz-build
	@sh tests/fuzz/run.sh --merge $(FUZZ_TARGETS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/systour/lessons \
	        $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/systour
	install -m 644 lessons/FORMAT.md $(DESTDIR)$(PREFIX)/share/systour/lessons/
	install -m 644 data/schema.sql $(DESTDIR)$(PREFIX)/share/systour/schema.sql
	set -e; for d in lessons/[0-9]*/; do \
	  dest=$(DESTDIR)$(PREFIX)/share/systour/lessons/$$(basename $$d); \
	  install -d $$dest; install -m 644 $$d*.md $$dest/; \
	  if [ -e $${d}demos.so ]; then install -m 755 $${d}demos.so $$dest/; fi; \
	done
	install -m 644 man/systour.1 $(DESTDIR)$(PREFIX)/share/man/man1/systour.1
	install -d $(DESTDIR)$(PREFIX)/share/systour/exercises
	install -m 644 exercises/FORMAT.md $(DESTDIR)$(PREFIX)/share/systour/exercises/
	# what every check shares (exercises/.lib/exlib.py)
	install -d $(DESTDIR)$(PREFIX)/share/systour/exercises/.lib
	install -m 644 exercises/.lib/*.py $(DESTDIR)$(PREFIX)/share/systour/exercises/.lib/
	set -e; for d in exercises/*/*/; do \
	  [ -f $${d}exercise.ini ] || continue; \
	  dest=$(DESTDIR)$(PREFIX)/share/systour/$${d%/}; \
	  install -d $$dest $$dest/starter $$dest/solution; \
	  for f in $${d}*; do [ -f "$$f" ] && install -m 644 "$$f" $$dest/; done; \
	  install -m 755 $${d}check $$dest/check; \
	  for f in $${d}starter/*; do install -m 644 "$$f" $$dest/starter/; done; \
	  for f in $${d}solution/*; do install -m 644 "$$f" $$dest/solution/; done; \
	  for sub in $${d}*/; do case $$sub in */starter/|*/solution/) ;; \
	    *) install -d $$dest/$$(basename $$sub); \
	       for f in $${sub}*; do [ -f "$$f" ] && install -m 644 "$$f" $$dest/$$(basename $$sub)/; done ;; esac; done; \
	done

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/systour $(DESTDIR)$(PREFIX)/share/systour \
	       $(DESTDIR)$(PREFIX)/share/man/man1/systour.1

clean:
	rm -rf build build-san build-fuzz systour lessons/*/demos.so lessons/*/demos.san.so
