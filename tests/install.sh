#!/bin/sh
# `make install` as a ward's IT person runs it (issue 9, section 1):
# installs into a temporary DESTDIR, checks the modes of what landed, runs
# check-config and a short `serve` against the fake API as an unprivileged
# user (uid 65534, as systemd's DynamicUser would: tokens handed over in
# the environment by root, the config and knowledge read with their real
# modes), and `systemd-analyze verify`s the unit.
# usage: tests/install.sh FAKEAPI   (from the top of the checkout)
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: tests/install.sh FAKEAPI (built: make build/fakeapi)" >&2
	exit 2
fi
FAKE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
TOP=$(cd "$HERE/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hoidap-install.XXXXXX")
fpid=
bpid=
cleanup() {
	[ -n "$bpid" ] && kill "$bpid" 2>/dev/null
	[ -n "$fpid" ] && kill "$fpid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
# the unprivileged user must be able to walk to the installed files
chmod 0755 "$TMP"
D=$TMP/root
ETC=$D/etc/hoidap
BIN=$D/usr/local/bin/hoidap
KB=$D/usr/local/share/hoidap/knowledge
UNIT=$D/usr/local/lib/systemd/system/hoidap.service
TOKEN=123456:INSTALLtestTokenNeverLogged_xyz
rc=0

mode() { stat -c %a "$1" 2>/dev/null; }

make -C "$TOP" --no-print-directory install DESTDIR="$D" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ]; then ok "make install DESTDIR=…"; else fail "make install DESTDIR=…"; fi

# ---- what landed, with which modes ----
want_mode() {
	m=$(mode "$2")
	if [ "$m" = "$1" ]; then ok "mode $1: ${2#$D}"
	else fail "mode of ${2#$D}" "want $1, got ${m:-missing}"; fi
}
want_mode 755 "$BIN"
want_mode 644 "$ETC/hoidap.conf"
want_mode 600 "$ETC/env"
want_mode 644 "$UNIT"
want_mode 755 "$KB"
want_mode 644 "$KB/README.md"
bad=$(find "$KB" -type f ! -perm 0644 | head -3)
if [ -z "$bad" ] && [ -n "$(find "$KB" -name '*.txt' | head -1)" ]; then
	ok "every knowledge file is 0644"
else fail "knowledge files" "not 0644 (or none): $bad"; fi
if grep -q '^db = /var/lib/hoidap/hoidap.db$' "$ETC/hoidap.conf" &&
    grep -q '^kb = /usr/local/share/hoidap/knowledge$' "$ETC/hoidap.conf"; then
	ok "hoidap.conf names the state directory and the installed knowledge"
else fail "hoidap.conf paths" "$(grep -E '^(db|kb) =' "$ETC/hoidap.conf")"; fi
if grep -q '^ExecStart=/usr/local/bin/hoidap serve --config /etc/hoidap/hoidap.conf$' "$UNIT" &&
    grep -q '^EnvironmentFile=-/etc/hoidap/env$' "$UNIT"; then
	ok "the unit reads /etc/hoidap/hoidap.conf and /etc/hoidap/env"
else fail "unit paths" "$(grep -E '^(ExecStart|EnvironmentFile)=' "$UNIT")"; fi

# an edited config and the tokens survive a second install
echo "# edited by the ward" >>"$ETC/hoidap.conf"
echo "HOIDAP_TELEGRAM_TOKEN=$TOKEN" >>"$ETC/env"
make -C "$TOP" --no-print-directory install DESTDIR="$D" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] && grep -q "edited by the ward" "$ETC/hoidap.conf" &&
    grep -q "$TOKEN" "$ETC/env" && [ "$(mode "$ETC/env")" = 600 ]; then
	ok "a second install keeps hoidap.conf and env"
else fail "a second install keeps hoidap.conf and env"; fi

# ---- as an unprivileged user ----
if [ "$(id -u)" = 0 ]; then
	RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups --"
	if $RUNAS cat "$ETC/env" >/dev/null 2>&1; then
		fail "the service user cannot read the tokens" "uid 65534 read $ETC/env"
	else ok "the service user cannot read the tokens (env is root's)"; fi
else
	RUNAS=
	skip "the service user cannot read the tokens" "not root: everything runs as $(id -un), who owns the installed files"
fi

STATE=$TMP/state        # systemd's StateDirectory, the service user's
mkdir -m 0700 "$STATE"
[ -n "$RUNAS" ] && chown 65534:65534 "$STATE"

$RUNAS "$BIN" check-config --config "$ETC/hoidap.conf" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] && has "$TMP/out" "$ETC/hoidap.conf: ok"; then
	ok "check-config on the installed hoidap.conf, as the service user"
else fail "check-config on the installed hoidap.conf, as the service user"; fi

"$FAKE" --port 0 --portfile "$TMP/port" --log "$TMP/fake.log" 2>"$TMP/fake.err" &
fpid=$!
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
API=http://127.0.0.1:$(cat "$TMP/port")
MPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# What systemd does: read env as root, start the service with it.
(
	set -a
	. "$ETC/env"
	set +a
	export HOIDAP_DB=$STATE/hoidap.db HOIDAP_KB=$KB HOIDAP_TELEGRAM_API=$API \
	    HOIDAP_POLL_TIMEOUT=2 HOIDAP_METRICS_LISTEN=127.0.0.1:$MPORT
	exec $RUNAS "$BIN" serve --config "$ETC/hoidap.conf"
) >"$TMP/out" 2>"$TMP/err" &
bpid=$!
curl -s -X POST -H 'Content-Type: application/json' "$API/control/telegram/update" \
    -d "{\"message\":{\"message_id\":1,\"date\":$(date +%s),\"chat\":{\"id\":77,\"type\":\"private\"},\"from\":{\"id\":77,\"first_name\":\"Lan\"},\"text\":\"cai vneid ntn\"}}" >/dev/null
i=0
while [ $i -lt 100 ]; do
	curl -s "$API/control/sent?platform=telegram&method=sendMessage" >"$TMP/sent"
	grep -q '"chat_id":[ ]*"\{0,1\}77' "$TMP/sent" && break
	sleep 0.1
	i=$((i + 1))
done
if grep -q '"chat_id":[ ]*"\{0,1\}77' "$TMP/sent"; then
	ok "the installed service answers a resident, as the service user"
else fail "the installed service answers a resident, as the service user" "no reply: $(head -c 300 "$TMP/sent")"; fi
h=$(curl -s -o "$TMP/health" -w '%{http_code}' "http://127.0.0.1:$MPORT/healthz")
if [ "$h" = 200 ] && [ "$(cat "$TMP/health")" = ok ]; then ok "/healthz 200 ok"
else fail "/healthz" "HTTP $h: $(cat "$TMP/health" 2>/dev/null)"; fi
dbm=$(stat -c '%a %u' "$STATE/hoidap.db" 2>/dev/null)
want="600 $([ -n "$RUNAS" ] && echo 65534 || id -u)"
if [ "$dbm" = "$want" ]; then ok "the database is the service user's, mode 0600"
else fail "the database's mode and owner" "want $want, got ${dbm:-none}"; fi
kill -TERM "$bpid"
wait "$bpid"
rc=$?
bpid=
if [ $rc -eq 0 ] && has "$TMP/err" "terminated"; then ok "serve stops cleanly on SIGTERM"
else fail "serve stops cleanly on SIGTERM"; fi
if grep -qF "$TOKEN" "$TMP/err" "$TMP/out"; then fail "the token stays out of the log"
else ok "the token stays out of the log"; fi

# a token written into the world-readable hoidap.conf is pointed out
cp -p "$ETC/hoidap.conf" "$TMP/tok.conf"
sed -i "s|^telegram_token =.*|telegram_token = $TOKEN|" "$TMP/tok.conf"
"$BIN" check-config --config "$TMP/tok.conf" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] && has "$TMP/err" "tok.conf: warning: a token is set in this file, which others can read (mode 0644): put tokens in /etc/hoidap/env"; then
	ok "check-config warns of a token in the 0644 hoidap.conf"
else fail "check-config warns of a token in the 0644 hoidap.conf"; fi

# ---- the unit ----
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify checks ExecStart's binary exists: point it at the DESTDIR one
	sed "s|/usr/local/bin/hoidap|$BIN|" "$UNIT" >"$TMP/hoidap.service"
	systemd-analyze verify "$TMP/hoidap.service" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	# it warns (exit 0) about unknown keys: any output is a failure
	if [ $rc -eq 0 ] && [ ! -s "$TMP/out" ] && [ ! -s "$TMP/err" ]; then
		ok "systemd-analyze verify hoidap.service"
	else fail "systemd-analyze verify hoidap.service"; fi
else
	skip "systemd-analyze verify hoidap.service" "systemd-analyze not installed (apt-get install systemd)"
fi
if grep -q '^Type=notify$' "$UNIT" && grep -q '^WatchdogSec=' "$UNIT"; then
	ok "Type=notify with WatchdogSec="
else fail "Type=notify with WatchdogSec="; fi

echo "1..$n"
[ $nfail -eq 0 ] || { echo "$nfail of $n install test(s) failed"; exit 1; }
