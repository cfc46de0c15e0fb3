#!/bin/sh
# bench/peer.sh HOIDAP [KBDIR]: hoidap against the peer of issue 11 on the
# same questions, one core, start-up included: `HOIDAP ask --batch` and
# MiniSearch (bench/peer.js: fuzzy BM25 over the same ask: examples, Node).
# Prints both questions/s (median of 5 runs each) and the ratio.
#
# The questions: every question of tests/golden/*.tsv (the labelled sets;
# ask-mini.tsv is for kb-mini), repeated to 10,000 lines.
#
# Optional (make bench runs it when node is there; CI does not need it):
# without node, or when npm cannot install minisearch into build/peer/, it
# says so and exits 0.
set -eu
if [ $# -lt 1 ]; then
	echo "usage: bench/peer.sh HOIDAP [KBDIR]" >&2
	exit 2
fi
bin=$1 kb=${2:-knowledge}
here=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v node >/dev/null 2>&1; then
	echo "peer: no node, skipped"
	exit 0
fi
if [ ! -d "$here/build/peer/node_modules/minisearch" ]; then
	if ! command -v npm >/dev/null 2>&1 || ! mkdir -p "$here/build/peer" ||
	    ! npm install --prefix "$here/build/peer" --no-audit --no-fund \
	    --loglevel=error minisearch >/dev/null 2>&1; then
		echo "peer: could not install minisearch with npm, skipped"
		exit 0
	fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in "$here"/tests/golden/*.tsv; do
	case $f in */ask-mini.tsv) continue ;; esac
	grep -v '^#' "$f" | cut -f1
done | grep -v '^[[:space:]]*$' >"$tmp/q1"
n=$(wc -l <"$tmp/q1")
i=0
while [ $((i * n)) -lt 10000 ]; do
	cat "$tmp/q1"
	i=$((i + 1))
done >"$tmp/q"
total=$(wc -l <"$tmp/q")

pin() {
	if command -v taskset >/dev/null 2>&1; then taskset -c 0 "$@"; else "$@"; fi
}
now() { date +%s.%N; }
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: >"$tmp/h"
: >"$tmp/p"
for r in 1 2 3 4 5; do
	t=$(now)
	pin "$bin" ask --batch --kb "$kb" <"$tmp/q" >/dev/null
	e=$(now)
	echo "$t $e" | awk -v n="$total" '{printf "%.0f\n", n / ($2 - $1)}' >>"$tmp/h"
	t=$(now)
	if ! pin node "$here/bench/peer.js" "$kb" "$tmp/q" >/dev/null 2>>"$tmp/err"; then
		echo "peer: bench/peer.js failed, skipped:"
		tail -5 "$tmp/err"
		exit 0
	fi
	e=$(now)
	echo "$t $e" | awk -v n="$total" '{printf "%.0f\n", n / ($2 - $1)}' >>"$tmp/p"
done
h=$(med <"$tmp/h")
p=$(med <"$tmp/p")
s=$(sed -n 's/.*search_qps=\([0-9]*\).*/\1/p' "$tmp/err" | med)
printf 'peer: %s questions (%s golden questions x %s), start-up included, median of 5:\n' \
    "$total" "$n" "$i"
printf '  hoidap ask --batch %s q/s, MiniSearch %s q/s (searching alone: %s q/s): %sx\n' \
    "$h" "$p" "$s" "$(echo "$h $p" | awk '{printf "%.1f", $1 / $2}')"
