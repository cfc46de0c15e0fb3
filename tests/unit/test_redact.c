/*
 * What residents must never have stored, logged or forwarded, and what must
 * survive (a question about a password is not a password): the table in
 * tests/data/redact.tsv, each row also in NFD and on its own output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "redact.h"
#include "testutil.h"
#include "util.h"

/* Unescapes \t \n \\ \xNN \uXXXX into out (a TSV cell cannot hold them). */
static void
unescape(const char *s, struct buf *out)
{
	while (*s) {
		unsigned v;
		int n;

		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x%n", &v, &n) == 1 &&
		    n == 2) {
			buf_addc(out, (char)v);
			s += 4;
		} else if (s[0] == '\\' && s[1] == 'u' &&
		    sscanf(s + 2, "%4x%n", &v, &n) == 1 && n == 4) {
			utf8proc_uint8_t enc[4];

			buf_add(out, enc, (size_t)utf8proc_encode_char(
			    (utf8proc_int32_t)v, enc));
			s += 6;
		} else if (s[0] == '\\' && (s[1] == 't' || s[1] == 'n' ||
		    s[1] == '\\')) {
			buf_addc(out, s[1] == 't' ? '\t' : s[1] == 'n' ? '\n' : '\\');
			s += 2;
		} else {
			buf_addc(out, *s++);
		}
	}
}

/* Expands {OTP} {PW} {ID} {CARD}; returns how many there were. */
static int
expand(const char *s, struct buf *out)
{
	static const struct { const char *ph, *label; } ph[] = {
		{ "{OTP}", REDACT_OTP }, { "{PW}", REDACT_PASSWORD },
		{ "{ID}", REDACT_ID }, { "{CARD}", REDACT_CARD },
	};
	int n = 0;
	size_t i;

	while (*s) {
		for (i = 0; i < ARRAY_SIZE(ph); i++)
			if (strncmp(s, ph[i].ph, strlen(ph[i].ph)) == 0)
				break;
		if (i < ARRAY_SIZE(ph)) {
			buf_adds(out, ph[i].label);
			s += strlen(ph[i].ph);
			n++;
		} else {
			buf_addc(out, *s++);
		}
	}
	return n;
}

static char *
normalize(const char *s, utf8proc_option_t how)
{
	utf8proc_uint8_t *o = NULL;

	if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &o,
	    UTF8PROC_NULLTERM | UTF8PROC_STABLE | how) < 0)
		return NULL;
	return (char *)o;
}

/* One check; prints and returns 1 on a mismatch. */
static int
check(int line, const char *what, const char *in, const char *want, int nwant)
{
	struct buf b;
	char *nfc;
	int n, bad = 0;

	buf_init(&b, BUF_CAP_REPLY);
	n = redact(in, &b);
	if (strcmp(b.data, want) != 0) {
		print_error("redact.tsv:%d (%s): \"%s\"\n   got  \"%s\"\n   want \"%s\"\n",
		    line, what, in, b.data, want);
		bad = 1;
	} else if (n != nwant) {
		print_error("redact.tsv:%d (%s): \"%s\" counted %d hidden, want %d\n",
		    line, what, in, n, nwant);
		bad = 1;
	}
	if (!tu_utf8_valid(b.data)) {
		print_error("redact.tsv:%d (%s): output is not valid UTF-8\n", line,
		    what);
		bad = 1;
	} else {
		nfc = normalize(b.data, UTF8PROC_COMPOSE);
		if (!nfc || strcmp(nfc, b.data) != 0) {
			print_error("redact.tsv:%d (%s): output is not NFC\n", line, what);
			bad = 1;
		}
		free(nfc);
	}
	buf_release(&b);
	return bad;
}

static void
test_table(void **state)
{
	char path[4200], line[4096];
	FILE *f;
	int lineno = 0, rows = 0, hide = 0, keep = 0, bad = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/redact.tsv", TU_DATA_DIR);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		struct buf in, want, w;
		char *tab, *exp, *nfd;
		int n;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		tab = strchr(line, '\t');
		if (!tab)
			fail_msg("redact.tsv:%d: no tab", lineno);
		*tab = '\0';
		exp = tab + 1;
		exp[strcspn(exp, "\t")] = '\0';
		buf_init(&in, BUF_CAP_REPLY);
		buf_init(&want, BUF_CAP_REPLY);
		buf_init(&w, BUF_CAP_REPLY);
		unescape(line, &in);
		if (strcmp(exp, "=") == 0) {
			char *nfc = normalize(in.data, UTF8PROC_COMPOSE);

			if (!nfc)
				fail_msg("redact.tsv:%d: \"=\" on invalid UTF-8", lineno);
			buf_adds(&want, nfc);
			free(nfc);
			n = 0;
			keep++;
		} else {
			unescape(exp, &w);
			n = expand(w.data, &want);
			if (n)
				hide++;
			else
				keep++;
		}
		rows++;
		bad += check(lineno, "as written", in.data, want.data, n);
		nfd = normalize(in.data, UTF8PROC_DECOMPOSE);
		if (nfd && strcmp(nfd, in.data) != 0)
			bad += check(lineno, "in NFD", nfd, want.data, n);
		free(nfd);
		bad += check(lineno, "its own output", want.data, want.data, 0);
		buf_release(&in);
		buf_release(&want);
		buf_release(&w);
	}
	fclose(f);
	print_message("redact.tsv: %d formats (%d hidden, %d kept)\n", rows,
	    hide, keep);
	assert_true(rows >= 60);
	assert_int_equal(bad, 0);
}

/* Text repair is not a redaction: the count says what was hidden. */
static void
test_invalid_utf8(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, BUF_CAP_REPLY);
	assert_int_equal(redact("xin ch\xc3 ao \xff\xfe", &b), 0);
	assert_true(tu_utf8_valid(b.data));
	assert_non_null(strstr(b.data, "ao"));
	buf_reset(&b);
	assert_int_equal(redact("otp \xff\xfe 123456", &b), 1);
	assert_null(strstr(b.data, "123456"));
	assert_true(tu_utf8_valid(b.data));
	buf_reset(&b);
	/* an overlong '/', a surrogate, a cut sequence */
	assert_int_equal(redact("\xc0\xaf \xed\xa0\x80 mã otp 482913 \xe1\xba", &b),
	    1);
	assert_true(tu_utf8_valid(b.data));
	assert_null(strstr(b.data, "482913"));
	buf_release(&b);
}

/* Long messages stay whole, and hiding does not stop at the first item. */
static void
test_long(void **state)
{
	struct buf in, out;
	int i;

	(void)state;
	buf_init(&in, 64 * 1024);
	buf_init(&out, 64 * 1024);
	for (i = 0; i < 200; i++)
		buf_printf(&in, "otp %06d, mật khẩu là Hoa@%d. ", 100000 + i,
		    1900 + i % 100);
	assert_int_equal(redact(in.data, &out), 400);
	assert_null(strstr(out.data, "Hoa@"));
	assert_null(strstr(out.data, "1001"));
	buf_release(&in);
	buf_release(&out);
	redact_release();
}

/* A text longer than the output may hold is hidden whole, not cut. */
static void
test_too_long_for_out(void **state)
{
	struct buf in, out;
	int i;

	(void)state;
	buf_init(&in, 64 * 1024);
	buf_init(&out, 1024);
	for (i = 0; i < 100; i++)
		buf_printf(&in, "bác hỏi cách cài vneid lần %d. ", i);
	assert_false(buf_failed(&in));
	assert_int_equal(redact(in.data, &out), 1);
	assert_false(buf_failed(&out));
	assert_string_equal(out.data, REDACT_ALL);
	buf_release(&in);
	buf_release(&out);
	redact_release();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_too_long_for_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
