# hoidap — see README.md. `make run` and `make test` are all a newcomer needs.
CC ?= cc
PKGS := libpcre2-8 libutf8proc libcjson sqlite3 libcurl libqrencode libpng \
	libcrypto libmicrohttpd libsystemd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -Wvla -Wwrite-strings -Wpointer-arith -Wformat=2 \
	-Wundef -Wold-style-definition -Wnull-dereference
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_DEFAULT_SOURCE $(WARN) -Iinclude -Ibot \
	-fstack-protector-strong $(PKG_CFLAGS)
LDLIBS += $(PKG_LIBS) -lpthread -lm
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

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all run test golden install fuzz fuzz-replay integration unit unit-asan cli check eval bench deps clean crash-test
all: build/hoidap

# /metrics names the build (hoidap_build_info).
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
build/obj/metrics.o build/asan/metrics.o: CFLAGS += -DHOIDAP_VERSION='"$(VERSION)"'

build/obj/%.o: bot/%.c $(HDR) | build/obj
	@echo "  CC      $@"; $(CC) $(CFLAGS) -c -o $@ $<
build/asan/%.o: bot/%.c $(HDR) | build/asan
	@echo "  CC      $@"; $(CC) $(CFLAGS) -O1 $(SAN) -c -o $@ $<
build/hoidap: $(COBJ) $(OBJ)
	@echo "  LD      $@"; $(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
build/asan/hoidap: $(CAOBJ) $(AOBJ)
	@echo "  LD      $@"; $(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDFLAGS) $(LDLIBS)
build/tests/%: tests/unit/%.c $(OBJ) tests/unit/testutil.h | build/tests
	@echo "  LD      $@"; $(CC) $(CFLAGS) -Itests/unit -o $@ $< $(OBJ) $(LDLIBS) $(CMOCKA_LIBS)
build/asan/tests/%: tests/unit/%.c $(AOBJ) tests/unit/testutil.h | build/asan/tests
	@echo "  LD      $@"; $(CC) $(CFLAGS) -O1 $(SAN) -Itests/unit -o $@ $< $(AOBJ) $(LDLIBS) $(CMOCKA_LIBS)
# Every tests/fuzz/fuzz_NAME.c is a target; its corpus is tests/fuzz/corpus/NAME/.
FUZZ := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TIME ?= 30
build/asan/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c $(AOBJ) | build/asan
	@echo "  LD      $@"; $(CC) $(CFLAGS) -O1 $(SAN) -o $@ $< tests/fuzz/driver.c $(AOBJ) $(LDLIBS)
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(SRC) $(HDR)
	@mkdir -p build/fuzz
	clang -std=c11 -D_DEFAULT_SOURCE -g -O1 -Iinclude -Ibot $(PKG_CFLAGS) \
	  -fsanitize=fuzzer,address,undefined -o $@ $< $(SRC) $(LDLIBS)
# The fake Telegram + Zalo API for the integration tests: every
# tests/fakeapi/*.c is one program (tests/fakeapi/README.md).
FAKE := $(wildcard tests/fakeapi/*.c)
build/fakeapi: $(FAKE) $(wildcard tests/fakeapi/*.h) | build
	@echo "  LD      $@"; $(CC) $(CFLAGS) -o $@ $(FAKE) \
	  $$(pkg-config --cflags --libs libmicrohttpd) $(PKG_LIBS) -lpthread
# The matcher's benchmark links what it uses from an archive, so its RSS is
# the matcher's, not that of curl, SQLite and TLS (bench/run.sh).
build/libhoidap.a: $(OBJ) | build
	@echo "  AR      $@"; rm -f $@; $(AR) rcs $@ $^
build/bench: bench/bench.c build/libhoidap.a | build
	@echo "  LD      $@"; $(CC) $(CFLAGS) -o $@ $< build/libhoidap.a \
	  -Wl,--as-needed $(LDLIBS)
build build/obj build/asan build/tests build/asan/tests:
	mkdir -p $@

deps:
	@scripts/deps build

# The bot when a platform is configured (a Telegram or Zalo token, a Zalo
# OA app id; environment or config/hoidap.conf), else the console chat on
# the bundled knowledge. check-config's "platforms" line is serve's own
# rule; a configuration with an error shows it and stops.
run: deps
	@$(MAKE) --no-print-directory build/hoidap
	@cfg=$$(build/hoidap check-config 2>/dev/null) || \
	  { build/hoidap check-config >/dev/null; exit 1; }; \
	if echo "$$cfg" | grep -Eq '^platforms += [a-z]'; then \
	  echo "build/hoidap serve"; exec build/hoidap serve; \
	else echo "no messaging platform configured: console chat"; \
	  exec build/hoidap chat --kb $(KB); fi

test:
	@scripts/deps test
	@$(MAKE) --no-print-directory unit unit-asan fuzz-replay cli integration check golden
	tests/install.sh build/fakeapi
	tests/make_run.sh
	tests/qr.sh build/hoidap && ASAN_OPTIONS=detect_leaks=1 tests/qr.sh build/asan/hoidap
	ASAN_OPTIONS=detect_leaks=1 tests/report.sh build/asan/hoidap
	ASAN_OPTIONS=detect_leaks=1 tests/chat.sh build/asan/hoidap

unit: $(UBIN)
	@for t in $(UBIN); do echo "== $$t"; $$t || exit 1; done
unit-asan: $(ABIN)
	@for t in $(ABIN); do echo "== $$t (asan+ubsan)"; \
	  ASAN_OPTIONS=detect_leaks=1 $$t || exit 1; done
# Every seed and every crash ever found, replayed under ASan+UBSan.
fuzz-replay: $(FUZZ:%=build/asan/fuzz_%)
	@for t in $(FUZZ); do echo "== fuzz corpus $$t"; \
	  build/asan/fuzz_$$t tests/fuzz/corpus/$$t/* || exit 1; done
# Bounded libFuzzer runs (clang); new crashes land in build/fuzz/; copy them
# into tests/fuzz/corpus/<target>/ once fixed so fuzz-replay keeps them.
fuzz: $(FUZZ:%=build/fuzz/fuzz_%)
	@for t in $(FUZZ); do mkdir -p build/fuzz/corpus-$$t; \
	  cp -n tests/fuzz/corpus/$$t/* build/fuzz/corpus-$$t/ 2>/dev/null; \
	  echo "== fuzz $$t ($(FUZZ_TIME) s)"; \
	  build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
	    -artifact_prefix=build/fuzz/$$t- build/fuzz/corpus-$$t || exit 1; done
cli: build/hoidap build/asan/hoidap
	tests/cli.sh build/asan/hoidap
check: build/hoidap
	build/hoidap check --kb $(KB)
# The daemon under ASan+UBSan against the fake APIs (loopback only).
integration: build/asan/hoidap build/fakeapi
	tests/fakeapi/selftest.sh build/fakeapi
	timeout 600 tests/integration/run.py build/asan/hoidap build/fakeapi

# Opt-in, about 3 minutes: 10 runs of 2,000 messages with 10 kill -9 each
# (make test runs one). CRASH_RUNS and CRASH_SEED pick another mix.
CRASH_RUNS ?= 10
crash-test: build/asan/hoidap build/fakeapi
	HOIDAP_HEAVY=1 HOIDAP_CRASH_RUNS=$(CRASH_RUNS) $(if $(CRASH_SEED),HOIDAP_CRASH_SEED=$(CRASH_SEED)) \
	  timeout 1800 tests/integration/run.py build/asan/hoidap build/fakeapi crash-tickets-heavy

# Scores the shared dev set (when it is beside the checkout) and every
# labelled set for the bundled knowledge base, each held to the floors of
# issue 7; the summary at the end repeats each set's figures. ask-mini.tsv is
# for tests/data/kb-mini and has its own format.
GOLDEN_EVAL ?= $(filter-out tests/golden/ask-mini.tsv,$(wildcard tests/golden/*.tsv))
EVAL_FLOORS ?= --min-top1 0.95 --min-oos 0.95 --max-wrong 0.02
eval: build/hoidap
	@[ -f $(EVAL) ] || echo "no $(EVAL) (the shared dev set); set EVAL=FILE.tsv"
	@rc=0; mkdir -p build; : >build/eval.sum; \
	for f in $(wildcard $(EVAL)) $(GOLDEN_EVAL); do \
	  echo "== $$f"; \
	  build/hoidap eval --kb $(KB) $(EVAL_FLOORS) $$f >build/eval.out || rc=1; \
	  cat build/eval.out; \
	  grep -E '^(in-scope|out-of-scope|confidently|BELOW|ok )' build/eval.out | \
	    sed "s|^|$$f: |" >>build/eval.sum; \
	done; \
	echo "== summary"; cat build/eval.sum; rm -f build/eval.out build/eval.sum; \
	exit $$rc

# make test's share of it: the labelled sets in tests/golden/ (not the shared
# dev set, which a user's machine does not have), each held to the floors.
golden: build/hoidap
	@rc=0; for f in $(GOLDEN_EVAL); do \
	  out=$$(build/hoidap eval --kb $(KB) $(EVAL_FLOORS) $$f) || rc=1; \
	  echo "$$out" | grep -E '^(BELOW|ok )' | sed "s|^|$$f: |"; \
	  [ $$rc -eq 0 ] || { echo "$$out"; exit 1; }; \
	done

bench: build/hoidap build/bench build/fakeapi
	bench/run.sh

# Binary and knowledge under PREFIX; the configuration and the tokens in
# SYSCONFDIR/hoidap (hoidap.conf 0644: settings only; env 0600: tokens, read
# by systemd as root, see config/hoidap.service); neither is overwritten.
# The database lives in systemd's StateDirectory, /var/lib/hoidap.
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
ETC := $(DESTDIR)$(SYSCONFDIR)/hoidap
install: build/hoidap
	install -d -m 0755 $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/hoidap/knowledge \
	  $(ETC) $(DESTDIR)$(UNITDIR)
	install -m 0755 build/hoidap $(DESTDIR)$(PREFIX)/bin/hoidap
	install -m 0644 knowledge/*.txt knowledge/README.md $(DESTDIR)$(PREFIX)/share/hoidap/knowledge/
	test -e $(ETC)/hoidap.conf || { \
	  sed -e 's|^db = .*|db = /var/lib/hoidap/hoidap.db|' \
	    -e 's|^kb = .*|kb = $(PREFIX)/share/hoidap/knowledge|' \
	    config/hoidap.conf >$(ETC)/hoidap.conf.new && \
	  chmod 0644 $(ETC)/hoidap.conf.new && mv $(ETC)/hoidap.conf.new $(ETC)/hoidap.conf; }
	test -e $(ETC)/env || { (umask 077; cp config/hoidap.env $(ETC)/env.new) && \
	  chmod 0600 $(ETC)/env.new && mv $(ETC)/env.new $(ETC)/env; }
	sed -e 's|/usr/local|$(PREFIX)|g' -e 's|/etc/hoidap|$(SYSCONFDIR)/hoidap|g' \
	  config/hoidap.service >$(DESTDIR)$(UNITDIR)/hoidap.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/hoidap.service

clean:
	rm -rf build
