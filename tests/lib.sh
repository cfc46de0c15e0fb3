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

# skip NAME WHY: a case that cannot run here, said plainly (TAP "# SKIP").
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# Headless Chromium renders our printed pages (leaflets, the report) as
# the ward's browser prints them. CHROMIUM is empty when none is
# installed: the rendering cases then say they are skipped (CI installs
# Debian's chromium, see .ci/run). pdftoppm (poppler-utils) turns the PDF
# into page images.
CHROMIUM=
for _c in chromium chromium-browser google-chrome; do
	if command -v "$_c" >/dev/null 2>&1; then
		CHROMIUM=$(command -v "$_c")
		break
	fi
done
if [ -n "$CHROMIUM" ] && { ! command -v pdftoppm || ! command -v pdftotext; } >/dev/null 2>&1; then
	echo "tests: $CHROMIUM found but not pdftoppm (apt-get install poppler-utils);" \
	    "rendering is skipped" >&2
	CHROMIUM=
fi
RENDER_SKIP="chromium not installed (apt-get install chromium poppler-utils)"

# render_pdf IN.html OUT.pdf: prints IN as Chromium prints it (A4 from the
# page's own @page rule, no header or footer). Its chatter goes to
# $TMP/chromium.log; a hung browser is killed after 120 s.
render_pdf() {
	# root (CI) cannot use Chromium's sandbox; the page is our own file
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --disable-dev-shm-usage --no-first-run --user-data-dir="$TMP/chromium" \
	    --no-pdf-header-footer --print-to-pdf="$2" "file://$1" \
	    >"$TMP/chromium.log" 2>&1 </dev/null && [ -s "$2" ]
}

# pdf_pages PDF DPI PREFIX: one grey image per page (PGM, which zbarimg
# reads), PREFIX-1.pgm …; prints the number of pages.
pdf_pages() {
	rm -f "$3"-*.pgm
	pdftoppm -r "$2" -gray "$1" "$3" 2>>"$TMP/chromium.log" || return 1
	ls "$3"-*.pgm 2>/dev/null | wc -l | tr -d ' '
}

# page_ink FILE.pgm: "TOP BOTTOM HEIGHT", the first and last pixel rows
# with anything dark on them (-1 -1 for a blank page).
page_ink() {
	python3 - "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
fields, pos = [], 0
while len(fields) < 4:                 # P5 WIDTH HEIGHT MAXVAL, then bytes
    while data[pos:pos + 1].isspace():
        pos += 1
    if data[pos:pos + 1] == b"#":
        pos = data.index(b"\n", pos)
        continue
    end = pos
    while not data[end:end + 1].isspace():
        end += 1
    fields.append(data[pos:end])
    pos = end
pos += 1
w, h = int(fields[1]), int(fields[2])
rows = [y for y in range(h) if min(data[pos + y * w:pos + (y + 1) * w]) < 160]
print(rows[0] if rows else -1, rows[-1] if rows else -1, h)
PY
}
