#!/bin/sh
# `make run`'s choice between serve and the console chat: tests/make_run.sh
# (make test runs it from the checkout). It runs the rule itself, with the
# configuration in the environment (which overrides config/hoidap.conf), a
# throwaway database and stdin at EOF, so the chat ends at once and serve
# stops at its own checks; nothing goes on the network.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hoidap-makerun.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
. "$ROOT/tests/lib.sh"

# make_run VAR=VALUE...: `make run` with only these HOIDAP_* settings
make_run() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    $(env | sed -n 's/^\(HOIDAP_[A-Z_]*\)=.*/-u \1/p') \
	    HOIDAP_TELEGRAM_TOKEN= HOIDAP_ZALO_TOKEN= HOIDAP_ZALO_OA_APP_ID= \
	    HOIDAP_DB="$TMP/run.db" HOIDAP_LOG_LEVEL=warn "$@" \
	    timeout 120 make -s -C "$ROOT" run KB=tests/data/kb-mini \
	    </dev/null >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

make_run
if [ $rc -eq 0 ] && has "$TMP/out" "console chat" &&
    ! has "$TMP/out" "build/hoidap serve"; then
	ok "make run without a platform: the console chat"
else
	fail "make run without a platform"
fi

# serve stops at once: its knowledge directory is not there
make_run HOIDAP_TELEGRAM_TOKEN=123456:abc HOIDAP_TELEGRAM_API=http://127.0.0.1:9 \
    HOIDAP_KB="$TMP/no-kb"
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && has "$TMP/out" "build/hoidap serve" &&
    ! has "$TMP/out" "console chat"; then
	ok "make run with a Telegram token: serve"
else
	fail "make run with a Telegram token"
fi

# A ward that runs only its Official Account: serve, which then says what
# the OA still lacks (here its secrets) and stops.
make_run HOIDAP_ZALO_OA_APP_ID=1234567890
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && has "$TMP/out" "build/hoidap serve" && ! has "$TMP/out" "console chat" &&
    has "$TMP/err" "zalo_oa_app_id is set but"; then
	ok "make run with only a Zalo OA: serve"
else
	fail "make run with only a Zalo OA"
fi

# A configuration with an error: the error, no console chat in its place.
make_run HOIDAP_POLL_TIMEOUT=99
if [ $rc -ne 0 ] && has "$TMP/err" "'poll_timeout' must be between" &&
    ! has "$TMP/out" "console chat"; then
	ok "make run with a bad setting: its error, not the console chat"
else
	fail "make run with a bad setting"
fi

echo "tests/make_run.sh: $((n - nfail)) of $n passed"
[ $nfail -eq 0 ]
