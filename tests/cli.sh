#!/bin/sh
# CLI tests: tests/cli.sh BINARY (make cli runs it on the ASan build).
#
# Hermetic: everything it writes goes to a mktemp -d directory, removed on
# exit; it reads only tests/data, tests/golden and the binary. Prints one
# "ok N - name" or "not ok N - name" line per case and exits 1 if any failed.
# JSON is checked with python3 (in Debian's base images); jq is not needed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: tests/cli.sh BINARY" >&2
	exit 2
fi
case $1 in
/*) BIN=$1 ;;
*) BIN=$(pwd)/$1 ;;
esac
if [ ! -x "$BIN" ]; then
	echo "tests/cli.sh: $BIN is not an executable" >&2
	exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
MINI=$HERE/data/kb-mini
SECT=$HERE/data/kb-sections
GOLDEN=$HERE/golden/ask-mini.tsv
EVALTSV=$HERE/data/eval-mini.tsv
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hoidap-cli.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# Same date everywhere, so "stale"/"future" warnings never depend on today.
HOIDAP_TODAY=2026-11-28
export HOIDAP_TODAY
unset HOIDAP_KB
PY=$(command -v python3 || true)

. "$(dirname "$0")/lib.sh"

# run CMD...: stdout to $TMP/out, stderr to $TMP/err, status to $rc.
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# run_in STDIN_FILE CMD...
run_in() {
	_in=$1
	shift
	"$@" <"$_in" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}


# in_order FILE S1 S2 ...: the fixed strings occur in this order.
in_order() {
	_f=$1
	shift
	awk -v n=$# 'BEGIN {
		for (i = 1; i <= n; i++) want[i] = ARGV[i + 1]
		ARGC = 2; k = 1 }
	{ while (k <= n && index($0, want[k]) > 0) k++ }
	END { exit k <= n ? 1 : 0 }' "$_f" "$@"
}

# jcheck PYTHON_BODY: runs the body with `lines` = the JSON objects of
# $TMP/out, one per line; the body raises (assert) on failure.
jcheck() {
	if [ -z "$PY" ]; then
		echo "    python3 not found: cannot check JSON" >&2
		return 1
	fi
	"$PY" - "$TMP/out" "$@" >"$TMP/py" 2>&1 <<EOF
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    raw = f.read().split("\n")
if raw and raw[-1] == "":
    raw.pop()
lines = [json.loads(l) for l in raw]
args = sys.argv[2:]
$(cat)
EOF
	_rc=$?
	[ $_rc -eq 0 ] || sed 's/^/    py| /' "$TMP/py"
	return $_rc
}

# ---------------------------------------------------------------- ask

run "$BIN" ask --kb "$MINI" "cai vneid ntn"
if [ $rc -eq 0 ] && has "$TMP/out" "1. Mở CH Play." &&
    has "$TMP/out" 'gõ "tiếp"' && ! has "$TMP/out" "3. Bấm Cài đặt." &&
    [ ! -s "$TMP/err" ]; then
	ok "ask prints the first page of the answer"
else
	fail "ask prints the first page of the answer"
fi
cp "$TMP/out" "$TMP/ask1"

run "$BIN" ask --kb "$MINI" cai vneid ntn
if [ $rc -eq 0 ] && cmp -s "$TMP/out" "$TMP/ask1"; then
	ok "ask joins several arguments into one question"
else
	fail "ask joins several arguments into one question"
fi

run "$BIN" ask --kb "$MINI" "giá vàng hôm nay"
if [ $rc -eq 0 ] && has "$TMP/out" "chưa hiểu" &&
    has "$TMP/out" "1. Gặp người hỗ trợ" && has "$TMP/out" "0. Về menu chính"; then
	ok "ask out of scope: fallback offers a person"
else
	fail "ask out of scope: fallback offers a person"
fi

run "$BIN" ask --kb "$MINI" --json "cai vneid ntn"
if [ $rc -eq 0 ] && jcheck <<'EOF'
assert len(lines) == 1, lines
o = lines[0]
assert set(o) >= {"action", "topic", "score", "suggestions", "reply"}, o
assert o["action"] == "answer", o
assert o["topic"] == "vneid.install", o
assert isinstance(o["score"], (int, float)) and 0.5 <= o["score"] <= 1, o
assert o["suggestions"] == [], o
assert "1. Mở CH Play." in o["reply"], o
EOF
then
	ok "ask --json: one object with action/topic/score/suggestions/reply"
else
	fail "ask --json: one object with action/topic/score/suggestions/reply"
fi

run "$BIN" ask --kb "$MINI" --json "dự báo thời tiết"
if [ $rc -eq 0 ] && jcheck <<'EOF'
o = lines[0]
assert o["action"] == "fallback" and o["topic"] is None, o
assert o["score"] < 0.3, o
assert [s["topic"] for s in o["suggestions"]] == ["handoff.human"], o
assert o["suggestions"][0]["title"] == "Gặp người hỗ trợ", o
EOF
then
	ok "ask --json fallback: topic null, handoff suggested"
else
	fail "ask --json fallback: topic null, handoff suggested"
fi

run "$BIN" ask --kb "$MINI" --json 0
if [ $rc -eq 0 ] && jcheck <<'EOF'
o = lines[0]
assert o["action"] == "answer" and o["topic"] == "greeting", o
assert [s["topic"] for s in o["suggestions"]] == \
    ["vneid.install", "etax.pay_land_tax", "handoff.human"], o
assert "1. Cài ứng dụng VNeID" in o["reply"], o
EOF
then
	ok "ask --json 0: the main menu and its options"
else
	fail "ask --json 0: the main menu and its options"
fi

printf 'cai vneid ntn\r\n\ntôi muốn thuê nhà\ngiá vàng\nthuế nhà đất\n0' \
    >"$TMP/batch.in"
run_in "$TMP/batch.in" "$BIN" ask --kb "$MINI" --batch --json
if [ $rc -eq 0 ] && jcheck <<'EOF'
got = [(o["action"], o["topic"]) for o in lines]
assert got == [("answer", "vneid.install"), ("fallback", None),
    ("answer", "rent.house"), ("fallback", None),
    ("answer", "etax.pay_land_tax"), ("answer", "greeting")], got
for o in lines:
    assert set(o) >= {"action", "topic", "score", "suggestions", "reply"}, o
EOF
then
	ok "ask --batch --json: one line per input line, in order"
else
	fail "ask --batch --json: one line per input line, in order"
fi

printf 'cai vneid ntn\ngiá vàng\nthuế nhà đất\n' >"$TMP/batch2.in"
run_in "$TMP/batch2.in" "$BIN" ask --kb "$MINI" --batch
if [ $rc -eq 0 ] && [ "$(grep -cx -- '--' "$TMP/out")" -eq 3 ] &&
    in_order "$TMP/out" "1. Mở CH Play." "--" "chưa hiểu" "--" \
    "Mở eTax Mobile" "--"; then
	ok "ask --batch: replies separated by --"
else
	fail "ask --batch: replies separated by --"
fi

# A kb where two topics tie: the reply is "did you mean".
mkdir "$TMP/tie"
for id in card.first card.second; do
	cat >>"$TMP/tie/topics.txt" <<EOF
== $id
title: Đổi thẻ xanh ($id)
keywords: đổi thẻ xanh, thẻ xanh
ask: đổi thẻ xanh ở đâu
source: test
reviewed: 2026-11-01
answer:
$id

EOF
done
cat >>"$TMP/tie/topics.txt" <<'EOF'
== handoff.human
title: Gặp người hỗ trợ
keywords: gặp người
source: test
reviewed: 2026-11-01
answer:
Dạ, cháu chuyển bác ạ.
EOF
printf 'ạ à ơi nhé\n' >"$TMP/tie/stopwords.txt"
run "$BIN" ask --kb "$TMP/tie" --json "đổi thẻ xanh ở đâu"
if [ $rc -eq 0 ] && jcheck <<'EOF'
o = lines[0]
assert o["action"] == "clarify", o
assert o["topic"] == "card.first", o
assert [s["topic"] for s in o["suggestions"]] == ["card.first", "card.second"], o
assert "1. Đổi thẻ xanh (card.first)" in o["reply"], o
assert "2. Đổi thẻ xanh (card.second)" in o["reply"], o
assert "3. Gặp người hỗ trợ" in o["reply"], o
EOF
then
	ok "ask --json clarify: topic is the best candidate, suggestions listed"
else
	fail "ask --json clarify: topic is the best candidate, suggestions listed"
fi

run "$BIN" ask --kb "$MINI" --explain "cai vneid ntn"
if [ $rc -eq 0 ] && has "$TMP/out" "# answer, score" &&
    has "$TMP/out" "vneid.install"; then
	ok "ask --explain shows the candidates"
else
	fail "ask --explain shows the candidates"
fi

# The stages of match_run, in order, each with what it saw.
run "$BIN" ask --kb "$MINI" --explain "cai vneid ntn"
if [ $rc -eq 0 ] && grep '^# stage ' "$TMP/out" | cut -d' ' -f3 | tr -d ':' |
    tr '\n' ' ' | grep -qx 'normalize features words patterns scores decision ' &&
    has "$TMP/out" '# stage normalize: 5 words "cai vneid nhu the nao" (as typed: "cai vneid ntn")' &&
    has "$TMP/out" "let through by the prefilter" &&
    has "$TMP/out" "# stage decision: answer (best: vneid.install"; then
	ok "ask --explain prints the stages"
else
	fail "ask --explain prints the stages"
fi

# A 10,000-byte question: cut, answered, no crash.
"$PY" -c 'import sys; sys.stdout.write("cài vneid " + "ế " * 2495)' \
    >"$TMP/long.in" 2>/dev/null || awk 'BEGIN { printf "cài vneid "
	for (i = 0; i < 2495; i++) printf "ế "; }' >"$TMP/long.in"
run "$BIN" ask --kb "$MINI" --json "$(cat "$TMP/long.in")"
if [ $rc -eq 0 ] && clean_stderr && jcheck <<'EOF'
assert lines[0]["action"] in ("answer", "clarify", "fallback"), lines
EOF
then
	ok "ask survives a 10,000-byte question"
else
	fail "ask survives a 10,000-byte question"
fi

# One "word" that compatibility mapping makes 4x longer (U+3300 -> 4 kana).
awk 'BEGIN { for (i = 0; i < 1365; i++) printf "\343\214\200" }' \
    >"$TMP/compat.in"
run "$BIN" ask --kb "$MINI" --json "$(cat "$TMP/compat.in")"
if [ $rc -eq 0 ] && clean_stderr && jcheck <<'EOF'
assert lines[0]["action"] == "fallback", lines
EOF
then
	ok "ask survives a word longer than 4096 bytes once normalized"
else
	fail "ask survives a word longer than 4096 bytes once normalized"
fi

# ---------------------------------------------------------------- usage

# usage_case NAME EXPECTED_TEXT CMD...: exit 2, the text on stderr.
usage_case() {
	_name=$1
	_want=$2
	shift 2
	run "$@"
	if [ $rc -eq 2 ] && has "$TMP/err" "$_want" && clean_stderr; then
		ok "$_name"
	else
		fail "$_name"
	fi
}

usage_case "no arguments: usage, exit 2" "usage: hoidap" "$BIN"
usage_case "unknown command: exit 2" "unknown command 'frobnicate'" \
    "$BIN" frobnicate
usage_case "ask without text: exit 2" "usage: hoidap ask" \
    "$BIN" ask --kb "$MINI"
usage_case "ask --batch with text: exit 2" "usage: hoidap ask" \
    "$BIN" ask --kb "$MINI" --batch "cai vneid"
usage_case "ask unknown option: exit 2" "usage: hoidap ask" \
    "$BIN" ask --bogus "cai vneid"
usage_case "check extra argument: exit 2" "usage: hoidap check" \
    "$BIN" check --kb "$MINI" extra
usage_case "check unknown option: exit 2" "usage: hoidap check" \
    "$BIN" check --frob
usage_case "chat extra argument: exit 2" "usage: hoidap chat" \
    "$BIN" chat --kb "$MINI" extra
usage_case "eval without a file: exit 2" "usage: hoidap eval" \
    "$BIN" eval --kb "$MINI"
usage_case "eval with two files: exit 2" "usage: hoidap eval" \
    "$BIN" eval --kb "$MINI" "$EVALTSV" "$EVALTSV"

run "$BIN" help
if [ $rc -eq 0 ] && has "$TMP/out" "usage: hoidap" && has "$TMP/out" "ask" &&
    has "$TMP/out" "check"; then
	ok "help: usage on stdout, exit 0"
else
	fail "help: usage on stdout, exit 0"
fi

# ---------------------------------------------------------------- kb dir

mkdir "$TMP/nokb"
(cd "$TMP/nokb" && HOIDAP_KB=$MINI "$BIN" ask "thuế nhà đất") \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] && has "$TMP/out" "Mở eTax Mobile"; then
	ok "HOIDAP_KB names the knowledge directory"
else
	fail "HOIDAP_KB names the knowledge directory"
fi

(cd "$TMP/nokb" && HOIDAP_KB=/nonexistent/kb "$BIN" ask --kb "$MINI" \
    "thuế nhà đất") >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] && has "$TMP/out" "Mở eTax Mobile"; then
	ok "--kb overrides HOIDAP_KB"
else
	fail "--kb overrides HOIDAP_KB"
fi

(cd "$TMP/nokb" && HOIDAP_KB=/nonexistent/kb "$BIN" ask "thuế nhà đất") \
    >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 1 ] && has "$TMP/err" "/nonexistent/kb" &&
    has "$TMP/err" "lỗi: không mở được thư mục kiến thức"; then
	ok "a missing HOIDAP_KB directory: exit 1 with the reason"
else
	fail "a missing HOIDAP_KB directory: exit 1 with the reason"
fi

mkdir "$TMP/cwd"
cp -R "$MINI" "$TMP/cwd/knowledge"
(cd "$TMP/cwd" && "$BIN" ask "tôi muốn thuê nhà") >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] && has "$TMP/out" "Hỏi chủ nhà"; then
	ok "without --kb or HOIDAP_KB: ./knowledge"
else
	fail "without --kb or HOIDAP_KB: ./knowledge"
fi

# ---------------------------------------------------------------- check

run "$BIN" check --kb "$MINI"
if [ $rc -eq 0 ] && has "$TMP/out" "đã thử 6 câu ví dụ: 0 lỗi, 0 cảnh báo" &&
    clean_stderr; then
	ok "check on kb-mini: exit 0"
else
	fail "check on kb-mini: exit 0"
fi

(cd "$TMP/nokb" && HOIDAP_KB=$MINI "$BIN" check) >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] && has "$TMP/out" "$MINI"; then
	ok "check uses HOIDAP_KB"
else
	fail "check uses HOIDAP_KB"
fi

# break_copy NAME: a fresh copy of kb-mini in $TMP/NAME
break_copy() {
	rm -rf "${TMP:?}/$1"
	cp -R "$MINI" "$TMP/$1"
}

# sed_line FILE LINE SCRIPT: edits one line in place (portable sed)
sed_line() {
	sed "$2$3" "$1" >"$1.new" && mv "$1.new" "$1"
}

# No system.txt: the bot's own sentences are built-in stand-ins, which
# check warns about (and chat, once).
break_copy nosys
rm "$TMP/nosys/system.txt"
run "$BIN" check --kb "$TMP/nosys"
if [ $rc -eq 0 ] && has "$TMP/out" "0 lỗi, 1 cảnh báo" &&
    has "$TMP/err" "$TMP/nosys/system.txt: cảnh báo: không có tệp system.txt"; then
	ok "check without system.txt: a warning that names it"
else
	fail "check without system.txt: a warning that names it"
fi
printf 'cai vneid ntn\nxyzzy\n' >"$TMP/nosys.in"
run_in "$TMP/nosys.in" "$BIN" chat --kb "$TMP/nosys"
if [ $rc -eq 0 ] && [ "$(grep -c 'không có tệp system.txt' "$TMP/err")" = 1 ]; then
	ok "chat without system.txt: says it once"
else
	fail "chat without system.txt: says it once"
fi

break_copy broken
L=$(grep -n '^title: Thuê nhà' "$TMP/broken/topics.txt" | cut -d: -f1)
sed_line "$TMP/broken/topics.txt" "$L" 's/^title: /title /'
run "$BIN" check --kb "$TMP/broken"
if [ -n "$L" ] && [ $rc -eq 1 ] &&
    has "$TMP/err" "$TMP/broken/topics.txt:$L: lỗi: thiếu dấu ':' sau 'title'. Cách sửa: viết 'title: Thuê nhà'" &&
    has "$TMP/out" "1 lỗi"; then
	ok "check on a broken copy: exit 1, path:line: lỗi: message. Cách sửa: hint"
else
	fail "check on a broken copy: exit 1, path:line: lỗi: message. Cách sửa: hint" "line $L"
fi

break_copy badre
L=$(grep -n '^match: thuê' "$TMP/badre/topics.txt" | cut -d: -f1)
sed_line "$TMP/badre/topics.txt" "$L" 's/(nhà|phòng)/(nhà|phòng/'
run "$BIN" check --kb "$TMP/badre"
if [ -n "$L" ] && [ $rc -eq 1 ] &&
    has "$TMP/err" "$TMP/badre/topics.txt:$L: lỗi: mẫu 'match:' viết sai: thiếu dấu ')' đóng ngoặc (PCRE2: missing closing parenthesis, sau ký tự thứ"; then
	ok "check reports a bad pattern with PCRE2's message and offset"
else
	fail "check reports a bad pattern with PCRE2's message and offset"
fi

break_copy badsee
L=$(grep -n '^see: ' "$TMP/badsee/topics.txt" | cut -d: -f1)
sed_line "$TMP/badsee/topics.txt" "$L" 's/^see: .*/see: etax.pay_land_tax, etax.nope/'
run "$BIN" check --kb "$TMP/badsee"
if [ -n "$L" ] && [ $rc -eq 1 ] &&
    has "$TMP/err" "$TMP/badsee/topics.txt:$L: lỗi: 'see:' nêu mã 'etax.nope', nhưng không có chủ đề nào mang mã này"; then
	ok "check reports an unknown see: id"
else
	fail "check reports an unknown see: id"
fi

break_copy wrongask
cat >"$TMP/wrongask/extra.txt" <<'EOF'
# an example that another topic answers
== office.hours
title: Giờ làm việc của phường
keywords: giờ làm việc
ask: nộp thuế đất trên etax thế nào
source: test
reviewed: 2026-11-01
answer:
Dạ, phường làm việc từ thứ Hai đến thứ Sáu ạ.
EOF
run "$BIN" check --kb "$TMP/wrongask"
if [ $rc -eq 1 ] &&
    has "$TMP/err" "$TMP/wrongask/extra.txt:5: lỗi: câu ví dụ \"nộp thuế đất trên etax thế nào\" của 'office.hours' lại được trả lời bằng 'etax.pay_land_tax'"; then
	ok "check runs every ask: example through the matcher"
else
	fail "check runs every ask: example through the matcher"
fi

# Too close to another topic: the words that collide, the pattern that hit,
# and the three ways out, with the words only this topic has.
cat >"$TMP/wrongask/extra.txt" <<'EOF'
== office.fee
title: Lệ phí làm giấy tờ ở phường
keywords: lệ phí phường, phí giấy tờ
ask: lệ phí nộp thuế đất ở phường
source: test
reviewed: 2026-11-01
answer:
Dạ, bác hỏi bộ phận một cửa ạ.
EOF
run "$BIN" check --kb "$TMP/wrongask"
L="$TMP/wrongask/extra.txt:4: lỗi: câu ví dụ \"lệ phí nộp thuế đất ở phường\" của 'office.fee'"
if [ $rc -eq 1 ] && has "$TMP/err" "$L" &&
    has "$TMP/err" "'etax.pay_land_tax' có cùng các từ \"nộp thuế đất\", và dòng 'match:' ở dòng 34 của nó khớp câu này. Cách sửa: chọn một trong ba cách: (1) viết 'ask:' cụ thể hơn, có từ chỉ 'office.fee' mới có (câu này có \"lệ\", \"phí\", \"phường\", \"ở\" mà 'etax.pay_land_tax' không có); (2) thêm cho 'office.fee' một dòng 'keywords:' hoặc 'match:' với những từ riêng đó; (3) thêm cho 'etax.pay_land_tax' ($TMP/wrongask/topics.txt:30) một dòng 'not:' loại câu kiểu này, ví dụ 'not: lệ' nếu câu có chữ \"lệ\" không bao giờ hỏi về 'etax.pay_land_tax'" &&
    [ "$(grep -c 'lỗi: ' "$TMP/err")" -eq 1 ]; then
	ok "check: a collision names the shared words, the pattern and the three ways out"
else
	fail "check: a collision names the shared words, the pattern and the three ways out"
fi

# Every mistake of a block at once, the nearest key named; nothing in
# English for the admin.
break_copy manyerr
cat >>"$TMP/manyerr/topics.txt" <<'EOF'

== Office.Hours
Title: Giờ làm việc
keywords: giờ làm việc phường
anwser:
Dạ, từ thứ Hai đến thứ Sáu ạ.
EOF
run "$BIN" check --kb "$TMP/manyerr"
L=$(grep -n '^== Office.Hours' "$TMP/manyerr/topics.txt" | cut -d: -f1)
F="$TMP/manyerr/topics.txt"
if [ -n "$L" ] && [ $rc -eq 1 ] &&
    has "$TMP/err" "$F:$L: lỗi: mã chủ đề 'Office.Hours' không hợp lệ: chỉ dùng chữ thường không dấu, chữ số, '_', các phần nối bằng dấu chấm. Cách sửa: viết '== office.hours'" &&
    has "$TMP/err" "$F:$((L + 1)): lỗi: không có khoá 'Title:'. Cách sửa: viết 'title:' (chữ thường)" &&
    has "$TMP/err" "$F:$((L + 3)): lỗi: không có khoá 'anwser:'. Cách sửa: viết 'answer:'" &&
    has "$TMP/err" "$F:$L: lỗi: chủ đề 'Office.Hours' chưa có 'source:'" &&
    has "$TMP/err" "$F:$L: lỗi: chủ đề 'Office.Hours' chưa có ngày 'reviewed:'. Cách sửa: thêm dòng 'reviewed: 2026-11-28'" &&
    has "$TMP/out" ": 5 lỗi, 0 cảnh báo" &&
    [ "$(grep -c . "$TMP/err")" -eq 5 ] &&
    [ "$(grep -vc ': lỗi: .*\. Cách sửa: ' "$TMP/err")" -eq 0 ]; then
	ok "check: every error of a bad block at once, in Vietnamese, each with a fix"
else
	fail "check: every error of a bad block at once, in Vietnamese, each with a fix" "line $L"
fi

break_copy stale
run env HOIDAP_TODAY=2027-12-01 "$BIN" check --kb "$TMP/stale"
if [ $rc -eq 0 ] && has "$TMP/err" "cảnh báo: 'rent.house' được kiểm tra lần cuối" &&
    has "$TMP/out" "0 lỗi"; then
	ok "check: stale dates are warnings, exit 0"
else
	fail "check: stale dates are warnings, exit 0"
fi

run "$BIN" ask --kb "$TMP/broken" "cai vneid"
if [ $rc -eq 1 ] && has "$TMP/err" "hoidap: $TMP/broken có 1 lỗi (ở trên); sửa xong rồi chạy 'hoidap check'" &&
    [ ! -s "$TMP/out" ]; then
	ok "ask refuses a kb with errors: exit 1"
else
	fail "ask refuses a kb with errors: exit 1"
fi

# What the command table's CMD_KB asks for (cmd_open), the same in every
# command that needs a knowledge base: refused with errors, exit 1.
printf 'cài vneid\tvneid.install\n' >"$TMP/one.tsv"
for c in "eval --kb $TMP/broken $TMP/one.tsv" "chat --kb $TMP/broken" \
    "qr --kb $TMP/broken --bot hoidap_test_bot --text vneid.install"; do
	run_in /dev/null env -u HOIDAP_DB $BIN $c
	if [ $rc -eq 1 ] && has "$TMP/err" "hoidap: $TMP/broken có 1 lỗi (ở trên)" &&
	    [ ! -s "$TMP/out" ] && clean_stderr; then
		ok "${c%% *} refuses a kb with errors: exit 1"
	else
		fail "${c%% *} refuses a kb with errors: exit 1"
	fi
done
# CMD_STORE: a database that cannot be opened stops chat before it talks.
run_in /dev/null "$BIN" chat --kb "$MINI" --db "$TMP/no-such-dir/x.db"
if [ $rc -eq 1 ] && [ ! -s "$TMP/out" ] && clean_stderr; then
	ok "chat --db that cannot be opened: exit 1, nothing said"
else
	fail "chat --db that cannot be opened: exit 1, nothing said"
fi

# knowledge/README.md, "Không cần mẫu": the worked example, run on the
# bundled knowledge, says what the README says check says (digits aside:
# line numbers move as files are edited), and both fixes it gives work.
KB=$HERE/../knowledge
RD=$TMP/readme
readme_block() {        # readme_block N: the Nth ``` block of the section
	awk -v want="$1" '/^## Không cần mẫu/ { f = 1; next }
	    f && /^## / { exit }
	    f && /^```$/ { n++; next }
	    f && n == 2 * want - 1 { print }' "$KB/README.md"
}
rm -rf "$RD"
cp -R "$KB" "$RD"
readme_block 1 >"$RD/phuong.txt"
run "$BIN" check --kb "$RD"
readme_block 2 | sed "s|knowledge/|$RD/|g; s/[0-9]//g" >"$TMP/readme.want"
grep ': lỗi: ' "$TMP/err" | sed 's/[0-9]//g' >"$TMP/readme.got"
if [ $rc -eq 1 ] && [ -s "$TMP/readme.want" ] &&
    cmp -s "$TMP/readme.want" "$TMP/readme.got"; then
	ok "knowledge/README.md: the worked example's check message is what check prints"
else
	fail "knowledge/README.md: the worked example's check message is what check prints" \
	    "$(cat "$TMP/readme.want")"
fi
sed 's/^ask: nộp hồ sơ trực tiếp ở phường$/ask: bộ phận một cửa nhận hồ sơ lúc mấy giờ/' \
    "$RD/phuong.txt" >"$TMP/phuong.1"
cp "$RD/phuong.txt" "$TMP/phuong.0"
cp "$TMP/phuong.1" "$RD/phuong.txt"
run "$BIN" check --kb "$RD"
fix1=$rc
cp "$TMP/phuong.0" "$RD/phuong.txt"
awk '/^== / { in_t = ($2 == "dvc.submit_dossier") }
    in_t && /^answer:/ { print "not: truc tiep"; in_t = 0 } { print }' \
    "$KB/dvc.txt" >"$RD/dvc.txt"
run "$BIN" check --kb "$RD"
if [ $fix1 -eq 0 ] && [ $rc -eq 0 ] && grep -q '^not: truc tiep' "$RD/dvc.txt" &&
    has "$TMP/out" ": 0 lỗi,"; then
	ok "knowledge/README.md: both fixes of the worked example leave 0 lỗi"
else
	fail "knowledge/README.md: both fixes of the worked example leave 0 lỗi" "fix 1 rc=$fix1"
fi

# ---------------------------------------------------------------- eval

run "$BIN" eval --kb "$MINI" "$EVALTSV"
if [ $rc -eq 0 ] &&
    has "$TMP/out" "in-scope: 6, answered right (top-1): 1.000" &&
    has "$TMP/out" "out-of-scope: 2, rejected: 1.000" &&
    has "$TMP/out" "confidently wrong: 0 of 8 = 0.000" &&
    grep -q '^ok (floors' "$TMP/out"; then
	ok "eval on eval-mini.tsv prints the rates, exit 0"
else
	fail "eval on eval-mini.tsv prints the rates, exit 0"
fi

printf 'thuế nhà đất\trent.house\ncai vneid ntn\tvneid.install\ngiá vàng\tout_of_scope\n' \
    >"$TMP/wrong.tsv"
run "$BIN" eval --kb "$MINI" "$TMP/wrong.tsv"
if [ $rc -eq 1 ] &&
    has "$TMP/out" "$(printf 'WRONG\tthuế nhà đất\twant rent.house, got etax.pay_land_tax')" &&
    has "$TMP/out" "in-scope: 2, answered right (top-1): 0.500" &&
    has "$TMP/out" "BELOW FLOOR"; then
	ok "eval below the floor: the miss listed, exit 1"
else
	fail "eval below the floor: the miss listed, exit 1"
fi

# Floors: one set, rejected 0.500 and wrong 0.333 (1 of 3), top-1 1.000.
printf 'cai vneid ntn\tvneid.install\ngiá vàng\tout_of_scope\nthuế nhà đất\tout_of_scope\n' \
    >"$TMP/floors.tsv"
run "$BIN" eval --kb "$MINI" "$TMP/floors.tsv"
if [ $rc -eq 1 ] &&
    has "$TMP/out" "BELOW FLOOR: out-of-scope rejected 0.500 < 0.9" &&
    has "$TMP/out" "BELOW FLOOR: confidently wrong 0.333 > 0.02" &&
    ! has "$TMP/out" "BELOW FLOOR: answered right"; then
	ok "eval default floors: each missed floor named, exit 1"
else
	fail "eval default floors: each missed floor named, exit 1"
fi
run "$BIN" eval --kb "$MINI" --min-oos 0.5 --max-wrong 0.34 "$TMP/floors.tsv"
if [ $rc -eq 0 ] &&
    grep -q '^ok (floors: top-1 >= 0.95, rejected >= 0.5, wrong <= 0.34)$' \
    "$TMP/out"; then
	ok "eval --min-oos/--max-wrong: a rate on the floor passes, exit 0"
else
	fail "eval --min-oos/--max-wrong: a rate on the floor passes, exit 0"
fi
run "$BIN" eval --kb "$MINI" --min-oos 0.95 --max-wrong 0.34 "$TMP/floors.tsv"
if [ $rc -eq 1 ] &&
    has "$TMP/out" "BELOW FLOOR: out-of-scope rejected 0.500 < 0.95" &&
    ! has "$TMP/out" "BELOW FLOOR: confidently wrong"; then
	ok "eval --min-oos 0.95: rejected below it, exit 1"
else
	fail "eval --min-oos 0.95: rejected below it, exit 1"
fi
run "$BIN" eval --kb "$MINI" --min-oos 0.5 --max-wrong 0.3 "$TMP/floors.tsv"
if [ $rc -eq 1 ] &&
    has "$TMP/out" "BELOW FLOOR: confidently wrong 0.333 > 0.3" &&
    ! has "$TMP/out" "BELOW FLOOR: out-of-scope"; then
	ok "eval --max-wrong 0.3: wrong above it, exit 1"
else
	fail "eval --max-wrong 0.3: wrong above it, exit 1"
fi
# wrong.tsv: top-1 0.500.
run "$BIN" eval --kb "$MINI" --min-top1 0.5 --min-oos 0 --max-wrong 1 \
    "$TMP/wrong.tsv"
if [ $rc -eq 0 ] && grep -q '^ok (floors: top-1 >= 0.5,' "$TMP/out"; then
	ok "eval --min-top1 0.5: top-1 0.500 passes, exit 0"
else
	fail "eval --min-top1 0.5: top-1 0.500 passes, exit 0"
fi
run "$BIN" eval --kb "$MINI" --min-top1 0.6 --min-oos 0 --max-wrong 1 \
    "$TMP/wrong.tsv"
if [ $rc -eq 1 ] &&
    has "$TMP/out" "BELOW FLOOR: answered right (top-1) 0.500 < 0.6"; then
	ok "eval --min-top1 0.6: top-1 below it, exit 1"
else
	fail "eval --min-top1 0.6: top-1 below it, exit 1"
fi
for _bad in abc 1.5 -0.1 0.9x ''; do
	run "$BIN" eval --kb "$MINI" --min-top1 "$_bad" "$EVALTSV"
	if [ $rc -eq 2 ] && has "$TMP/err" "expected a rate from 0 to 1" &&
	    has "$TMP/err" "usage: hoidap eval"; then
		ok "eval --min-top1 '$_bad': exit 2"
	else
		fail "eval --min-top1 '$_bad': exit 2"
	fi
done

run "$BIN" eval --kb "$MINI" "$TMP/does-not-exist.tsv"
if [ $rc -eq 2 ] && has "$TMP/err" "does-not-exist.tsv"; then
	ok "eval on a missing file: exit 2"
else
	fail "eval on a missing file: exit 2"
fi

# ---------------------------------------------------------------- chat

printf 'cai vneid ntn\ntiếp\n0\n1\n' >"$TMP/chat.in"
run_in "$TMP/chat.in" "$BIN" chat --kb "$MINI"
if [ $rc -eq 0 ] && clean_stderr && in_order "$TMP/out" \
    "Bác chọn một số" "1. Cài ứng dụng VNeID" \
    "1. Mở CH Play." 'gõ "tiếp"' \
    "3. Bấm Cài đặt." "https://vneid.gov.vn" "Xem thêm:" "1. Nộp thuế đất" \
    "Bác chọn một số" "3. Gặp người hỗ trợ" \
    "1. Mở CH Play."; then
	ok "chat: greeting, page 1, tiếp, menu, option 1"
else
	fail "chat: greeting, page 1, tiếp, menu, option 1"
fi
if [ "$(grep -c 'Bấm Cài đặt' "$TMP/out")" -eq 1 ] &&
    [ "$(grep -c 'Mở CH Play' "$TMP/out")" -eq 2 ]; then
	ok "chat: each page shown exactly when asked"
else
	fail "chat: each page shown exactly when asked"
fi

printf 'tiếp\n/quit\ncai vneid ntn\n' >"$TMP/chat2.in"
run_in "$TMP/chat2.in" "$BIN" chat --kb "$MINI"
if [ $rc -eq 0 ] && has "$TMP/out" "hướng dẫn này đã hết" &&
    ! has "$TMP/out" "Mở CH Play"; then
	ok "chat: tiếp with no guide is a notice; /quit ends"
else
	fail "chat: tiếp with no guide is a notice; /quit ends"
fi

# ---------------------------------------------------------------- sections

run "$BIN" check --kb "$SECT"
if [ $rc -eq 0 ] && has "$TMP/out" "4 chủ đề, 2 phần, đã thử 8 câu ví dụ: 0 lỗi" &&
    clean_stderr; then
	ok "check on kb-sections: sections counted, their examples checked"
else
	fail "check on kb-sections: sections counted, their examples checked"
fi

# sect_copy NAME: a fresh copy of kb-sections in $TMP/NAME
sect_copy() {
	rm -rf "${TMP:?}/$1"
	cp -R "$SECT" "$TMP/$1"
}

# A section's example that the topic's main guide answers.
sect_copy secask
L=$(grep -n '^ask: abc quen pass roi' "$TMP/secask/topics.txt" | cut -d: -f1)
sed_line "$TMP/secask/topics.txt" "$L" 's/.*/ask: cài abc thế nào cho nhanh/'
run "$BIN" check --kb "$TMP/secask"
if [ -n "$L" ] && [ $rc -eq 1 ] &&
    has "$TMP/err" "$TMP/secask/topics.txt:$L: lỗi: câu ví dụ \"cài abc thế nào cho nhanh\" của phần 'app.login#password' lại mở hướng dẫn chung của chủ đề 'app.login'"; then
	ok "check: a section's example must reach its section"
else
	fail "check: a section's example must reach its section" "line $L"
fi

# A topic's example that one of its sections answers: move it there.
sect_copy topask
L=$(grep -n '^ask: đăng nhập abc ở đâu' "$TMP/topask/topics.txt" | cut -d: -f1)
sed_line "$TMP/topask/topics.txt" "$L" 's/.*/ask: quên mật khẩu abc thì làm sao/'
run "$BIN" check --kb "$TMP/topask"
if [ -n "$L" ] && [ $rc -eq 1 ] &&
    has "$TMP/err" "$TMP/topask/topics.txt:$L: lỗi: câu ví dụ \"quên mật khẩu abc thì làm sao\" của chủ đề 'app.login' lại mở phần 'app.login#password'" &&
    has "$TMP/err" "xuống dưới '=== password'"; then
	ok "check: a topic's example that opens its section says where it belongs"
else
	fail "check: a topic's example that opens its section says where it belongs" "line $L"
fi

sect_copy secsrc
L=$(grep -n '^=== fee' "$TMP/secsrc/topics.txt" | cut -d: -f1)
sed_line "$TMP/secsrc/topics.txt" "$L" 's/$/\nsource: abc.gov.vn/'
run "$BIN" check --kb "$TMP/secsrc"
if [ -n "$L" ] && [ $rc -eq 1 ] &&
    has "$TMP/err" "$TMP/secsrc/topics.txt:$((L + 1)): lỗi: 'source:' không dùng trong một phần"; then
	ok "check: a section inherits source:, it cannot set its own"
else
	fail "check: a section inherits source:, it cannot set its own" "line $L"
fi

run "$BIN" ask --kb "$SECT" --json "quên mật khẩu abc"
if [ $rc -eq 0 ] && jcheck <<'EOF'
o = lines[0]
assert o["action"] == "answer", o
assert o["topic"] == "app.login" and o["section"] == "password", o
assert "Quên mật khẩu" in o["reply"] and "Mở CH Play" not in o["reply"], o
EOF
then
	ok "ask --json: a section's answer names its topic and the section"
else
	fail "ask --json: a section's answer names its topic and the section"
fi

printf 'quên mật khẩu abc\ncài abc\n' >"$TMP/sect.in"
run_in "$TMP/sect.in" "$BIN" ask --kb "$SECT" --batch --json
if [ $rc -eq 0 ] && jcheck <<'EOF'
o = lines[1]
assert o["topic"] == "app.login" and o["section"] is None, o
assert [(s["topic"], s["section"]) for s in o["suggestions"]] == \
    [("app.login", "password"), ("app.login", "fee")], o
assert lines[0]["suggestions"] == [], lines[0]
EOF
then
	ok "ask --json: a topic with sections suggests them, section null otherwise"
else
	fail "ask --json: a topic with sections suggests them, section null otherwise"
fi

run "$BIN" ask --kb "$SECT" --explain "abc mất phí bao nhiêu"
if [ $rc -eq 0 ] && has "$TMP/out" "section 'fee' of topic app.login" &&
    has "$TMP/out" "app.login#fee"; then
	ok "ask --explain names the section"
else
	fail "ask --explain names the section"
fi

printf 'quên mật khẩu abc\tapp.login\nquên mật khẩu abc\tapp.login#password\nabc mất phí bao nhiêu\tapp.login#password\ncài abc\tapp.login#fee\ncài abc\tapp.login\n' \
    >"$TMP/sect.tsv"
run "$BIN" eval --kb "$SECT" "$TMP/sect.tsv"
if [ $rc -eq 1 ] &&
    has "$TMP/out" "in-scope: 5, answered right (top-1): 0.600" &&
    has "$TMP/out" "$(printf 'WRONG\tabc mất phí bao nhiêu\twant app.login#password, got app.login#fee')" &&
    has "$TMP/out" "$(printf 'WRONG\tcài abc\twant app.login#fee, got app.login ')"; then
	ok "eval: a topic label accepts its sections, a section label only itself"
else
	fail "eval: a topic label accepts its sections, a section label only itself"
fi

printf 'quên mật khẩu abc\ntiếp\n1\n2\n' >"$TMP/sectchat.in"
run_in "$TMP/sectchat.in" "$BIN" chat --kb "$SECT"
if [ $rc -eq 0 ] && clean_stderr && in_order "$TMP/out" \
    'bấm "Quên mật khẩu"' 'làm xong các bước trên' \
    "Mã OTP chỉ dùng một lần" "Xem thêm:" "1. Cài và đăng nhập ứng dụng ABC" \
    "2. Phí dùng ABC" "3. Nộp thuế đất" \
    "1. Mở CH Play." "1. Quên mật khẩu ABC" "2. Phí dùng ABC" \
    "ABC không thu phí" 'bác đọc xong rồi gõ "tiếp"'; then
	ok "chat: the asked section first, then the topic and the other section"
else
	fail "chat: the asked section first, then the topic and the other section"
fi

# ---------------------------------------------------------------- golden

grep -v '^#' "$GOLDEN" | grep -v '^$' >"$TMP/golden.tsv"
cut -f1 "$TMP/golden.tsv" >"$TMP/golden.in"
run_in "$TMP/golden.in" "$BIN" ask --kb "$MINI" --batch --json
if [ $rc -eq 0 ] && jcheck "$TMP/golden.tsv" <<'EOF'
want = []
with open(args[0], encoding="utf-8") as f:
    for row in f.read().splitlines():
        q, action, topic = row.split("\t")
        want.append((q, action, None if topic == "-" else topic))
assert len(lines) == len(want), (len(lines), len(want))
bad = []
for (q, action, topic), o in zip(want, lines):
    if (o["action"], o["topic"]) != (action, topic):
        bad.append("%r: want %s %s, got %s %s (%.3f)" % (q, action, topic,
            o["action"], o["topic"], o["score"]))
assert not bad, "\n".join(bad)
EOF
then
	ok "golden: tests/golden/ask-mini.tsv ($(wc -l <"$TMP/golden.tsv") questions)"
else
	fail "golden: tests/golden/ask-mini.tsv"
fi

# ---------------------------------------------------------------- serve / config

: >"$TMP/empty.conf"
HOIDAP_TELEGRAM_TOKEN= HOIDAP_ZALO_TOKEN= run "$BIN" serve --config "$TMP/empty.conf"
if [ $rc -eq 2 ] && has "$TMP/err" "HOIDAP_TELEGRAM_TOKEN"; then
	ok "serve without any token: exit 2, names the variables"
else
	fail "serve without any token: rc=$rc"
fi
printf 'poll_timeout = 99\nbogus = 1\n' >"$TMP/bad.conf"
run "$BIN" check-config --config "$TMP/bad.conf"
if [ $rc -eq 1 ] && has "$TMP/err" "bad.conf:1: 'poll_timeout' must be between" &&
    has "$TMP/err" "bad.conf:2: unknown key 'bogus'"; then
	ok "check-config: errors as path:line, exit 1"
else
	fail "check-config on a bad file: rc=$rc"
fi
printf 'telegram_token = 123456:SECRETSECRETSECRET\n' >"$TMP/tok.conf"
run "$BIN" check-config --config "$TMP/tok.conf"
if [ $rc -eq 0 ] && ! has "$TMP/out" "SECRETSECRET" && has "$TMP/out" "(set)"; then
	ok "check-config masks the token"
else
	fail "check-config printed the token or failed: rc=$rc"
fi

printf 'cai vneid ntn\nmã otp của tôi 482913\n' >"$TMP/chatdb.in"
run_in "$TMP/chatdb.in" "$BIN" chat --kb "$MINI" --db "$TMP/console.db"
if [ $rc -eq 0 ] && python3 - "$TMP/console.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
dump = "\n".join(db.iterdump())
assert "482913" not in dump, "OTP stored"
assert db.execute("select count(*) from messages where chat_id='console'").fetchone()[0] == 4
assert db.execute("select n from topic_counts where topic='vneid.install'").fetchone()[0] == 1
EOF
then
	ok "chat --db: console chat logged in the store, OTP redacted"
else
	fail "chat --db: rc=$rc"
fi

echo "$((n - nfail)) of $n CLI tests passed"
[ $nfail -eq 0 ]
