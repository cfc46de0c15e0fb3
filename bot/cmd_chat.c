/*
 * hoidap chat: the console front end of the conversation engine, for an
 * admin to see what a resident would get. Like the daemon it warns when a
 * message held a one-time code or a password, and reloads knowledge/ when
 * a file there changes (checked before each message; a broken edit keeps
 * the last good knowledge base and prints its errors). A hand-off to a
 * person cannot happen here: the console says so where the daemon would
 * open a ticket.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "conv.h"
#include "handoff.h"
#include "log.h"
#include "redact.h"
#include "store.h"
#include "systext.h"
#include "text.h"
#include "util.h"

#define HANDOFF_NOTE "ℹ️ [Chỉ là thử trên máy này] Với người dân thật, lúc " \
	"này bot chuyển câu hỏi cho tình nguyện viên trong nhóm Telegram (khi đã " \
	"đặt volunteer_chat) và báo người dân chờ. Ở đây không có ticket nào được " \
	"mở, không ai nhận được tin này."

/*
 * With --db (or HOIDAP_DB) the console is one more chat in the daemon's
 * store: its state survives a restart and its questions reach the report,
 * redacted like everyone else's.
 */
static void
record(struct store *st, const char *red, const struct conv_reply *r,
    const struct conv_state *cs)
{
	struct store_chat c;

	if (!st || store_begin(st) < 0)
		return;
	memset(&c, 0, sizeof(c));
	c.conv = *cs;
	if (store_log(st, "console", "console", "in", red, NULL, NULL) < 0 ||
	    store_log(st, "console", "console", "out", r->text.data,
	    r->topic ? r->topic->id : NULL, conv_action(r->kind)) < 0 ||
	    (r->topic && store_count_topic(st, r->topic->id) < 0) ||
	    (r->kind == CONV_FALLBACK && store_unanswered(st, "console",
	    "console", red) < 0) ||
	    store_chat_put(st, "console", "console", &c) < 0 ||
	    store_commit(st) < 0)
		store_rollback(st);
}

static void
say(const struct conv_reply *r)
{
	struct buf out;

	buf_init(&out, BUF_CAP_REPLY);
	if (conv_render_text(r, &out) < 0)
		fprintf(stderr, "⚠️ Câu trả lời này dài quá %zu KB nên bot không gửi "
		    "cho người dân; hãy chia trang bằng dòng '---'.\n\n",
		    out.cap / 1024);
	else
		printf("%s\n\n", out.data);
	buf_release(&out);
	fflush(stdout);
}

/*
 * Loads the directory again; swaps only a knowledge base without errors.
 * The conversation state holds topic ids, not pointers, so it carries
 * over (a topic that is gone just is not found).
 */
static void
reload(struct kb **kb, const char *dir)
{
	struct diag d;
	struct kb *nk;

	diag_init(&d);
	nk = kb_load(dir, &d);
	if (!nk || d.nerr) {
		char *p = d.text.data, *line;

		fprintf(stderr, "⚠️ Kho câu hỏi vừa sửa có %zu lỗi; vẫn dùng bản cũ "
		    "cho đến khi sửa xong:\n", nk ? d.nerr : (size_t)1);
		if (!nk)
			fprintf(stderr, "%s: không đọc được thư mục\n", dir);
		while ((line = strsep(&p, "\n")) != NULL)
			if (*line && !diag_line_is_warning(line))
				fprintf(stderr, "%s\n", line);
		fprintf(stderr, "(sửa xong, lưu tệp rồi gõ câu hỏi tiếp; chạy "
		    "'hoidap check' để xem cả cảnh báo)\n\n");
		kb_free(nk);
	} else {
		kb_free(*kb);
		*kb = nk;
		fprintf(stderr, "✅ Đã tải lại kho câu hỏi: %zu chủ đề.\n\n",
		    kb_count(nk));
	}
	diag_release(&d);
}

int
cmd_chat(struct cmd_ctx *cx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kb", required_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir;
	struct conv_state st;
	struct conv_reply r;
	struct buf red;
	uint64_t sig;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int c, hidden, tty = isatty(STDIN_FILENO);

	cx->db = getenv("HOIDAP_DB");
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:d:", opts, NULL)) != -1) {
		if (c == 'k')
			cx->kb_dir = optarg;
		else if (c == 'd')
			cx->db = optarg;
		else
			return cmd_usage("chat");
	}
	if (optind != argc)
		return cmd_usage("chat");
	dir = cx->kb_dir = cmd_kb_dir(cx->kb_dir);
	/* before loading: an edit made while it loads is seen next time */
	sig = kb_dir_signature(dir);
	if (cx->db && *cx->db)
		log_set_level(LOG_WARN);
	if (cmd_open(cx) < 0)
		return 1;
	{
		struct diag d;

		/* once: a reload does not say it again */
		diag_init(&d);
		if (systext_absent(dir, &d))
			fputs(d.text.data, stderr);
		diag_release(&d);
	}
	conv_state_init(&st);
	conv_reply_init(&r);
	if (cx->st) {
		struct store_chat sc;

		if (store_chat_get(cx->st, "console", "console", &sc) == 0)
			st = sc.conv;
	}
	if (tty)
		printf("hoidap — trò chuyện thử trên máy này. Gõ câu hỏi như người "
		    "dân; \"0\" về menu, \"tiếp\" xem tiếp, Ctrl-D để thoát.\nSửa "
		    "tệp trong %s thì bot tự tải lại trước câu hỏi tiếp theo.\n\n",
		    dir);
	if (conv_open(cx->kb, &st, "greeting", &r) == 0)
		say(&r);
	buf_init(&red, BUF_CAP_REPLY);
	for (;;) {
		uint64_t now;

		if (tty) {
			fputs("> ", stdout);
			fflush(stdout);
		}
		n = getline(&line, &cap, stdin);
		if (n == -1)
			break;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!*line)
			continue;
		if (strcmp(line, "/quit") == 0 || strcmp(line, "/exit") == 0)
			break;
		if ((now = kb_dir_signature(dir)) != sig) {
			sig = now;
			reload(&cx->kb, dir);
		}
		buf_reset(&red);
		hidden = redact(line, &red);
		conv_handle(cx->kb, &st, line, &r);
		say(&r);
		/* where the daemon would open a ticket */
		if (handoff_reason(NULL, &r, &st)) {
			printf("%s\n\n", HANDOFF_NOTE);
			st.fallbacks = 0;       /* as after a ticket: counts anew */
		}
		if (hidden > 0)
			printf("%s\n\n", systext(cx->kb, SYSTEXT_SECRET));
		fflush(stdout);
		record(cx->st, red.data, &r, &st);
	}
	buf_release(&red);
	free(line);
	conv_reply_release(&r);
	redact_release();
	return 0;
}
