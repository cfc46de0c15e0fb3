#!/bin/sh
# make bench: matcher figures on the bundled knowledge and on two generated
# 1,000-topic knowledge bases (bench/bench.c: "zipf" has a realistic
# vocabulary; "uniform" is adversarial, every word shared by hundreds of
# topics). Each configuration runs 5 times (one core, a
# shared machine); the median of each figure is printed. qps, p50 and p99
# are the steady state, after 16 untimed rounds (a pattern form is
# JIT-compiled on its 16th run, once per process); cold_qps and cold_p99_us
# are the first of those rounds, as a fresh process sees it.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build/bench gen 1000 "$tmp/kb1000"
build/bench gen 1000 "$tmp/kb1000u" uniform
cp knowledge/abbreviations.txt knowledge/stopwords.txt "$tmp/kb1000/"
cp knowledge/abbreviations.txt knowledge/stopwords.txt "$tmp/kb1000u/"
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for kb in knowledge "$tmp/kb1000" "$tmp/kb1000u"; do
	: >"$tmp/out"
	for i in 1 2 3 4 5; do taskset -c 0 build/bench run "$kb" 3 >>"$tmp/out" 2>&1 || build/bench run "$kb" 3 >>"$tmp/out"; done
	case $kb in
	knowledge) name=bundled ;;
	*u) name="gen-1000-uniform" ;;
	*) name="gen-1000-zipf" ;;
	esac
	topics=$(sed -n 's/.*topics=\([0-9]*\).*/\1/p' "$tmp/out" | head -1)
	q=$(sed -n 's/.*questions=\([0-9]*\).*/\1/p' "$tmp/out" | head -1)
	printf '%-16s topics=%s questions/run=%s  median of 5: ' "$name" "$topics" "$q"
	for f in load_ms qps p50_us p99_us peak_rss_mb answered cold_qps cold_p99_us; do
		v=$(sed -n "s/.* $f=\([0-9.]*\).*/\1/p" "$tmp/out" | med)
		printf '%s=%s ' "$f" "$v"
	done
	echo
done
# The peer of issue 11 on the same questions, start-up included (optional:
# needs node; installs minisearch into build/peer/ once).
bench/peer.sh build/hoidap
# The daemon through the fake API (needs libmicrohttpd for build/fakeapi).
bench/daemon.py build/hoidap build/fakeapi
