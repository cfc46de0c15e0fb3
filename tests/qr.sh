#!/bin/sh
# QR leaflet tests: tests/qr.sh BINARY (run it on build/hoidap and on the
# ASan build).
#
# Hermetic: every command runs inside a mktemp -d directory (so no
# config/hoidap.conf is found by accident), removed on exit; it reads only
# tests/data, knowledge/ and the binary. Every PNG is decoded with zbarimg
# (Debian zbar-tools) and compared with the link it must hold; the --text
# drawing is turned back into an image (python3) and decoded the same way.
# Prints "ok N - name" or "not ok N - name" per case; exits 1 if any failed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: tests/qr.sh BINARY" >&2
	exit 2
fi
case $1 in
/*) BIN=$1 ;;
*) BIN=$(pwd)/$1 ;;
esac
if [ ! -x "$BIN" ]; then
	echo "tests/qr.sh: $BIN is not an executable" >&2
	exit 2
fi
if ! command -v zbarimg >/dev/null 2>&1; then
	echo "tests/qr.sh: zbarimg not found (apt-get install zbar-tools)" >&2
	exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
MINI=$HERE/data/kb-mini
BUNDLED=$HERE/../knowledge
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hoidap-qr.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
cd "$TMP" || exit 2

# Nothing from the caller's environment may choose the bot or the kb.
for v in $(env | sed -n 's/^\(HOIDAP_[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
HOIDAP_TODAY=2026-11-28
HOIDAP_TELEGRAM_BOT=hoidap_test_bot
export HOIDAP_TODAY HOIDAP_TELEGRAM_BOT
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export ASAN_OPTIONS
PY=$(command -v python3 || true)
LINK=https://t.me/hoidap_test_bot?start=
# The non-system topics of tests/data/kb-mini, as payloads.
MINI_PAYLOADS="greeting vneid-install etax-pay_land_tax rent-house handoff-human"

. "$HERE/lib.sh"

# check NAME CONDITION...: ok when the command succeeds and the last run's
# stderr holds no sanitizer report.
check() {
	_name=$1
	shift
	if "$@" && clean_stderr; then
		ok "$_name"
	else
		fail "$_name"
	fi
}

# run CMD...: stdout to $TMP/out, stderr to $TMP/err, status to $rc;
# stdin is never a terminal.
run() {
	"$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
}


# decodes FILE.png PAYLOAD: the image holds exactly one code, the link.
decodes() {
	_got=$(zbarimg -q --raw "$1" 2>/dev/null) && [ "$_got" = "$LINK$2" ] ||
	    { echo "    $1: decoded '${_got:-}', want '$LINK$2'"; return 1; }
}

# png_side FILE: width and height from the IHDR chunk, "W H".
png_side() {
	od -An -tu1 -j16 -N8 "$1" | awk '{
		print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4,
		    $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}

# ------------------------------------------------------------- one topic

run "$BIN" qr --kb "$MINI" vneid.install -o one.png
check "qr TOPIC -o FILE.png: exit 0, says where the link went" \
    eval '[ $rc -eq 0 ] && has "$TMP/out" "one.png: ${LINK}vneid-install"'
check "the PNG decodes to the deep link (dots become dashes)" \
    decodes one.png vneid-install
side=$(png_side one.png)
check "the PNG is square and at least 300 px" \
    eval '[ "${side% *}" -ge 300 ] && [ "${side% *}" = "${side#* }" ]'

run "$BIN" qr --kb "$MINI" -o land.png etax.pay_land_tax
check "options after or before TOPIC; '_' is kept in the payload" \
    eval '[ $rc -eq 0 ] && decodes land.png etax-pay_land_tax'

run "$BIN" qr --kb "$MINI" --bot @other_test_bot -o bot.png rent.house
check "--bot overrides HOIDAP_TELEGRAM_BOT, a leading @ is dropped" \
    eval '[ $rc -eq 0 ] && [ "$(zbarimg -q --raw bot.png 2>/dev/null)" = \
        "https://t.me/other_test_bot?start=rent-house" ]'

printf 'telegram_bot = conf_test_bot\n' >bot.conf
run env -u HOIDAP_TELEGRAM_BOT "$BIN" qr --kb "$MINI" --config bot.conf \
    -o conf.png rent.house
check "the bot name from the config file (telegram_bot)" \
    eval '[ $rc -eq 0 ] && [ "$(zbarimg -q --raw conf.png 2>/dev/null)" = \
        "https://t.me/conf_test_bot?start=rent-house" ]'

run "$BIN" qr --kb "$MINI" --config bot.conf -o env.png rent.house
check "HOIDAP_TELEGRAM_BOT wins over the config file" \
    eval '[ $rc -eq 0 ] && decodes env.png rent-house'

# ----------------------------------------------------------------- --text

run "$BIN" qr --kb "$MINI" --text vneid.install
check "--text: a drawing of half blocks, then the link" \
    eval '[ $rc -eq 0 ] && [ -s "$TMP/out" ] && has "$TMP/out" "█" &&
        has "$TMP/out" "▀" && has "$TMP/out" "▄" &&
        [ "$(tail -n 1 "$TMP/out")" = "${LINK}vneid-install" ]'
check "--text into a pipe has no colour codes" \
    eval '! grep -q "$(printf "\033")" "$TMP/out"'

# The drawing, read back as modules (two per cell, blocks dark), must scan.
text_scans() {
	[ -n "$PY" ] || { echo "    python3 not found"; return 1; }
	"$PY" - "$TMP/out" text.pgm <<'EOF' || return 1
import sys
halves = {" ": (0, 0), "\u2580": (1, 0), "\u2584": (0, 1), "\u2588": (1, 1)}
rows = []
for line in open(sys.argv[1], encoding="utf-8").read().split("\n"):
    if not line or any(c not in halves for c in line):
        continue
    rows.append([halves[c][0] for c in line])
    rows.append([halves[c][1] for c in line])
w = max(len(r) for r in rows)
assert all(len(r) == w for r in rows), "ragged drawing"
s = 6
with open(sys.argv[2], "wb") as f:
    f.write(b"P5 %d %d 255\n" % (w * s, len(rows) * s))
    for r in rows:
        line = bytes(0 if d else 255 for d in r for _ in range(s))
        f.write(line * s)
EOF
	decodes text.pgm vneid-install
}
check "the --text drawing decodes to the deep link" text_scans

if command -v script >/dev/null 2>&1; then
	script -qec "'$BIN' qr --kb '$MINI' vneid.install" /dev/null \
	    >"$TMP/out" 2>"$TMP/err"
	rc=$?
	check "on a terminal the default is the drawing, black on white" \
	    eval '[ $rc -eq 0 ] && has "$TMP/out" "█" &&
	        grep -q "$(printf "\033")\[30;47" "$TMP/out"'
fi

# ------------------------------------------------------------------ --all

run "$BIN" qr --kb "$MINI" --all --dir sheet
check "--all --dir: exit 0" \
    eval '[ $rc -eq 0 ] && [ -s sheet/index.html ] && has "$TMP/out" "sheet/index.html"'
want=$(for p in $MINI_PAYLOADS; do echo "$p.png"; done | sort)
got=$(cd sheet && ls *.png | sort)
check "--all: one PNG per non-system topic, named by payload" \
    eval '[ "$got" = "$want" ]'
all_decode() {
	for p in $MINI_PAYLOADS; do
		decodes "sheet/$p.png" "$p" || return 1
	done
}
check "--all: every PNG decodes to its own link" all_decode
sheet_lists() {
	for t in "Lời chào" "Cài ứng dụng VNeID" "Nộp thuế đất" "Thuê nhà" \
	    "Gặp người hỗ trợ" "Quét mã bằng camera điện thoại"; do
		has sheet/index.html "$t" || { echo "    no '$t'"; return 1; }
	done
	for p in $MINI_PAYLOADS; do
		has sheet/index.html "src=\"$p.png\"" || { echo "    no $p.png"; return 1; }
		has sheet/index.html "$LINK$p" || { echo "    no link $p"; return 1; }
	done
	! has sheet/index.html "Chưa hiểu câu hỏi"
}
check "index.html: every title, PNG and link, no system topic" sheet_lists
check "index.html: a printable A4 sheet with nothing fetched" \
    eval 'has sheet/index.html "@page" && has sheet/index.html "A4" &&
        ! grep -qiE "<script|<link|@import|url\\(|src=\"(https?:)?//" sheet/index.html'

# A title with markup in it is shown, not interpreted.
mkdir kb-esc
cp "$MINI"/*.txt kb-esc/
cat >>kb-esc/topics.txt <<'EOF'

== test.markup
title: Hỏi & đáp <b>"mới"</b>
keywords: markup
source: test
reviewed: 2026-11-01
answer:
1. Không có gì.
EOF
run "$BIN" qr --kb kb-esc --all --dir esc
check "index.html escapes titles" \
    eval '[ $rc -eq 0 ] &&
        has esc/index.html "Hỏi &amp; đáp &lt;b&gt;&quot;mới&quot;&lt;/b&gt;" &&
        ! has esc/index.html "<b>" && decodes esc/test-markup.png test-markup'

# Payload limits: 63 characters is the longest id the bot can resolve
# (Telegram would allow 64); a longer one is refused, the rest still built.
mkdir kb-long
cp "$MINI"/*.txt kb-long/
id63=long.$(printf '%058d' 0)
id64=long.$(printf '%059d' 0)
for id in $id63 $id64; do
	printf '\n== %s\ntitle: Dài %s\nkeywords: dài\nsource: test\nreviewed: 2026-11-01\nanswer:\n1. Thử.\n' \
	    "$id" "${#id}" >>kb-long/topics.txt
done
run "$BIN" qr --kb kb-long --all --dir long
p63=$(echo "$id63" | tr . -)
check "a 64-character id is refused with a message, the rest are written" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "$id64" && [ ! -e "long/$(echo "$id64" | tr . -).png" ] &&
        decodes "long/$p63.png" "$p63" && decodes long/vneid-install.png vneid-install &&
        ! has long/index.html "Dài 64"'

# The leaflets staff will really print: the bundled knowledge base.
run "$BIN" qr --kb "$BUNDLED" --all --dir bundled
bundled_decode() {
	[ $rc -eq 0 ] || return 1
	_k=0
	for f in bundled/*.png; do
		p=${f#bundled/}
		p=${p%.png}
		case $p in sys-*) echo "    system topic $p"; return 1 ;; esac
		decodes "$f" "$p" || return 1
		has bundled/index.html "src=\"$p.png\"" || return 1
		_k=$((_k + 1))
	done
	[ "$_k" -gt 0 ]
}
check "--all on the bundled knowledge: every PNG decodes and is on the sheet" \
    bundled_decode

# Sections open from their topic's options: one leaflet per topic.
run "$BIN" qr --kb "$HERE/data/kb-sections" --all --dir sect
check "--all: one leaflet per topic, none for its sections" \
    eval '[ $rc -eq 0 ] && [ "$(cd sect && ls *.png | sort | tr "\n" " ")" = "app-login.png greeting.png handoff-human.png land-tax.png " ] &&
        ! has sect/index.html "Quên mật khẩu ABC" && decodes sect/app-login.png app-login'
run "$BIN" qr --kb "$HERE/data/kb-sections" -o x.png 'app.login#password'
check "a section has no leaflet of its own: exit 1, names its topic" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "section of '"'"'app.login'"'"'" && [ ! -e x.png ]'

# ----------------------------------------------------------------- errors

run "$BIN" qr --kb "$MINI" -o x.png nope.nope
check "unknown topic: exit 1 and says so" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "unknown topic" &&
        has "$TMP/err" "nope.nope" && [ ! -e x.png ]'

run "$BIN" qr --kb "$MINI" -o x.png sys.fallback
check "a system topic has no leaflet: exit 1" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "sys.fallback" && [ ! -e x.png ]'

run env -u HOIDAP_TELEGRAM_BOT "$BIN" qr --kb "$MINI" -o x.png vneid.install
check "no bot name: exit 1, names HOIDAP_TELEGRAM_BOT" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "HOIDAP_TELEGRAM_BOT" && [ ! -e x.png ]'

run "$BIN" qr --kb "$MINI" --bot "Hỏi đáp" -o x.png vneid.install
check "a bot name that is not a username: exit 1" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "not a Telegram bot username"'

run "$BIN" qr --kb "$MINI" --config missing.conf -o x.png vneid.install
check "--config FILE that does not exist: exit 1" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "missing.conf"'

run "$BIN" qr --kb "$MINI" -o no-such-dir/x.png vneid.install
check "unwritable output: exit 1 with the path" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "no-such-dir/x.png"'

# A full disk: the error is reported, and a path that was already there
# (here a device) is never removed.
if [ -c /dev/full ] && [ -w /dev/full ]; then
	run "$BIN" qr --kb "$MINI" -o /dev/full vneid.install
	check "-o on a full disk: exit 1, the existing path is kept" \
	    eval '[ $rc -eq 1 ] && has "$TMP/err" "/dev/full" && [ -c /dev/full ]'
	"$BIN" qr --kb "$MINI" --text vneid.install >/dev/full 2>"$TMP/err"
	rc=$?
	check "--text on a full disk: exit 1" eval '[ $rc -eq 1 ] && [ -s "$TMP/err" ]'
fi

usage_case() {
	_name=$1
	shift
	run "$BIN" qr "$@"
	check "usage: $_name: exit 2 with the usage" \
	    eval '[ $rc -eq 2 ] && has "$TMP/err" "usage: hoidap qr"'
}
usage_case "no topic"
usage_case "two topics" --kb "$MINI" -o x.png vneid.install rent.house
usage_case "--all without --dir" --kb "$MINI" --all
usage_case "--all with a topic" --kb "$MINI" --all --dir d vneid.install
usage_case "--dir without --all" --kb "$MINI" --dir d vneid.install
usage_case "--all with -o" --kb "$MINI" --all --dir d -o x.png
usage_case "unknown option" --kb "$MINI" --colour vneid.install
usage_case "stdout not a terminal, no -o/--text" --kb "$MINI" vneid.install
check "  ... and it says to give -o" has "$TMP/err" "give -o"

if [ $nfail -ne 0 ]; then
	echo "tests/qr.sh: $nfail of $n failed"
	exit 1
fi
echo "tests/qr.sh: all $n passed"
