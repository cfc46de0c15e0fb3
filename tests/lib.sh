# Shared by the shell test scripts (cli.sh, qr.sh, report.sh): TAP-style
# counting and reporting. The sourcing script sets TMP (its private temp
# dir, holding out/err of the last run) and rc before calling fail.

n=0
nfail=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

# fail NAME [WHY]: prints the captured output of the last run, indented.
fail() {
	n=$((n + 1))
	nfail=$((nfail + 1))
	echo "not ok $n - $1${2:+: $2}"
	for f in "$TMP/out" "$TMP/err"; do
		[ -s "$f" ] || continue
		echo "    --- ${f##*/} (rc=$rc):"
		head -c 4000 "$f" | sed 's/^/    | /'
		echo
	done
}
not_ok() { fail "$@"; }

has() { grep -qF -- "$2" "$1"; }

# The last run's stderr holds no sanitizer report.
clean_stderr() {
	! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$TMP/err"
}
