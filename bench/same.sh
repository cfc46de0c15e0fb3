#!/bin/sh
# bench/same.sh OLD_BIN NEW_BIN [KBDIR]: do two builds answer every labelled
# question alike? A matcher change that is only about speed must print
# nothing here.
#
# The questions: every one of tests/golden/*.tsv (ask-mini.tsv is for
# tests/data/kb-mini) and every `ask:` of KBDIR (default knowledge/), each as
# written and with its diacritics stripped. Both builds run
# `ask --batch --json --explain` on them; the JSON reply and the candidate
# lines of --explain (id, score, pattern and word components) are compared.
# Exit 0 when identical, 1 with a diff otherwise.
set -eu
if [ $# -lt 2 ]; then
	echo "usage: bench/same.sh OLD_BIN NEW_BIN [KBDIR]" >&2
	exit 2
fi
old=$1 new=$2 kb=${3:-knowledge}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(cd "$(dirname "$0")/.." && pwd)

for f in "$here"/tests/golden/*.tsv; do
	case $f in */ask-mini.tsv) continue ;; esac
	grep -v '^#' "$f" | cut -f1
done >"$tmp/q"
sed -n 's/^ask:[[:space:]]*//p' "$kb"/*.txt >"$tmp/asks"
cat "$tmp/asks" >>"$tmp/q"
python3 -c '
import sys, unicodedata
for l in sys.stdin:
    l = unicodedata.normalize("NFD", l.rstrip("\n"))
    l = "".join(c for c in l if unicodedata.category(c) != "Mn")
    print(l.replace("đ", "d").replace("Đ", "D"))
' <"$tmp/asks" >>"$tmp/q"
grep -v '^[[:space:]]*$' "$tmp/q" >"$tmp/qs"

# One block per question: the --explain lines, then its JSON line.
blocks() {
	"$1" ask --kb "$kb" --batch --json --explain <"$tmp/qs" | python3 -c '
import sys
q = open(sys.argv[1], encoding="utf-8").read().split("\n")
b, i = [], 0
for l in sys.stdin:
    if l.startswith("#   "):
        b.append(l.rstrip("\n"))
    elif l.startswith("{"):
        print(q[i] + "\t" + " | ".join(b + [l.rstrip("\n")]))
        b, i = [], i + 1
' "$tmp/qs"
}
blocks "$old" >"$tmp/old"
blocks "$new" >"$tmp/new"
n=$(wc -l <"$tmp/qs")
if [ "$(wc -l <"$tmp/old")" -ne "$n" ]; then
	echo "same.sh: $old answered $(wc -l <"$tmp/old") of $n questions" >&2
	exit 2
fi
if cmp -s "$tmp/old" "$tmp/new"; then
	echo "same: $n questions, identical replies and candidates"
	exit 0
fi
echo "DIFFERENT ($(diff "$tmp/old" "$tmp/new" | grep -c '^<') of $n questions):"
diff "$tmp/old" "$tmp/new" | cut -c1-400 | head -40
exit 1
