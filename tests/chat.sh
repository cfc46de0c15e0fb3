#!/bin/sh
# `hoidap chat` tests: tests/chat.sh BINARY (run it on the ASan build).
#
# The console is driven as an admin would drive it, one line at a time:
# its stdin is a FIFO this script writes to, and each step waits for the
# reply before the next, so an edit of knowledge/ between two lines is seen
# by the second. Hermetic: a copy of tests/data/kb-mini in a mktemp -d
# directory, removed on exit. Prints "ok N - name" or "not ok N - name" per
# case; exits 1 if any failed.
# The checks are strings run by eval, after the step they check:
# shellcheck disable=SC2016
set -u

if [ $# -ne 1 ]; then
	echo "usage: tests/chat.sh BINARY" >&2
	exit 2
fi
case $1 in
/*) BIN=$1 ;;
*) BIN=$(pwd)/$1 ;;
esac
if [ ! -x "$BIN" ]; then
	echo "tests/chat.sh: $BIN is not an executable" >&2
	exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
PY=$(command -v python3 || true)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hoidap-chat.XXXXXX") || exit 2
pid=
cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$TMP" || exit 2

for v in $(env | sed -n 's/^\(HOIDAP_[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
HOIDAP_TODAY=2026-11-28
export HOIDAP_TODAY
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export ASAN_OPTIONS
rc=0

. "$HERE/lib.sh"

check() {
	_name=$1
	shift
	if "$@"; then ok "$_name"; else fail "$_name"; fi
}

# start ARGS...: the console reading the FIFO; its output in out, err.
start() {
	rm -f in out err
	mkfifo in
	"$BIN" chat "$@" <in >out 2>err &
	pid=$!
	exec 3>in
}

# stop: end of input, as Ctrl-D; the console's exit status in rc.
stop() {
	exec 3>&-
	wait "$pid"
	rc=$?
	pid=
}

# wait_for WANT N: waits (10 s at most) until out holds WANT more than N
# times. 1 on a timeout, or when the console has exited.
wait_for() {
	_i=0
	while [ "$(grep -cF -- "$1" out)" -le "$2" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "    no '$1' in the output"
			return 1
		fi
		sleep 0.05
	done
}

# say LINE WANT: types LINE, then waits for the reply holding WANT.
say() {
	_before=$(grep -cF -- "$2" out)
	printf '%s\n' "$1" >&3
	wait_for "$2" "$_before"
}

# tail_from WANT: the output from its last line holding WANT on.
tail_from() {
	awk -v w="$1" 'index($0, w) { buf = "" } { buf = buf $0 "\n" }
	    END { printf "%s", buf }' out
}

mkdir kb
cp "$HERE"/data/kb-mini/*.txt kb/

# ---------------------------------------------------------------- replies

start --kb kb --db "$TMP/chat.db"
check "the greeting menu first" wait_for "Bác chọn một số" 0

say "cài vneid" "Mở CH Play"
check "a question gets the guide" eval 'tail_from "Mở CH Play" | grep -q "tiếp"'

say "cài vneid, mã otp là 123456" "đừng bao giờ gửi mã OTP"
check "an OTP in the message: the daemon's warning, after the reply" eval \
    'tail_from "Mở CH Play" | grep -q "đừng bao giờ gửi mã OTP"'
say "cài vneid, mật khẩu của tôi là Abc@12345" "đừng bao giờ gửi mã OTP"
check "a password: warned too" eval \
    '[ "$(grep -c "đừng bao giờ gửi mã OTP" out)" -eq 2 ]'
say "cài vneid" "Mở CH Play"
check "no warning for a message without secrets" eval \
    '! tail_from "Mở CH Play" | grep -q "đừng bao giờ"'

say "gặp người" "Chỉ là thử trên máy này"
check "asking for a person: says the hand-off is only simulated here" eval \
    'tail_from "người hỗ trợ" | grep -q "không có ticket nào được mở"'
say "xyzzy plugh" "chưa hiểu"
check "one fallback: no hand-off" eval \
    '[ "$(grep -c "Chỉ là thử trên máy này" out)" -eq 1 ]'
say "abc def ghi" "Chỉ là thử trên máy này"
check "a second fallback in a row: the daemon would open a ticket, the console says it does not" \
    eval '[ "$(grep -c "Chỉ là thử trên máy này" out)" -eq 2 ]'
say "cảm ơn cháu" "không có gì"

# ---------------------------------------------------------------- reload

cat >>kb/topics.txt <<'EOF'

== bike.ebike
title: Đăng ký xe đạp điện
keywords: xe đạp điện
ask: đăng ký xe đạp điện
source: test
reviewed: 2026-11-01
answer:
1. Mang xe đạp điện ra công an phường.
EOF
say "đăng ký xe đạp điện" "Mang xe đạp điện ra công an phường"
check "a topic added to knowledge/ answers the next line, without a restart" \
    eval '[ "$(grep -c "Đã tải lại kho câu hỏi" err)" -eq 1 ]'

cp kb/topics.txt good.txt
cat >>kb/topics.txt <<'EOF'

== bike.broken
title: Hỏng
answer:
EOF
broken_line=$(grep -n "^== bike.broken" kb/topics.txt | cut -d: -f1)
say "đăng ký xe đạp điện" "Mang xe đạp điện ra công an phường"
check "a broken edit: the errors, in Vietnamese, with file:line" eval \
    'has err "Kho câu hỏi vừa sửa có" && has err "vẫn dùng bản cũ" &&
    grep -q "kb/topics.txt:$broken_line: " err'
check "... and the last good knowledge base still answers" eval \
    '[ "$(grep -c "Mang xe đạp điện ra công an phường" out)" -eq 2 ]'
say "cài vneid" "Mở CH Play"
check "... the errors are not repeated while nothing changes" eval \
    '[ "$(grep -c "Kho câu hỏi vừa sửa có" err)" -eq 1 ]'
cp good.txt kb/topics.txt
printf '\n== bike.fixed\ntitle: Sửa xe đạp điện\nkeywords: sửa xe đạp điện\nsource: test\nreviewed: 2026-11-01\nanswer:\n1. Ra tiệm sửa xe.\n' \
    >>kb/topics.txt
say "sửa xe đạp điện" "Ra tiệm sửa xe"
check "fixed: reloaded again" eval '[ "$(grep -c "Đã tải lại kho câu hỏi" err)" -eq 2 ]'
rm kb/stopwords.txt
say "cài vneid" "Mở CH Play"
check "a file removed from knowledge/ is seen too" eval \
    '[ "$(grep -c "Đã tải lại kho câu hỏi" err)" -eq 3 ]'

stop
check "Ctrl-D: exit 0" eval '[ $rc -eq 0 ]'

# ---------------------------------------------------------------- store

# what the report reads: the reply's action, the resident's text redacted
stored() {
	[ -n "$PY" ] || { echo "    python3 not found"; return 1; }
	"$PY" - "$TMP/chat.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT i.text, o.action FROM messages o JOIN messages i "
                  "ON i.id = o.id - 1 WHERE o.dir = 'out' ORDER BY o.id").fetchall()
acts = dict(rows)
assert acts["cảm ơn cháu"] == "notice", acts
assert acts["cài vneid"] == "answer" and acts["xyzzy plugh"] == "fallback", acts
ins = " ".join(t for t, in db.execute("SELECT text FROM messages WHERE dir='in'"))
assert "123456" not in ins and "Abc@12345" not in ins, ins
assert "[mã OTP đã ẩn]" in ins and "[mật khẩu đã ẩn]" in ins, ins
un = [t for t, in db.execute("SELECT text FROM unanswered")]
assert "xyzzy plugh" in un and not any("123456" in t for t in un), un
EOF
}
check "--db: a thank-you is logged as a notice, secrets redacted" stored

if ! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' err; then
	ok "no sanitizer report"
else
	fail "no sanitizer report"
fi

if [ $nfail -ne 0 ]; then
	echo "tests/chat.sh: $nfail of $n failed"
	exit 1
fi
echo "tests/chat.sh: all $n passed"
