#!/bin/sh
# `hoidap report` tests: tests/report.sh BINARY (run it on the ASan build too).
#
# Hermetic: everything it writes goes to a mktemp -d directory, removed on
# exit. The fixture database is built with python3's sqlite3 module (no
# sqlite3 CLI needed): the schema comes from bot/store.c's migrations[], run
# in order as store_open() runs them, then tests/data/report.sql adds the
# rows. Prints "ok N - name" or "not ok N - name" per case; exits 1 if any
# failed.
# The checks are strings run by eval, after the run they check:
# shellcheck disable=SC2016
set -u

if [ $# -ne 1 ]; then
	echo "usage: tests/report.sh BINARY" >&2
	exit 2
fi
case $1 in
/*) BIN=$1 ;;
*) BIN=$(pwd)/$1 ;;
esac
if [ ! -x "$BIN" ]; then
	echo "tests/report.sh: $BIN is not an executable" >&2
	exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
KB=$HERE/../knowledge
STORE_C=$HERE/../bot/store.c
FIXTURE=$HERE/data/report.sql
PY=$(command -v python3 || true)
if [ -z "$PY" ]; then
	echo "tests/report.sh: python3 is needed to build the fixture" >&2
	exit 2
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hoidap-report.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# The fixture's "today"; the default period is 2026-10-29 .. 2026-11-28.
HOIDAP_TODAY=2026-11-28
export HOIDAP_TODAY
unset HOIDAP_KB HOIDAP_DB
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export ASAN_OPTIONS
# No config/hoidap.conf from the checkout: the tests say what they mean.
cd "$TMP" || exit 2

. "$HERE/lib.sh"

check() {
	_name=$1
	shift
	if "$@"; then ok "$_name"; else not_ok "$_name"; fi
}

# run CMD...: stdout to $TMP/out, stderr to $TMP/err, status to $rc.
# Every run's stderr is also kept, for the sanitizer check at the end.
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	cat "$TMP/err" >>"$TMP/allerr"
}


# line RE: some line of the last output matches the extended regex.
line() { grep -qE -- "$1" "$TMP/out"; }

# in_order FILE S1 S2 ...: the fixed strings occur on lines in this order.
in_order() {
	_f=$1
	shift
	awk -v n=$# 'BEGIN {
		for (i = 1; i <= n; i++) want[i] = ARGV[i + 1]
		ARGC = 2; k = 1 }
	{ while (k <= n && index($0, want[k]) > 0) k++ }
	END { exit k <= n ? 1 : 0 }' "$_f" "$@"
}

# sanitizer reports must never appear, whatever the exit status
clean_stderr() {
	! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$TMP/allerr"
}

# mkdb OUT [MIGRATIONS] [ROWS]: the schema of bot/store.c (its first
# MIGRATIONS migrations, default all), then the rows (default the fixture).
mkdb() {
	"$PY" - "$STORE_C" "$1" "${2:-0}" "${3-$FIXTURE}" <<'EOF'
import re, sqlite3, sys
store_c, out, upto, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
src = open(store_c, encoding="utf-8").read()
m = re.search(r"migrations\[\]\s*=\s*\{(.*?)\n\};", src, re.S)
if not m:
    sys.exit("no migrations[] array in " + store_c)
body = re.sub(r"/\*.*?\*/", " ", m.group(1), flags=re.S)
body = re.sub(r"//[^\n]*", " ", body)
unesc = lambda s: re.sub(r"\\(.)",
    lambda e: {"n": "\n", "t": "\t"}.get(e.group(1), e.group(1)), s)
migs, cur = [], []
# adjacent string literals join; a comma ends one migration
for t in re.finditer(r'"((?:[^"\\]|\\.)*)"|(,)', body):
    if t.group(2):
        migs.append("".join(cur))
        cur = []
    else:
        cur.append(unesc(t.group(1)))
if "".join(cur).strip():
    migs.append("".join(cur))
if not migs:
    sys.exit("empty migrations[] in " + store_c)
db = sqlite3.connect(out, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")       # as the daemon leaves it
for i, sql in enumerate(migs[:upto] if upto else migs):
    db.executescript("BEGIN;%s;PRAGMA user_version=%d;COMMIT;" % (sql, i + 1))
if rows:
    db.executescript(open(rows, encoding="utf-8").read())
db.close()
EOF
}

# pycheck: runs the python on stdin with `groups` ([(size, [examples])],
# biggest first), `nunsure` (the unsure count of each group), `singles` and
# `unsure` (the examples marked unsure) read from section 3 of $TMP/out.
pycheck() {
	"$PY" - "$TMP/out" >"$TMP/py" 2>&1 <<EOF
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
sec = text.split("3. Câu hỏi bot chưa trả lời được")[1].split("\n4. ")[0]
groups, singles, cur = [], [], None
unsure = set()                  # examples marked "(chưa chắc)"
nunsure = []                    # per group, from its heading
for l in sec.split("\n"):
    m = re.match(r"   Nhóm \d+: (\d+) câu( \(chưa chắc: (\d+)\))?$", l)
    if m:
        cur = (int(m.group(1)), [])
        groups.append(cur)
        nunsure.append(int(m.group(3) or 0))
        continue
    if l.startswith("   Câu hỏi lẻ"):
        cur = (1, singles)
        continue
    m = re.match(r'      • "(.*)"( \(chưa chắc\))?$', l)
    if m and cur is not None:
        cur[1].append(m.group(1))
        if m.group(2):
            unsure.add(m.group(1))
$(cat)
EOF
	_rc=$?
	[ $_rc -eq 0 ] || sed 's/^/    py| /' "$TMP/py"
	return $_rc
}

# ---------------------------------------------------------------- fixture

DB=$TMP/hoidap.db
if mkdb "$DB" 2>"$TMP/err"; then
	ok "fixture: bot/store.c schema + tests/data/report.sql"
else
	rc=1
	not_ok "fixture: bot/store.c schema + tests/data/report.sql"
	exit 1
fi
chmod 600 "$DB"
sum_before=$(cksum <"$DB")

# ---------------------------------------------------------------- text

run "$BIN" report --db "$DB" --kb "$KB"
check "report exits 0, nothing on stderr" \
    test $rc -eq 0 -a ! -s "$TMP/err"
cp "$TMP/out" "$TMP/default"
check "header names the period and the time zone" \
    has "$TMP/out" "từ 2026-10-29 đến 2026-11-28 (giờ Việt Nam, UTC+7)"
# by UTC days these would be 7, 9, 6: 23:30 and 00:10 Hanoi time sit on
# the other side of UTC midnight, and so does 06:30
check "questions per Hanoi day (6, 9, 7), with weekdays" eval \
    'line "^   2026-11-26 T5     6  " && line "^   2026-11-27 T6     9  " &&
    line "^   2026-11-28 T7     7  " && has "$TMP/out" "Tổng: 22 câu hỏi"'
# answered █, unsure ▒, not answered ░, the rest (notices, hand-offs) ·
check "each day split by outcome: figures, then a bar in that order" eval \
    'line "^   2026-11-26 T5     6  4/1/1       █+▒+░+$" &&
    line "^   2026-11-27 T6     9  7/0/1       █+░+·+$" &&
    line "^   2026-11-28 T7     7  3/2/1       █+▒+░+·+$"'
check "the busiest day has the full 40 cells, the others in proportion" eval \
    'test "$(grep "^   2026-11-27 " "$TMP/out" | sed "s/.*  //" | wc -m)" -eq 41 &&
    test "$(grep "^   2026-11-28 " "$TMP/out" | sed "s/.*  //" | wc -m)" -eq 32'
check "days before the first question of the period are left out" \
    eval '! line "^   2026-11-2[0-5] " && ! line "2026-10-20"'
check "bot actions counted (answer, clarify, fallback; a thank-you is other)" \
    has "$TMP/out" "Bot trả lời ngay: 14 · chưa chắc (chỉ hỏi lại): 3 · chưa trả lời được: 3 · thông báo khác: 2"
check "top topics: answers only (not clarify), sections under their topic, most first, ties by id" \
    eval 'line "^    1\.     4  Cài ứng dụng VNeID \[vneid.install\]$" &&
    line "^    2\.     3  .*\[vneid.forgot_passcode\]$" &&
    line "^    3\.     2  .*\[dvc.pay_fee\]$" &&
    line "^    4\.     2  .*\[etax.install_login\]$" &&
    ! has "$TMP/out" vssid.lookup'
check "a topic the knowledge base no longer has is shown by id" \
    line "^    6\.     1  old.removed_topic \(không còn trong kho kiến thức\)$"
check "unanswered: 20 in the period, unsure (a clarify list only): 3" \
    has "$TMP/out" "3. Câu hỏi bot chưa trả lời được: 20 · chưa chắc: 3"
check "grouped together: unanswered and unsure alike, a short question with a longer one" \
    pycheck <<'EOF'
sizes = [g[0] for g in groups]
assert sizes == [7, 3, 3, 2], sizes
ex = groups[0][1]
assert len(ex) == 3 and len(set(ex)) == 3, ex          # distinct examples
assert all("vneid" in e.lower() for e in ex), ex
# the unsure question joins the VNeID phone-number group, marked as such
assert nunsure == [1, 0, 0, 0], nunsure
assert ex[0] == "đổi sđt vneid thế nào" and ex[0] in unsure, (ex, unsure)
assert "doi so dien thoai vneid" in ex, ex               # asked twice: shown once
fams = {"khai sinh": 0, "phat nguoi": 0}
for size, exs in groups[1:3]:
    fam = "khai sinh" if "khai sinh" in exs[0] else "phat nguoi"
    fams[fam] += 1
    assert len(exs) == 3, exs
    for e in exs:
        assert fam in e or fam == "phat nguoi" and "phạt nguội" in e, (fam, e)
assert fams == {"khai sinh": 1, "phat nguoi": 1}, fams
# Jaccard alone would leave these apart (0.33)
assert set(groups[3][1]) == {"lương hưu", "lương hưu tháng này bao giờ có"}, groups[3]
want = {"số điện thoại của phường là bao nhiêu",
        "xem phạt nguội ô tô trên điện thoại", "mạng chậm quá",
        "đăng ký khai sinh trực tuyến cần giấy tờ gì",
        "<script>alert(1)</script> [31m thử gửi",
        "cho hỏi giờ làm việc của phường",
        "etax mobile", "nộp phí dịch vụ công"}
assert set(singles) == want, singles
assert unsure == {"đổi sđt vneid thế nào", "etax mobile", "nộp phí dịch vụ công"}, unsure
EOF
check "no control character from the database reaches the terminal" \
    eval '! LC_ALL=C grep -q "$(printf "\033")" "$TMP/out"'
check "tickets by state and tier 2" eval \
    'has "$TMP/out" "Tổng: 7 · đang chờ: 2 · đã có người nhận: 1 · đã xong: 4" &&
    has "$TMP/out" "Chuyển lên cấp 2 (cán bộ phường): 2"'
check "ticket medians: first reply 20 min, resolved 90 min" eval \
    'has "$TMP/out" "Trả lời lần đầu sau (trung vị): 20 phút, trên 5 ticket" &&
    has "$TMP/out" "Xử lý xong sau (trung vị): 90 phút (1 giờ 30 phút), trên 4 ticket"'
check "ticket feedback 👍 2 👎 1" \
    has "$TMP/out" "Người dân đánh giá: 👍 2 · 👎 1 · chưa đánh giá: 1"
check "tickets by reason, most first" eval \
    'in_order "$TMP/out" "3  asked — " "2  fallback — " "1  forwarded — " "1  media — "'
check "the database is not modified" \
    test "$(cksum <"$DB")" = "$sum_before"

# ---------------------------------------------------------------- --since

run "$BIN" report --db "$DB" --kb "$KB" --since 2026-11-27
check "--since 2026-11-27: from that Hanoi day on" eval \
    'test $rc -eq 0 && ! has "$TMP/out" "2026-11-26 T5" &&
    line "^   2026-11-27 T6 +9 " && has "$TMP/out" "Tổng: 16 câu hỏi" &&
    has "$TMP/out" "chưa trả lời được: 4 · chưa chắc: 2" &&
    has "$TMP/out" "Tổng: 5 · "'
check "--since 2026-11-27: topics counted in the period only" eval \
    'line "^    1\.     2  .*\[dvc.pay_fee\]$" &&
    line "^    2\.     2  .*\[vneid.forgot_passcode\]$" &&
    line "^    3\.     2  .*\[vneid.install\]$"'

run "$BIN" report --db "$DB" --kb "$KB" --since 2026-10-01
check "--since 2026-10-01: older rows counted, a run of empty days is one line" eval \
    'line "^   2026-10-20 T3     6  6/0/0       █+$" &&
    line "^   2026-10-21 … 2026-11-25: không có câu hỏi \(36 ngày\)$" &&
    ! line "^   2026-10-2[1-9] T" && ! line "^   2026-11-25 T" &&
    has "$TMP/out" "Tổng: 28 câu hỏi" &&
    line "^    1\.     6  .*\[vssid.lookup\]$"'
check "--since 2026-10-01: older ticket in the medians and 👎" eval \
    'has "$TMP/out" "Tổng: 8 · " &&
    has "$TMP/out" "(trung vị): 15 phút, trên 6 ticket" &&
    has "$TMP/out" "(trung vị): 60 phút (1 giờ 00 phút), trên 5 ticket" &&
    has "$TMP/out" "👍 2 · 👎 2"'
check "--since 2026-10-01: the older variant joins the phone-number group" \
    pycheck <<'EOF'
assert [g[0] for g in groups][:4] == [8, 3, 3, 2], groups
EOF

run env HOIDAP_TODAY=2026-11-27 "$BIN" report --db "$DB" --kb "$KB"
check "HOIDAP_TODAY sets today: the period ends with that day" eval \
    'test $rc -eq 0 && has "$TMP/out" "đến 2026-11-27" &&
    ! has "$TMP/out" "2026-11-28 T7" && has "$TMP/out" "Tổng: 15 câu hỏi"'
run env HOIDAP_TODAY=2026-11-29 "$BIN" report --db "$DB" --kb "$KB"
check "one empty day keeps its own line" \
    line "^   2026-11-29 CN     0  0/0/0       $"
run env HOIDAP_TODAY=2026-11-30 "$BIN" report --db "$DB" --kb "$KB"
check "two empty days at the end: one line" eval \
    'line "^   2026-11-29 … 2026-11-30: không có câu hỏi \(2 ngày\)$" &&
    ! line "^   2026-11-29 CN"'

# ---------------------------------------------------------------- sources

cat >"$TMP/hoidap.conf" <<EOF
db = $DB
kb = $KB
EOF
run "$BIN" report --config "$TMP/hoidap.conf"
check "--config: db and kb from the configuration file" \
    eval 'test $rc -eq 0 && cmp -s "$TMP/out" "$TMP/default"'
run env HOIDAP_DB="$DB" HOIDAP_KB="$KB" "$BIN" report
check "HOIDAP_DB and HOIDAP_KB" \
    eval 'test $rc -eq 0 && cmp -s "$TMP/out" "$TMP/default"'
run "$BIN" report --db "$DB" --kb "$TMP/no-such-kb"
check "no knowledge base: topics by id, a note on stderr, exit 0" eval \
    'test $rc -eq 0 && line "^    1\.     4  vneid.install$" &&
    has "$TMP/err" "no-such-kb"'

mkdb "$TMP/empty.db" 0 "" 2>"$TMP/err"
run "$BIN" report --db "$TMP/empty.db" --kb "$KB"
check "empty database: every section says so" eval \
    'test $rc -eq 0 && has "$TMP/out" "chưa có câu hỏi nào" &&
    has "$TMP/out" "chưa trả lời được: 0" &&
    has "$TMP/out" "Tổng: 0 · đang chờ: 0" &&
    has "$TMP/out" "Trả lời lần đầu sau (trung vị): —"'

mkdb "$TMP/v1.db" 1 "" 2>"$TMP/err"
run "$BIN" report --db "$TMP/v1.db" --kb "$KB"
check "schema 1 (before tickets): the other sections still work" \
    eval 'test $rc -eq 0 && has "$TMP/out" "chưa có bảng tickets"'

# Root reading the bot's database (the README's advice) must not leave
# root-owned WAL files behind that the bot could not open: SQLite gives them
# the database file's owner.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir "$TMP/own"
	cp "$DB" "$TMP/own/hoidap.db"
	chown -R nobody "$TMP/own"
	run "$BIN" report --db "$TMP/own/hoidap.db" --kb "$KB"
	check "run as root: the WAL files keep the database's owner" eval \
	    'test $rc -eq 0 && test -e "$TMP/own/hoidap.db-shm" &&
	    test -z "$(find "$TMP/own" ! -user nobody)"'
else
	ok "run as root: the WAL files keep the database's owner # SKIP not root"
fi

# ---------------------------------------------------------------- --html

run "$BIN" report --db "$DB" --kb "$KB" --html "$TMP/r.html"
check "--html: exit 0, the text report still on stdout" \
    eval 'test $rc -eq 0 && cmp -s "$TMP/out" "$TMP/default"'
check "--html: lang=vi, UTF-8, two inline SVG charts" eval \
    'has "$TMP/r.html" "<html lang=\"vi\">" &&
    has "$TMP/r.html" "<meta charset=\"utf-8\">" &&
    test "$(grep -o "<svg" "$TMP/r.html" | wc -l)" -eq 2'
check "--html: self-contained (no http, src, href, url(), @import, script)" \
    eval '! grep -qiE "http|src=|href=|url\(|@import|@font-face|<script" "$TMP/r.html"'
check "--html: residents' text escaped" \
    has "$TMP/r.html" "&lt;script&gt;alert(1)&lt;/script&gt;"
check "--html: the figures are there" eval \
    'has "$TMP/r.html" "2026-11-27 (T6): 9 câu hỏi" &&
    has "$TMP/r.html" "Cài ứng dụng VNeID" && has "$TMP/r.html" "👍 2 · 👎 1" &&
    has "$TMP/r.html" "90 phút (1 giờ 30 phút)"'
if "$PY" - "$TMP/r.html" >"$TMP/py" 2>&1 <<'EOF'
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "img", "hr", "link", "input"}
class P(HTMLParser):
    stack = []
    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        pass
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, (self.stack, tag, self.getpos())
        self.stack.pop()
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
p.close()
assert p.stack == [], p.stack
EOF
then
	ok "--html: every element is closed, properly nested"
else
	rc=0
	not_ok "--html: every element is closed, properly nested"
	sed 's/^/    py| /' "$TMP/py"
fi

check "--html: the daily chart is split by outcome, with a legend" eval \
    'has "$TMP/r.html" "2026-11-26 (T5): 6 câu hỏi — trả lời được 4, chưa chắc 1, chưa trả lời được 1, khác 0" &&
    has "$TMP/r.html" "class=\"o1\"" && has "$TMP/r.html" "class=\"o2\"" &&
    has "$TMP/r.html" "class=\"o3\"" && has "$TMP/r.html" "class=\"sw s1\""'
check "--html: unsure questions counted and marked" eval \
    'has "$TMP/r.html" "chưa trả lời được: 20 · chưa chắc: 3</h2>" &&
    has "$TMP/r.html" "đổi sđt vneid thế nào <span class=\"tag\">chưa chắc</span>"'

# The page as the ward prints it: Chromium's print to PDF, then page images.
if [ -n "$CHROMIUM" ]; then
	if render_pdf "$TMP/r.html" "$TMP/r.pdf"; then
		ok "--html printed by headless Chromium"
	else
		cp "$TMP/chromium.log" "$TMP/err"
		not_ok "--html printed by headless Chromium"
	fi
	check "printed on A4" eval 'pdfinfo "$TMP/r.pdf" | grep -q "^Page size:.*(A4)"'
	npages=$(pdf_pages "$TMP/r.pdf" 40 "$TMP/page")
	# A section too tall for what is left of a page used to move whole to
	# the next one, leaving page 1 with the title and one chart.
	first_filled() {
		set -- $(page_ink "$TMP/page-1.pgm")
		[ "$npages" -ge 2 ] && [ "$2" -ge $(($3 * 80 / 100)) ] ||
		    { echo "    page 1 of $npages: ink from row $1 to $2 of $3"; return 1; }
	}
	check "printed: page 1 is not left near-empty (ink past 80% of it)" first_filled
	no_blank() {
		for _p in "$TMP"/page-*.pgm; do
			set -- $(page_ink "$_p")
			[ "$1" -ge 0 ] || { echo "    ${_p##*/} is blank"; return 1; }
		done
	}
	check "printed: no blank page" no_blank
else
	for _c in "--html printed by headless Chromium" "printed on A4" \
	    "printed: page 1 is not left near-empty" "printed: no blank page"; do
		skip "$_c" "$RENDER_SKIP"
	done
fi

# ---------------------------------------------------------------- errors

run "$BIN" report --db "$TMP/missing.db" --kb "$KB"
check "missing database: exit 1, a clear message, nothing created" eval \
    'test $rc -eq 1 && has "$TMP/err" "không mở được cơ sở dữ liệu" &&
    has "$TMP/err" "missing.db" && test ! -e "$TMP/missing.db"'
run "$BIN" report --config "$TMP/no-such.conf" --db "$DB" --kb "$KB"
check "a configuration file that cannot be read: exit 1, named" eval \
    'test $rc -eq 1 && has "$TMP/err" "no-such.conf"'
echo "not a database" >"$TMP/junk.db"
run "$BIN" report --db "$TMP/junk.db" --kb "$KB"
check "not a database: exit 1" eval 'test $rc -eq 1 && test -s "$TMP/err"'
run "$BIN" report --db "$DB" --kb "$KB" --html "$TMP/no/such/dir/r.html"
check "--html into a missing directory: exit 1" test $rc -eq 1
for bad in 2026-13-01 2026-02-30 yesterday 26-11-01 2026-11-29; do
	run "$BIN" report --db "$DB" --kb "$KB" --since "$bad"
	check "bad --since $bad: exit 2 with the usage" eval \
	    'test $rc -eq 2 && has "$TMP/err" "usage: hoidap report" &&
	    has "$TMP/err" "$bad" && test ! -s "$TMP/out"'
done
run "$BIN" report --db "$DB" extra
check "an extra argument: exit 2" test $rc -eq 2
run "$BIN" report --no-such-option
check "an unknown option: exit 2" test $rc -eq 2

if clean_stderr; then
	ok "no sanitizer report in any run"
else
	rc=0
	cp "$TMP/allerr" "$TMP/err"
	: >"$TMP/out"
	not_ok "no sanitizer report in any run"
fi

if [ $nfail -ne 0 ]; then
	echo "$nfail of $n failed"
	exit 1
fi
echo "all $n passed"
