# hoidap — see README.md. `make run` and `make test` are all a newcomer needs.
CC ?= cc
PKGS := libpcre2-8 libutf8proc libcjson sqlite3 libcurl
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -Wvla -Wwrite-strings -Wpointer-arith -Wformat=2 \
	-Wundef -Wold-style-definition -Wnull-dereference
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_DEFAULT_SOURCE $(WARN) -Iinclude -Ibot \
	-fstack-protector-strong $(PKG_CFLAGS)
LDLIBS += $(PKG_LIBS) -lm
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

# The library part (everything but the CLI) is what tests and bench link.
CLI := bot/main.c $(wildcard bot/cmd_*.c)
SRC := $(filter-out $(CLI),$(wildcard bot/*.c))
HDR := $(wildcard include/*.h bot/*.h)
OBJ := $(SRC:bot/%.c=build/obj/%.o)
AOBJ := $(SRC:bot/%.c=build/asan/%.o)
COBJ := $(CLI:bot/%.c=build/obj/%.o)
CAOBJ := $(CLI:bot/%.c=build/asan/%.o)
UNIT := $(wildcard tests/unit/test_*.c)
UBIN := $(UNIT:tests/unit/%.c=build/tests/%)
ABIN := $(UNIT:tests/unit/%.c=build/asan/tests/%)
KB ?= knowledge
EVAL ?= ../shared/eval/dev.tsv

.PHONY: all run test unit unit-asan cli check eval bench deps clean
all: build/hoidap

build/obj/%.o: bot/%.c $(HDR) | build/obj
	@echo "  CC      $@"; $(CC) $(CFLAGS) -c -o $@ $<
build/asan/%.o: bot/%.c $(HDR) | build/asan
	@echo "  CC      $@"; $(CC) $(CFLAGS) -O1 $(SAN) -c -o $@ $<
build/hoidap: $(COBJ) $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
build/asan/hoidap: $(CAOBJ) $(AOBJ)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDFLAGS) $(LDLIBS)
build/tests/%: tests/unit/%.c $(OBJ) tests/unit/testutil.h | build/tests
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(OBJ) $(LDLIBS) $(CMOCKA_LIBS)
build/asan/tests/%: tests/unit/%.c $(AOBJ) tests/unit/testutil.h | build/asan/tests
	$(CC) $(CFLAGS) -O1 $(SAN) -Itests/unit -o $@ $< $(AOBJ) $(LDLIBS) $(CMOCKA_LIBS)
build/bench: bench/bench.c $(OBJ) | build
	$(CC) $(CFLAGS) -o $@ $< $(OBJ) $(LDLIBS)
build build/obj build/asan build/tests build/asan/tests:
	mkdir -p $@

deps:
	@scripts/deps build

# Console chat on the bundled knowledge (the daemon comes with `serve`).
run: deps
	@$(MAKE) --no-print-directory build/hoidap
	build/hoidap chat --kb $(KB)

test:
	@scripts/deps test
	@$(MAKE) --no-print-directory unit unit-asan cli check

unit: $(UBIN)
	@for t in $(UBIN); do echo "== $$t"; $$t || exit 1; done
unit-asan: $(ABIN)
	@for t in $(ABIN); do echo "== $$t (asan+ubsan)"; \
	  ASAN_OPTIONS=detect_leaks=1 $$t || exit 1; done
cli: build/hoidap build/asan/hoidap
	tests/cli.sh build/asan/hoidap
check: build/hoidap
	build/hoidap check --kb $(KB)

# Scores the shared dev set when it is beside the checkout.
eval: build/hoidap
	@if [ -f $(EVAL) ]; then build/hoidap eval --kb $(KB) $(EVAL); \
	else echo "no $(EVAL); set EVAL=FILE.tsv"; fi

bench: build/hoidap build/bench
	bench/run.sh

clean:
	rm -rf build
