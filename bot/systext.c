#include "systext.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static const struct {
	const char *id;
	const char *what;       /* for the admin: where residents read it */
	const char *bare;       /* without a system.txt */
} texts[] = {
	{ SYSTEXT_MEDIA, "câu trả lời khi người dân gửi ảnh, ghi âm hay tệp",
	    "Dạ, cháu chưa xem được ảnh hay tệp ạ. Bác gõ câu hỏi bằng chữ giúp "
	    "cháu." },
	{ SYSTEXT_FLOOD, "câu nhắc khi người dân gửi nhiều tin quá nhanh",
	    "Dạ, bác đợi nửa phút rồi gõ lại câu hỏi giúp cháu." },
	{ SYSTEXT_SECRET, "lời cảnh báo khi tin nhắn có mã OTP, mật khẩu hay số "
	    "thẻ, mà bot đã ẩn đi", "⚠️ Bác đừng gửi mã OTP hay mật khẩu cho ai." },
	/* empty: the out-of-hours message just ends before it */
	{ SYSTEXT_HOTLINES, "các số tổng đài báo cho người dân khi nhắn ngoài "
	    "giờ hỗ trợ", "" },
};

const char *
systext(const struct kb *kb, const char *id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(texts); i++)
		if (strcmp(texts[i].id, id) == 0)
			return kb_system_text(kb, id, texts[i].bare);
	return kb_system_text(kb, id, "");
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
