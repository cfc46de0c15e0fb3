#include "systext.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* What a {name} stands for, for the admin's fix hint. */
static const struct {
	const char *name, *what;
} names[] = {
	{ "phieu", "số phiếu" },
	{ "cho", "thời gian chờ thường lệ, typical_wait trong hoidap.conf" },
	{ "gio", "giờ hỗ trợ, support_hours trong hoidap.conf" },
	{ "batdau", "giờ Tổ bắt đầu trả lời" },
	{ "ten", "tên tình nguyện viên" },
	{ "lenh", "lệnh người dân vừa gõ, ví dụ /tailai" },
	{ "ai", "\"quản trị viên\" hoặc \"tình nguyện viên\"" },
};

static const struct {
	const char *id;
	const char *what;       /* for the admin: where residents read it */
	const char *bare;       /* without a system.txt */
	const char *fills;      /* the {name}s it fills in, space-separated */
} texts[] = {
	{ SYSTEXT_MEDIA, "câu trả lời khi người dân gửi ảnh, ghi âm hay tệp",
	    "Dạ, cháu chưa xem được ảnh hay tệp ạ. Bác gõ câu hỏi bằng chữ giúp "
	    "cháu.", "" },
	{ SYSTEXT_FLOOD, "câu nhắc khi người dân gửi nhiều tin quá nhanh",
	    "Dạ, bác đợi nửa phút rồi gõ lại câu hỏi giúp cháu.", "" },
	{ SYSTEXT_SECRET, "lời cảnh báo khi tin nhắn có mã OTP, mật khẩu hay số "
	    "thẻ, mà bot đã ẩn đi", "⚠️ Bác đừng gửi mã OTP hay mật khẩu cho ai.",
	    "" },
	/* empty: the out-of-hours message just ends before it */
	{ SYSTEXT_HOTLINES, "các số tổng đài báo cho người dân khi nhắn ngoài "
	    "giờ hỗ trợ", "", "" },
	/* the hand-off: word for word what handoff.c said before */
	{ SYSTEXT_HANDOFF_MEDIA, "câu báo người dân là ảnh, ghi âm hay tệp của "
	    "họ được chuyển cho Tổ xem (đứng trước câu báo chờ)",
	    "Dạ, cháu chưa tự xem được ảnh, ghi âm hay tệp bác gửi, nên cháu "
	    "chuyển cho người của Tổ xem giúp bác.", "" },
	{ SYSTEXT_HANDOFF_WAIT, "câu báo người dân đã được chuyển cho Tổ, trong "
	    "giờ hỗ trợ", "Dạ, cháu đã chuyển câu hỏi của bác cho Tổ Chuyển đổi "
	    "số cộng đồng (phiếu số {phieu}). Các tình nguyện viên thường trả "
	    "lời trong {cho}. Bác cứ nhắn thêm ở đây, tin của bác sẽ được chuyển "
	    "tới Tổ ạ.", "phieu cho" },
	{ SYSTEXT_HANDOFF_AFTER_HOURS, "câu báo người dân đã được ghi lại, ngoài "
	    "giờ hỗ trợ (sys.hotlines đứng sau)", "Dạ, cháu đã ghi lại câu hỏi "
	    "của bác (phiếu số {phieu}). Bây giờ là ngoài giờ hỗ trợ ({gio}), Tổ "
	    "Chuyển đổi số cộng đồng sẽ trả lời bác từ {batdau} sáng ạ.",
	    "phieu gio batdau" },
	{ SYSTEXT_HANDOFF_CLAIMED, "câu báo người dân có tình nguyện viên nhận "
	    "câu hỏi", "Dạ, {ten} — tình nguyện viên của Tổ Chuyển đổi số cộng "
	    "đồng — đã nhận câu hỏi của bác và sẽ nhắn cho bác ngay ạ.", "ten" },
	{ SYSTEXT_HANDOFF_DONE, "câu báo việc hỗ trợ đã xong và hỏi người dân có "
	    "hài lòng không (hai nút 👍, 👎 đi kèm)", "Dạ, việc hỗ trợ bác (phiếu "
	    "số {phieu}) đã xong. Bác có hài lòng không ạ? Bác gõ 👍 nếu hài "
	    "lòng, 👎 nếu chưa. Từ giờ cháu lại trả lời bác như thường, gõ 0 để "
	    "xem menu ạ.", "phieu" },
	{ SYSTEXT_FEEDBACK_THANKS, "lời cảm ơn khi người dân bấm 👍",
	    "Dạ, cháu cảm ơn bác đã góp ý ạ! 🙏", "" },
	{ SYSTEXT_FEEDBACK_SORRY, "lời xin lỗi khi người dân bấm 👎",
	    "Dạ, cháu xin lỗi vì chưa giúp được bác chu đáo. Tổ sẽ xem lại để "
	    "hỗ trợ tốt hơn. Bác gõ câu hỏi nếu cần thêm ạ.", "" },
	{ SYSTEXT_STAFF_ONLY, "câu trả lời khi người dân gõ một lệnh của tình "
	    "nguyện viên hay quản trị viên", "Dạ, lệnh {lenh} chỉ dành cho {ai} "
	    "của Tổ Chuyển đổi số cộng đồng ạ. Bác cần hỗ trợ thì gõ câu hỏi, "
	    "hoặc gõ 0 để xem menu.", "lenh ai" },
};

/* Length of the {name} at s ("{phieu}": 7), 0 if s is not one. */
static size_t
name_at(const char *s)
{
	size_t n = 1;

	if (*s != '{')
		return 0;
	while ((s[n] >= 'a' && s[n] <= 'z') || s[n] == '_')
		n++;
	return n > 1 && s[n] == '}' ? n + 1 : 0;
}

/* Is the name of {name} at s (of len) a word of the list fills? */
static int
fills_has(const char *fills, const char *s, size_t len)
{
	const char *p = fills;
	size_t k = len - 2;

	while (*p) {
		size_t w = strcspn(p, " ");

		if (w == k && strncmp(p, s + 1, k) == 0)
			return 1;
		p += w;
		p += strspn(p, " ");
	}
	return 0;
}

const char *
systext(const struct kb *kb, const char *id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(texts); i++)
		if (strcmp(texts[i].id, id) == 0)
			return kb_system_text(kb, id, texts[i].bare);
	return kb_system_text(kb, id, "");
}

/* A {name} the sentence cannot fill in would reach the resident as it
 * is written: an error whose fix lists the ones it can. */
static void
check_names(struct diag *d, const struct kb_topic *t, const char *fills)
{
	const char *p;
	struct buf can;
	size_t i, len;

	for (p = t->pages[0]; *p; p += len ? len : 1) {
		if (!(len = name_at(p)) || fills_has(fills, p, len))
			continue;
		buf_init(&can, BUF_CAP_REPLY);
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			char nm[32];

			snprintf(nm, sizeof(nm), "{%s}", names[i].name);
			if (fills_has(fills, nm, strlen(nm)))
				buf_printf(&can, "%s%s (%s)", can.len ? ", " : "", nm,
				    names[i].what);
		}
		diag_error(d, t->file, t->line, "'%s' có chỗ điền %.*s mà câu này "
		    "không điền được, người dân sẽ đọc nguyên chữ đó" DIAG_FIX "%s%s",
		    t->id, (int)len, p, can.len ? "chỉ dùng " : "câu này không điền "
		    "gì: bỏ chỗ đó, hoặc viết lời thay cho nó", can.len ? can.data :
		    "");
		buf_release(&can);
	}
}

void
systext_check(const struct kb *kb, const char *dir, struct diag *d)
{
	char path[4096];
	struct stat sb;
	size_t i;

	snprintf(path, sizeof(path), "%s/system.txt", dir);
	if (stat(path, &sb) < 0)
		return;
	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		const struct kb_topic *t = kb_find(kb, texts[i].id);

		if (!t)
			diag_error(d, path, 0, "thiếu chủ đề '%s' (%s)" DIAG_FIX "thêm "
			    "lại vào tệp này một khối '== %s' có dòng 'title:' và "
			    "'answer:' (xem knowledge/README.md, phần system.txt)",
			    texts[i].id, texts[i].what, texts[i].id);
		else if (!t->npages)
			diag_error(d, t->file, t->line, "'%s' chưa có câu nào để nói "
			    "(%s)" DIAG_FIX "thêm dòng 'answer:' và câu bot sẽ nói ở "
			    "dòng dưới", texts[i].id, texts[i].what);
		else
			check_names(d, t, texts[i].fills);
	}
}

int
systext_absent(const char *dir, struct diag *d)
{
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/system.txt", dir);
	if (stat(path, &sb) == 0)
		return 0;
	diag_warn(d, path, 0, "không có tệp system.txt, nên bot nói các câu của "
	    "riêng nó (khi chưa hiểu câu hỏi, khi người dân gửi ảnh, khi chuyển "
	    "cho người hỗ trợ…) bằng câu soạn sẵn trong chương trình, không báo "
	    "số tổng đài ngoài giờ hỗ trợ, và không hiểu lời cảm ơn, chữ \"tiếp\" "
	    "hay \"menu\"" DIAG_FIX "chép tệp knowledge/system.txt đi kèm bot "
	    "vào thư mục này rồi sửa lời cho hợp với phường (xem "
	    "knowledge/README.md, phần system.txt)");
	return 1;
}

void
systext_fill(const struct kb *kb, const char *id,
    const struct systext_var *vars, size_t n, struct buf *out)
{
	const char *p = systext(kb, id);
	size_t len, i;

	while (*p) {
		len = name_at(p);
		for (i = 0; len && i < n; i++)
			if (strlen(vars[i].name) == len - 2 &&
			    strncmp(vars[i].name, p + 1, len - 2) == 0)
				break;
		if (len && i < n) {
			buf_adds(out, vars[i].value);
			p += len;
		} else {
			/* text, or a name nobody gave (check said so) */
			len = 1 + strcspn(p + 1, "{");
			buf_add(out, p, len);
			p += len;
		}
	}
}
