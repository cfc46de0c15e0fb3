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
# The guides of tests/data/kb-mini, as payloads: not the greeting (a menu),
# the hand-off or the system topics.
MINI_PAYLOADS="vneid-install etax-pay_land_tax rent-house"

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
check "--all: one PNG per guide, named by payload" \
    eval '[ "$got" = "$want" ]'
all_decode() {
	for p in $MINI_PAYLOADS; do
		decodes "sheet/$p.png" "$p" || return 1
	done
}
check "--all: every PNG decodes to its own link" all_decode
# the sheet's text without its markup (links carry <wbr> and spans)
plain() { sed 's/<[^>]*>//g' "$1"; }
sheet_lists() {
	plain sheet/index.html >sheet/plain.txt
	for t in "Cài ứng dụng VNeID" "Nộp thuế đất" "Thuê nhà" \
	    "Quét mã bằng camera điện thoại"; do
		has sheet/plain.txt "$t" || { echo "    no '$t'"; return 1; }
	done
	for p in $MINI_PAYLOADS; do
		has sheet/index.html "src=\"$p.png\"" || { echo "    no $p.png"; return 1; }
		has sheet/plain.txt "$LINK$p" || { echo "    no link $p"; return 1; }
	done
	for t in "Lời chào" "Gặp người hỗ trợ" "Chưa hiểu câu hỏi"; do
		! has sheet/plain.txt "$t" || { echo "    a card for '$t'"; return 1; }
	done
}
check "index.html: every guide's title, PNG and link; no greeting, hand-off or system card" \
    sheet_lists

# sheet_groups FILE: "heading: title | title" per service, in order.
sheet_groups() {
	"$PY" - "$1" <<'EOF'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
for sec in re.findall(r'<section class="service">(.*?)</div>\n</section>', html, re.S):
    h = re.search(r"<h2>(.*?)</h2>", sec).group(1)
    print(h + ": " + " | ".join(re.findall(r"<h3>(.*?)</h3>", sec)))
EOF
}
check "cards grouped by service, each group under its Vietnamese heading" eval \
    '[ "$(sheet_groups sheet/index.html)" = "$(printf "%s\n" \
        "VNeID – định danh điện tử: Cài ứng dụng VNeID" \
        "Thuế (eTax Mobile): Nộp thuế đất" "Hướng dẫn khác: Thuê nhà")" ]'
check "no ward set: the sheet is made, stderr says what the cards lack" eval \
    'has "$TMP/err" "chưa đặt ward_name và ward_hotline" &&
        ! has sheet/index.html "class=\"ward\""'
# A link may wrap after / ? = &, never at a hyphen (the rendering below
# checks the printed lines).
check "links: break points after / ? =, each hyphen held to the next character" \
    has sheet/index.html "t.me/<wbr>hoidap_test_bot?<wbr>start=<wbr>vneid<span class=\"nb\">-i</span>nstall"

run env HOIDAP_WARD_NAME='Phường Phúc <Xá> & Co' HOIDAP_WARD_HOTLINE='024 3829 1234' \
    "$BIN" qr --kb "$MINI" --all --dir ward
ward_on_every_card() {
	[ $rc -eq 0 ] && ! has "$TMP/err" "chưa đặt" || return 1
	_cards=$(grep -c '<section class="card">' ward/index.html)
	_wards=$(grep -c '<p class="ward">Phường Phúc &lt;Xá&gt; &amp; Co · .*Điện thoại hỗ trợ: <b>024 3829 1234</b>' ward/index.html)
	[ "$_cards" -eq 3 ] && [ "$_wards" -eq "$_cards" ] ||
	    { echo "    $_cards cards, $_wards with the ward"; return 1; }
}
check "ward_name and ward_hotline (environment) on every card, escaped" \
    ward_on_every_card
printf 'telegram_bot = conf_test_bot\nward_name = Phường Cửa Nam\nward_hotline = 0243 111 222\n' >ward.conf
run env -u HOIDAP_TELEGRAM_BOT "$BIN" qr --kb "$MINI" --config ward.conf --all --dir wardconf
check "ward_name and ward_hotline from the configuration file" \
    eval '[ $rc -eq 0 ] && [ "$(grep -c "<p class=\"ward\">Phường Cửa Nam · " wardconf/index.html)" -eq 3 ] &&
        has wardconf/index.html "0243 111 222"'
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
    eval '[ $rc -eq 0 ] && [ "$(cd sect && ls *.png | sort | tr "\n" " ")" = "app-login.png land-tax.png " ] &&
        ! has sect/index.html "Quên mật khẩu ABC" && decodes sect/app-login.png app-login'
run "$BIN" qr --kb "$HERE/data/kb-sections" -o x.png 'app.login#password'
check "a section has no leaflet of its own: exit 1, names its topic" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "một phần của chủ đề '"'"'app.login'"'"'" && [ ! -e x.png ]'

# ------------------------------------------------------------------ Zalo

ZLINK=https://zalo.me/1234567890123456789
WARD="Phường Phúc Xá"
run env HOIDAP_ZALO_LINK=$ZLINK HOIDAP_WARD_NAME="$WARD" \
    HOIDAP_WARD_HOTLINE="024 3829 1234" "$BIN" qr --kb "$BUNDLED" --all --dir zalo
zalo_cards() {
	[ $rc -eq 0 ] || return 1
	_cards=$(grep -c '<section class="card">' zalo/index.html)
	_z=$(grep -c 'src="zalo.chat.png"' zalo/index.html)
	_t=$(ls zalo/*.png | grep -vc 'zalo\.chat\.png$')
	[ "$_cards" -gt 0 ] && [ "$_z" -eq "$_cards" ] && [ "$_t" -eq "$_cards" ] ||
	    { echo "    $_cards cards, $_z Zalo codes, $_t Telegram PNGs"; return 1; }
	[ "$(zbarimg -q --raw zalo/zalo.chat.png 2>/dev/null)" = "$ZLINK" ] ||
	    { echo "    zalo.chat.png does not decode to $ZLINK"; return 1; }
}
check "zalo_link: every card also carries the Zalo code, which opens that link" \
    zalo_cards

# Zalo cannot open a topic: the card says what to send, and the bot must
# answer those very words with the card's topic.
zalo_words_answer() {
	"$PY" - zalo/index.html >zalo/words.tsv <<'EOF' || return 1
import html, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
for card in re.findall(r'<section class="card">(.*?)</section>', page, re.S):
    png = re.search(r'<img src="([^"]+)\.png"', card).group(1)
    words = re.search(r'<span class="send">“(.*?)”</span>', card).group(1)
    print(png.replace("-", ".") + "\t" + html.unescape(words))
EOF
	cut -f2 zalo/words.tsv | "$BIN" ask --kb "$BUNDLED" --json --batch \
	    >zalo/answers.json 2>>"$TMP/err" || return 1
	"$PY" - zalo/words.tsv zalo/answers.json <<'EOF'
import json, sys
want = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")]
got = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert len(want) == len(got) and want, (len(want), len(got))
bad = [(w, g["action"], g["topic"]) for w, g in zip(want, got)
       if g["action"] != "answer" or g["topic"] != w[0]]
assert not bad, bad
EOF
}
check "the words each card says to send on Zalo get that card's guide" \
    zalo_words_answer

run env -u HOIDAP_TELEGRAM_BOT HOIDAP_ZALO_LINK=$ZLINK "$BIN" qr --kb "$MINI" \
    --all --dir zonly
check "Zalo without a Telegram bot: cards with the Zalo code only" \
    eval '[ $rc -eq 0 ] && [ "$(cd zonly && ls *.png)" = zalo.chat.png ] &&
        [ "$(grep -c "<section class=\"card\">" zonly/index.html)" -eq 3 ] &&
        ! has zonly/index.html "t.me/"'
run env HOIDAP_ZALO_TOKEN=1:x "$BIN" qr --kb "$MINI" --all --dir ztoken
check "Zalo on but no zalo_link: Telegram cards, and stderr says so" \
    eval '[ $rc -eq 0 ] && has "$TMP/err" "chưa đặt zalo_link" &&
        ! has ztoken/index.html zalo.chat.png'
run env HOIDAP_ZALO_LINK=zalo.me/123 "$BIN" qr --kb "$MINI" --all --dir zbad
check "a zalo_link without https://: exit 1, nothing written" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "zalo_link" && [ ! -e zbad ]'
# A title another topic answers better, and no ask: line.
mkdir kb-quiet
cp "$MINI"/*.txt kb-quiet/
printf '\n== test.quiet\ntitle: Cài ứng dụng VNeID trên máy\nkeywords: máy tính bảng\nsource: test\nreviewed: 2026-11-01\nanswer:\n1. Thử.\n' \
    >>kb-quiet/topics.txt
run env HOIDAP_ZALO_LINK=$ZLINK "$BIN" qr --kb kb-quiet --all --dir zquiet
check "words the bot would answer with another topic: none printed but the title, and stderr names the topic" \
    eval '[ $rc -eq 0 ] && has "$TMP/err" "test.quiet: bot không trả lời" &&
        has zquiet/index.html "“Cài ứng dụng VNeID trên máy”" &&
        ! has "$TMP/err" "vneid.install:"'

# ------------------------------------------------------------- rendering
#
# The sheets as a ward prints them: headless Chromium prints to PDF, each
# page becomes an image, and every code on it must scan (zbarimg); the
# page's text (pdftotext) must name the ward once per card and never end a
# line with a hyphen.

# render_sheet DIR: DIR/index.html to DIR/page-N.pgm; "" on failure.
render_sheet() {
	render_pdf "$TMP/$1/index.html" "$TMP/$1/sheet.pdf" || {
		cp "$TMP/chromium.log" "$TMP/err"
		return 1
	}
	pdf_pages "$TMP/$1/sheet.pdf" 150 "$TMP/$1/page" >"$TMP/$1/npages"
}

# rendered_codes DIR WARD: per page, the codes decoded and the ward's name
# counted; all of them against the PNGs beside the sheet.
rendered_codes() {
	_d=$1
	: >"$_d/decoded"
	_k=1
	while [ -e "$_d/page-$_k.pgm" ] || [ -e "$_d/page-0$_k.pgm" ]; do
		_p=$_d/page-$_k.pgm
		[ -e "$_p" ] || _p=$_d/page-0$_k.pgm
		zbarimg -q --raw "$_p" 2>/dev/null >"$_d/codes.$_k"
		cat "$_d/codes.$_k" >>"$_d/decoded"
		_tg=$(grep -c "^$LINK" "$_d/codes.$_k")
		_zl=$(grep -c "^$ZLINK\$" "$_d/codes.$_k")
		if [ -n "$2" ]; then
			_w=$(pdftotext -f $_k -l $_k "$_d/sheet.pdf" - 2>/dev/null |
			    grep -c "$2")
			[ "$_w" -eq $((_tg > _zl ? _tg : _zl)) ] || {
				echo "    page $_k: $_tg Telegram, $_zl Zalo codes, ward named $_w times"
				return 1
			}
		fi
		_k=$((_k + 1))
	done
	[ $_k -gt 1 ] || { echo "    no page"; return 1; }
	for _f in "$_d"/*.png; do
		_want=$(zbarimg -q --raw "$_f" 2>/dev/null)
		_n=$(grep -cxF "$_want" "$_d/decoded")
		case $_f in
		*/zalo.chat.png) _n=$((_n / $(grep -c '<section class="card">' "$_d/index.html"))) ;;
		esac
		[ "$_n" -eq 1 ] || { echo "    $_f: printed code found $_n times"; return 1; }
	done
	[ "$(grep -vc -e "^$LINK" -e "^$ZLINK\$" "$_d/decoded")" -eq 0 ] ||
	    { echo "    stray codes decoded"; return 1; }
}

no_hyphen_break() {
	# -raw: the lines as printed (the default mode joins "vneid-" and
	# "install" back into one word)
	pdftotext -raw "$TMP/$1/sheet.pdf" - 2>/dev/null | grep -n -- "-$" >"$TMP/$1/breaks"
	[ ! -s "$TMP/$1/breaks" ] ||
	    { sed 's/^/    line ends in a hyphen: /' "$TMP/$1/breaks"; return 1; }
}

if [ -n "$CHROMIUM" ]; then
	for _s in zalo bundled; do
		if render_sheet $_s; then
			ok "$_s sheet printed by headless Chromium ($(cat $_s/npages) A4 pages)"
		else
			fail "$_s sheet printed by headless Chromium"
			continue
		fi
		check "$_s sheet: printed on A4" \
		    eval 'pdfinfo "$TMP/$_s/sheet.pdf" | grep -q "^Page size:.*(A4)"'
		_ward=
		[ $_s = zalo ] && _ward=$WARD
		check "$_s sheet: every printed code scans, each card's once${_ward:+, the ward on every card of every page}" \
		    rendered_codes "$TMP/$_s" "$_ward"
		check "$_s sheet: no printed line ends in a hyphen" no_hyphen_break $_s
	done
else
	for _s in zalo bundled; do
		for _c in "printed by headless Chromium" "printed on A4" \
		    "every printed code scans" "no printed line ends in a hyphen"; do
			skip "$_s sheet: $_c" "$RENDER_SKIP"
		done
	done
fi

# ----------------------------------------------------------------- errors

run "$BIN" qr --kb "$MINI" -o x.png nope.nope
check "unknown topic: exit 1 and says so" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "không có chủ đề" &&
        has "$TMP/err" "nope.nope" && [ ! -e x.png ]'

run "$BIN" qr --kb "$MINI" -o x.png sys.fallback
check "a system topic has no leaflet: exit 1" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "sys.fallback" && [ ! -e x.png ]'

run env -u HOIDAP_TELEGRAM_BOT "$BIN" qr --kb "$MINI" -o x.png vneid.install
check "no bot name: exit 1, names HOIDAP_TELEGRAM_BOT" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "HOIDAP_TELEGRAM_BOT" && [ ! -e x.png ]'

run "$BIN" qr --kb "$MINI" --bot "Hỏi đáp" -o x.png vneid.install
check "a bot name that is not a username: exit 1" \
    eval '[ $rc -eq 1 ] && has "$TMP/err" "không phải tên bot Telegram"'

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
check "  ... and it says to add -o" has "$TMP/err" "thêm -o TỆP.png"

if [ $nfail -ne 0 ]; then
	echo "tests/qr.sh: $nfail of $n failed"
	exit 1
fi
echo "tests/qr.sh: all $n passed"
