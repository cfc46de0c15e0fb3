/*
 * What residents must never have stored, logged or forwarded, and what must
 * survive (a question about a password is not a password).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "redact.h"

static const struct {
	const char *in;
	const char *out;
} cases[] = {
	{ "mã OTP là 123456 nhé", "mã OTP là " REDACT_OTP " nhé" },
	{ "OTP là 482 913", "OTP là " REDACT_OTP },
	{ "482913 là mã OTP", REDACT_OTP " là mã OTP" },
	{ "482913", REDACT_OTP },
	{ "ma xac thuc 5521", "ma xac thuc " REDACT_OTP },
	{ "mật khẩu là Hoa@1960", "mật khẩu là " REDACT_PASSWORD },
	{ "mật khẩu là: hoa1960", "mật khẩu là: " REDACT_PASSWORD },
	{ "mat khau moi la: Hoa1960", "mat khau moi la: " REDACT_PASSWORD },
	{ "mk cua toi la hoa1960", "mk cua toi la " REDACT_PASSWORD },
	{ "mk: abc", "mk: " REDACT_PASSWORD },
	{ "mk abc123 sai", "mk " REDACT_PASSWORD " sai" },
	{ "cccd của tôi 001088012345", "cccd của tôi " REDACT_ID },
	{ "cccd 001-088-012-345", "cccd " REDACT_ID },
	{ "số thẻ 9704 1234 5678 9012", "số thẻ " REDACT_CARD },
	/* kept */
	{ "quên mật khẩu vneid", "quên mật khẩu vneid" },
	{ "mật khẩu vneid là gì", "mật khẩu vneid là gì" },
	{ "gọi 0912345678", "gọi 0912345678" },
	{ "có mã qr không", "có mã qr không" },
	{ "nộp thuế năm 2026", "nộp thuế năm 2026" },
	{ "", "" },
};

static void
test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		int n;

		buf_init(&b, BUF_CAP_REPLY);
		n = redact(cases[i].in, &b);
		if (strcmp(b.data, cases[i].out) != 0)
			fail_msg("redact(\"%s\") = \"%s\", want \"%s\"", cases[i].in,
			    b.data, cases[i].out);
		if ((n > 0) != (strcmp(cases[i].in, cases[i].out) != 0))
			fail_msg("redact(\"%s\") counted %d", cases[i].in, n);
		buf_release(&b);
	}
}

static void
test_invalid_utf8_hidden(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, BUF_CAP_REPLY);
	assert_true(redact("otp \xff\xfe 123456", &b) > 0);
	assert_null(strstr(b.data, "123456"));
	buf_release(&b);
	redact_release();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_invalid_utf8_hidden),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
