/*
 * hoidap qr: QR codes for the leaflets ward staff hand out. Scanning one
 * opens the Telegram bot on a topic. One topic goes to a PNG (-o) or to the
 * terminal (--text, the default when stdout is a terminal); --all --dir
 * writes a PNG per topic and index.html, an A4 sheet of cards to print at
 * 100% scale, grouped by service, each card with the ward's name and
 * hotline. With zalo_link set, every card also carries a code that opens
 * the ward's Zalo chat and the words to send there: Zalo has no link that
 * opens one topic, so the words are checked against the matcher here.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "html.h"
#include "match.h"
#include "qr.h"
#include "util.h"

#define QR_HINT "Quét mã bằng camera điện thoại để mở hướng dẫn trên Telegram"
#define QR_HINT2 "Quét một mã bằng camera điện thoại"
/* Payloads never hold a '.', so no topic's PNG can take this name. */
#define ZALO_PNG "zalo.chat.png"

static int
usage(void)
{
	cmd_usage("qr");
	fprintf(stderr,
	    "  TOPIC is a topic id (vneid.install). Without -o the code is drawn on\n"
	    "  the terminal; when standard output is not a terminal, give -o.\n"
	    "  The bot is --bot NAME, else $HOIDAP_TELEGRAM_BOT, else telegram_bot\n"
	    "  in the configuration file (--config FILE, default %s).\n"
	    "  --all also reads ward_name, ward_hotline and zalo_link (or\n"
	    "  HOIDAP_WARD_NAME, HOIDAP_WARD_HOTLINE, HOIDAP_ZALO_LINK); with\n"
	    "  zalo_link and no bot, the cards carry only the Zalo code.\n",
	    CONFIG_DEFAULT_PATH);
	return EXIT_USAGE;
}

/* What the leaflets need from the configuration, malloc'ed. */
struct sheet {
	char *bot;              /* Telegram username without '@'; "" if none */
	char *ward;             /* ward_name */
	char *hotline;          /* ward_hotline */
	char *zalo;             /* zalo_link; "" if none */
	int zalo_on;            /* a Zalo token is configured */
};

static void
sheet_release(struct sheet *sh)
{
	free(sh->bot);
	free(sh->ward);
	free(sh->hotline);
	free(sh->zalo);
	memset(sh, 0, sizeof(*sh));
}

/*
 * The configuration (whose loader applies HOIDAP_* over the file), with
 * --bot over telegram_bot. -1 after printing why.
 */
static int
sheet_load(struct sheet *sh, const char *botopt, const char *path, int given)
{
	struct config cfg;
	struct diag d;
	int rc = -1;

	memset(sh, 0, sizeof(*sh));
	config_init(&cfg);
	diag_init(&d);
	if (config_load(&cfg, path, given, &d) < 0) {
		fputs(d.text.data, stderr);
		goto out;
	}
	sh->bot = xstrdup(botopt ? botopt : cfg.telegram_bot);
	sh->ward = xstrdup(cfg.ward_name);
	sh->hotline = xstrdup(cfg.ward_hotline);
	sh->zalo = xstrdup(cfg.zalo_link);
	sh->zalo_on = *cfg.zalo_token != '\0';
	rc = 0;
out:
	diag_release(&d);
	config_release(&cfg);
	return rc;
}

static int
bot_check(const char *bot)
{
	if (qr_bot_ok(bot))
		return 0;
	fprintf(stderr, "hoidap qr: '%s' không phải tên bot Telegram (5-32 chữ "
	    "cái, chữ số hoặc '_', kết thúc bằng \"bot\", đúng như @BotFather "
	    "đã cấp)\n", bot);
	return -1;
}

static void
id_error(const char *id)
{
	fprintf(stderr, "hoidap qr: mã chủ đề '%s' không đưa vào link được: tối "
	    "đa %d ký tự a-z 0-9 _ .\n", id, QR_ID_MAX);
}

static int
one(const struct kb_topic *t, const char *bot, const char *png, int text)
{
	struct buf link;
	char err[512];
	int rc = 1;

	buf_init(&link, BUF_CAP_TEXT);
	if (qr_deeplink(bot, t->id, &link) < 0) {
		id_error(t->id);
		goto out;
	}
	if (png && qr_png(link.data, png, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "hoidap qr: %s\n", err);
		goto out;
	}
	if (text && qr_text(link.data, stdout) < 0) {
		fprintf(stderr, "hoidap qr: không vẽ được mã: %s\n", strerror(errno));
		goto out;
	}
	if (png)
		printf("%s: %s\n", png, link.data);
	else
		printf("%s\n", link.data);
	rc = 0;
out:
	buf_release(&link);
	return rc;
}

/*
 * A link as printed: it may wrap after '/', '?', '=' or '&' (<wbr>), never
 * at a hyphen — "vneid-" at the end of a line reads as a word cut in two,
 * and a resident typing the link would drop the '-'. A hyphen and the
 * character after it sit in one unbreakable span; no break is allowed
 * before a hyphen anyway. overflow-wrap:anywhere (in the CSS) still cuts a
 * piece longer than the card.
 */
static void
html_link(FILE *f, const char *link)
{
	const char *p = strstr(link, "://"), *s;
	char one[2] = { 0, 0 };

	p = p ? p + 3 : link;           /* no break inside "https://" */
	for (s = link; *s; s++) {
		if (*s == '-' && s[1]) {
			fputs("<span class=\"nb\">-", f);
			one[0] = *++s;
			html_escape(f, one);
			fputs("</span>", f);
			continue;
		}
		one[0] = *s;
		html_escape(f, one);
		if (s >= p && s[1] && strchr("/?=&", *s))
			fputs("<wbr>", f);
	}
}

/*
 * Two columns of 84 mm cards, three rows to an A4 page inside 10 mm
 * margins (3 x 84 + 2 x 4 = 260 of 277 mm), with room for a service's
 * heading; a two-line title fits, a longer one makes its row taller
 * rather than being cut, and a card is never split across pages. A heading
 * stays with the cards after it. Sizes are in mm so a print at 100% scale
 * gives the same leaflet everywhere. Nothing is fetched: the sheet works
 * offline, beside its PNGs.
 */
static void
html_head(FILE *f, const struct sheet *sh, size_t n)
{
	fputs("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>Mã QR hướng dẫn", f);
	if (*sh->ward) {
		fputs(" – ", f);
		html_escape(f, sh->ward);
	}
	fputs("</title>\n<style>\n"
	    "@page { size: A4 portrait; margin: 10mm; }\n"
	    "* { box-sizing: border-box; }\n"
	    "html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
	    "body { margin: 0; color: #000; background: #fff;\n"
	    "  font-family: \"Noto Sans\", \"DejaVu Sans\", \"Segoe UI\", Arial, "
	    "sans-serif; }\n"
	    ".note { margin: 0 0 5mm; font-size: 12pt; }\n"
	    "@media print { .note { display: none; } }\n"
	    ".service > h2 { margin: 0 0 2mm; padding-top: 2mm; font-size: 15pt;\n"
	    "  border-bottom: 0.5mm solid #000;\n"
	    "  break-after: avoid; page-break-after: avoid; }\n"
	    ".service + .service { margin-top: 4mm; }\n"
	    ".sheet { display: grid; grid-template-columns: repeat(2, 1fr); "
	    "gap: 4mm; }\n"
	    ".card { min-height: 84mm; padding: 3mm 4mm; border: 0.3mm dashed #777;\n"
	    "  display: flex; flex-direction: column; align-items: center;\n"
	    "  justify-content: space-between; text-align: center;\n"
	    "  break-inside: avoid; page-break-inside: avoid; }\n"
	    ".card h3 { margin: 0; font-size: 16pt; line-height: 1.15; }\n"
	    ".codes { display: flex; gap: 4mm; justify-content: center; }\n"
	    ".code { margin: 0; display: flex; flex-direction: column;\n"
	    "  align-items: center; }\n"
	    ".code img { display: block; width: 45mm; height: 45mm;\n"
	    "  image-rendering: pixelated; image-rendering: crisp-edges; }\n"
	    ".two .code img { width: 32mm; height: 32mm; }\n"
	    ".code figcaption { font-size: 9pt; line-height: 1.15; width: 40mm; }\n"
	    ".send { font-weight: bold; }\n"
	    ".hint { margin: 0; font-size: 12pt; line-height: 1.2; }\n"
	    ".link { margin: 0; font-size: 7.5pt; line-height: 1.2;\n"
	    "  overflow-wrap: anywhere; hyphens: none; -webkit-hyphens: none;\n"
	    "  font-family: \"DejaVu Sans Mono\", \"Courier New\", monospace; }\n"
	    ".nb { white-space: nowrap; }\n"
	    ".ward { margin: 0; width: 100%; padding-top: 1mm;\n"
	    "  border-top: 0.3mm solid #777; font-size: 9.5pt; line-height: 1.2; }\n"
	    "</style>\n</head>\n<body>\n<p class=\"note\">", f);
	fprintf(f, "%zu thẻ hướng dẫn", n);
	if (*sh->bot) {
		fputs(", mã QR mở bot @", f);
		html_escape(f, sh->bot);
		fputs(" trên Telegram", f);
	}
	if (*sh->zalo)
		fputs(*sh->bot ? " và khung chat Zalo của phường" :
		    ", mã QR mở khung chat Zalo của phường", f);
	fputs(". In trên giấy A4, tỷ lệ 100% (kích thước thật, không chọn "
	    "“vừa trang”).</p>\n", f);
}

/* A service's heading, from the first part of its topics' ids. */
static const struct service {
	const char *prefix;
	const char *heading;
} services[] = {
	{ "vneid", "VNeID – định danh điện tử" },
	{ "id", "Thẻ căn cước" },
	{ "dvc", "Dịch vụ công trực tuyến" },
	{ "vssid", "VssID – bảo hiểm xã hội, bảo hiểm y tế" },
	{ "social", "Trợ cấp xã hội" },
	{ "etax", "Thuế (eTax Mobile)" },
	{ "ihanoi", "iHanoi" },
	{ "health", "Sức khỏe" },
	{ "payment", "Thanh toán không dùng tiền mặt" },
	{ "signature", "Chữ ký số" },
	{ "security", "Phòng chống lừa đảo" },
	{ "phone", "Dùng điện thoại" },
	{ "platform", "Học kỹ năng số" },
	{ "schedule", "Hỗ trợ tại phường" },
};
#define OTHER_SERVICE ARRAY_SIZE(services)      /* "Hướng dẫn khác" */

static size_t
service_of(const char *id)
{
	size_t i, n = strcspn(id, ".#");

	for (i = 0; i < ARRAY_SIZE(services); i++)
		if (strlen(services[i].prefix) == n &&
		    strncmp(id, services[i].prefix, n) == 0)
			return i;
	return OTHER_SERVICE;
}

/*
 * Topics with a leaflet: guides. Not the bot's own sentences (sys.*), not
 * a section (it opens from its topic), not a menu (the greeting), and not
 * the hand-off: scanning its code would call a volunteer with no question
 * asked — the ward's hotline is on every card instead.
 */
static bool
has_leaflet(const struct kb_topic *t)
{
	return !t->system && !t->parent && !strchr(t->id, '#') &&
	    t->nmenu == 0 && strncmp(t->id, "handoff.", 8) != 0;
}

/* Vietnamese written with its marks: what a leaflet should print. */
static bool
written_out(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

/* Does the bot answer words with topic t itself (exact) or its family? */
static bool
answers(struct kb *kb, const char *words, const struct kb_topic *t, bool exact)
{
	struct match_result m;

	kb_match(kb, words, strlen(words), &m);
	return m.action == MATCH_ANSWER && m.topic &&
	    (exact ? m.topic == t : kb_root(m.topic) == t);
}

/*
 * The words a Zalo resident sends to get topic t, checked with the
 * matcher: the title without its "(…)" asides, or the whole title (both
 * name the whole guide); else the shortest ask: line written with
 * diacritics that opens the guide itself; else the shortest that opens one
 * of its sections. Written into out; false if the bot answers none of
 * them with t.
 */
static bool
zalo_words(struct kb *kb, const struct kb_topic *t, struct buf *out)
{
	const char *best = NULL;
	size_t i, pass;
	char *p;

	buf_reset(out);
	/* "Quyết toán thuế TNCN (hoàn thuế)" -> "Quyết toán thuế TNCN" */
	for (p = t->title; *p; p++) {
		char *close;

		if (*p == '(' && (close = strchr(p, ')')) != NULL) {
			p = close;
			continue;
		}
		if (*p == ' ' && out->len && out->data[out->len - 1] == ' ')
			continue;       /* the space before "(" and after ")" */
		(void)buf_addc(out, *p);
	}
	str_trim(out->data);
	out->len = strlen(out->data);
	while (out->len && strchr(",;:", out->data[out->len - 1]))
		out->data[--out->len] = '\0';
	if (out->len && answers(kb, out->data, t, true))
		return true;
	if (answers(kb, t->title, t, true))
		goto take;
	for (pass = 0; pass < 3 && !best; pass++) {
		for (i = 0; i < t->nasks; i++) {
			const char *c = t->asks[i];

			if (pass < 2 && !written_out(c))
				continue;
			if (best && strlen(c) >= strlen(best))
				continue;
			if (answers(kb, c, t, pass == 0))
				best = c;
		}
	}
	if (!best)
		return false;
take:
	buf_reset(out);
	(void)buf_adds(out, best ? best : t->title);
	return true;
}

static void
html_card(FILE *f, const struct sheet *sh, const struct kb_topic *t,
    const char *payload, const char *link, const char *words)
{
	bool two = *sh->bot && *sh->zalo;

	fputs("<section class=\"card\">\n<h3>", f);
	html_escape(f, t->title);
	fprintf(f, "</h3>\n<div class=\"codes%s\">\n", two ? " two" : "");
	if (*sh->bot) {
		fputs("<figure class=\"code\"><img src=\"", f);
		html_escape(f, payload);
		fputs(".png\" alt=\"Mã QR Telegram: ", f);
		html_escape(f, t->title);
		fputs("\">", f);
		if (two)
			fputs("<figcaption><b>Telegram</b><br>mở ngay hướng dẫn"
			    "</figcaption>", f);
		fputs("</figure>\n", f);
	}
	if (*sh->zalo) {
		fputs("<figure class=\"code\"><img src=\"" ZALO_PNG "\" alt=\"Mã QR "
		    "Zalo của phường\"><figcaption><b>Zalo</b><br>quét mã, rồi gửi:<br>"
		    "<span class=\"send\">“", f);
		html_escape(f, words ? words : t->title);
		fputs("”</span></figcaption></figure>\n", f);
	}
	fputs("</div>\n<p class=\"hint\">", f);
	fputs(two ? QR_HINT2 : *sh->bot ? QR_HINT :
	    "Quét mã bằng camera điện thoại để mở Zalo của phường", f);
	fputs("</p>\n", f);
	if (*sh->bot) {
		fputs("<p class=\"link\">", f);
		html_link(f, link);
		fputs("</p>\n", f);
	}
	if (*sh->zalo) {
		fputs("<p class=\"link\">", f);
		html_link(f, sh->zalo);
		fputs("</p>\n", f);
	}
	if (*sh->ward || *sh->hotline) {
		fputs("<p class=\"ward\">", f);
		html_escape(f, sh->ward);
		if (*sh->ward && *sh->hotline)
			fputs(" · ", f);
		if (*sh->hotline) {
			fputs("<span class=\"nb\">Điện thoại hỗ trợ: <b>", f);
			html_escape(f, sh->hotline);
			fputs("</b></span>", f);
		}
		fputs("</p>\n", f);
	}
	fputs("</section>\n", f);
}

/* Leaflet topics in print order: service by service, file order within. */
static size_t
leaflet_order(const struct kb *kb, size_t *order)
{
	size_t g, i, n = 0;

	for (g = 0; g <= OTHER_SERVICE; g++)
		for (i = 0; i < kb_count(kb); i++)
			if (has_leaflet(kb_topic(kb, i)) &&
			    service_of(kb_topic(kb, i)->id) == g)
				order[n++] = i;
	return n;
}

static int
all(struct kb *kb, const struct sheet *sh, const char *dir)
{
	char payload[QR_PAYLOAD_MAX + 1], err[512];
	struct buf path, link, words;
	FILE *html = NULL;
	size_t *order, i, n = 0, want, group = (size_t)-1;
	int bad, rc = 1;

	buf_init(&path, BUF_CAP_TEXT);
	buf_init(&link, BUF_CAP_TEXT);
	buf_init(&words, BUF_CAP_TEXT);
	order = xmalloc((kb_count(kb) + 1) * sizeof(*order));
	want = leaflet_order(kb, order);
	if (!*sh->ward || !*sh->hotline)
		fprintf(stderr, "hoidap qr: chưa đặt %s%s%s (HOIDAP_WARD_NAME, "
		    "HOIDAP_WARD_HOTLINE): thẻ in ra thiếu tên phường hoặc số điện "
		    "thoại\n", *sh->ward ? "" : "ward_name",
		    !*sh->ward && !*sh->hotline ? " và " : "",
		    *sh->hotline ? "" : "ward_hotline");
	if (sh->zalo_on && !*sh->zalo)
		fprintf(stderr, "hoidap qr: Zalo đang bật nhưng chưa đặt zalo_link "
		    "(HOIDAP_ZALO_LINK): thẻ chỉ có mã Telegram\n");
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "hoidap qr: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	if (*sh->zalo) {
		if (buf_printf(&path, "%s/" ZALO_PNG, dir) < 0 ||
		    qr_png(sh->zalo, path.data, 0, err, sizeof(err)) < 0) {
			fprintf(stderr, "hoidap qr: %s\n", path.len ? err :
			    "đường dẫn quá dài");
			goto out;
		}
	}
	buf_reset(&path);
	if (buf_printf(&path, "%s/index.html", dir) < 0 ||
	    (html = fopen(path.data, "w")) == NULL) {
		fprintf(stderr, "hoidap qr: %s/index.html: %s\n", dir,
		    strerror(errno));
		goto out;
	}
	html_head(html, sh, want);
	rc = 0;
	for (i = 0; i < want; i++) {
		const struct kb_topic *t = kb_topic(kb, order[i]);
		bool said = false;

		buf_reset(&link);
		buf_reset(&path);
		if (qr_payload(t->id, payload, sizeof(payload)) < 0 ||
		    (*sh->bot && qr_deeplink(sh->bot, t->id, &link) < 0)) {
			id_error(t->id);
			rc = 1;
			continue;
		}
		if (*sh->bot) {
			if (buf_printf(&path, "%s/%s.png", dir, payload) < 0) {
				fprintf(stderr, "hoidap qr: %s: đường dẫn quá dài\n", dir);
				rc = 1;
				continue;
			}
			if (qr_png(link.data, path.data, 0, err, sizeof(err)) < 0) {
				fprintf(stderr, "hoidap qr: %s\n", err);
				rc = 1;
				continue;
			}
		}
		if (*sh->zalo && !(said = zalo_words(kb, t, &words)))
			fprintf(stderr, "hoidap qr: %s: bot không trả lời chủ đề này "
			    "khi nhận tên của nó hay một dòng ask: — thẻ Zalo ghi tên "
			    "chủ đề; hãy thêm một dòng ask: ngắn (chạy hoidap check)\n",
			    t->id);
		if (service_of(t->id) != group) {
			group = service_of(t->id);
			fprintf(html, "%s<section class=\"service\">\n<h2>%s</h2>\n"
			    "<div class=\"sheet\">\n", n ? "</div>\n</section>\n" : "",
			    group < OTHER_SERVICE ? services[group].heading :
			    "Hướng dẫn khác");
		}
		/* A card only for a PNG that exists, so the sheet never shows a
		 * broken image. */
		html_card(html, sh, t, payload, link.data, said ? words.data : NULL);
		n++;
	}
	if (n)
		fputs("</div>\n</section>\n", html);
	fputs("</body>\n</html>\n", html);
	bad = ferror(html);
	/* A full disk shows up at fclose, not at fputs. */
	if (fclose(html) != 0 || bad) {
		fprintf(stderr, "hoidap qr: %s/index.html: %s\n", dir,
		    strerror(errno));
		rc = 1;
	} else {
		printf("%s/index.html: %zu thẻ cho %zu chủ đề; in trên giấy A4, tỷ "
		    "lệ 100%%\n", dir, n, want);
	}
out:
	free(order);
	buf_release(&path);
	buf_release(&link);
	buf_release(&words);
	return rc;
}

int
cmd_qr(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kb", required_argument, NULL, 'k' },
		{ "config", required_argument, NULL, 'c' },
		{ "bot", required_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' },
		{ "text", no_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'a' },
		{ "dir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *cfgpath = CONFIG_DEFAULT_PATH, *botopt = NULL;
	const char *png = NULL, *outdir = NULL;
	const struct kb_topic *t;
	struct sheet sh;
	struct kb *kb = NULL;
	int c, text = 0, doall = 0, given = 0, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:c:b:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'k': dir = optarg; break;
		case 'c': cfgpath = optarg; given = 1; break;
		case 'b': botopt = optarg; break;
		case 'o': png = optarg; break;
		case 't': text = 1; break;
		case 'a': doall = 1; break;
		case 'd': outdir = optarg; break;
		default: return usage();
		}
	}
	if (doall ? (!outdir || optind != argc || png || text) :
	    (outdir || optind + 1 != argc))
		return usage();
	/* A PNG's bytes on a terminal help nobody; a drawing in a pipe might. */
	if (!doall && !png && !text) {
		if (!isatty(STDOUT_FILENO)) {
			fprintf(stderr, "hoidap qr: đầu ra không phải màn hình: thêm "
			    "-o TỆP.png, hoặc --text để vẽ mã bằng ký tự\n");
			return usage();
		}
		text = 1;
	}
	if (sheet_load(&sh, botopt, cfgpath, given) < 0)
		return 1;
	if (*sh.bot == '@')
		memmove(sh.bot, sh.bot + 1, strlen(sh.bot));
	/* Zalo alone makes leaflets too; one topic's code is a Telegram link */
	if (!*sh.bot && !(doall && *sh.zalo)) {
		fprintf(stderr, "hoidap qr: chưa có tên bot Telegram: thêm --bot TÊN, "
		    "hoặc đặt HOIDAP_TELEGRAM_BOT (hay telegram_bot trong %s)\n",
		    cfgpath);
		goto out;
	}
	if (*sh.bot && bot_check(sh.bot) < 0)
		goto out;
	if (doall && *sh.zalo && strncmp(sh.zalo, "https://", 8) != 0) {
		fprintf(stderr, "hoidap qr: zalo_link '%s' phải bắt đầu bằng "
		    "https:// (ví dụ https://zalo.me/<số OA>)\n", sh.zalo);
		goto out;
	}
	if ((kb = cmd_load_kb(cmd_kb_dir(dir), 1)) == NULL)
		goto out;
	if (doall) {
		rc = all(kb, &sh, outdir);
		goto out;
	}
	t = kb_find(kb, argv[optind]);
	if (!t)
		fprintf(stderr, "hoidap qr: không có chủ đề '%s' (mã chủ đề là các "
		    "dòng '== mã' trong %s/*.txt)\n", argv[optind], kb_dir(kb));
	else if (t->system)
		fprintf(stderr, "hoidap qr: '%s' là chủ đề hệ thống (câu nói của "
		    "bot), không phải hướng dẫn: không có tờ rơi\n", t->id);
	else if (t->parent)
		fprintf(stderr, "hoidap qr: '%s' là một phần của chủ đề '%s': tờ rơi "
		    "làm cho cả chủ đề (hướng dẫn của chủ đề có nêu các phần)\n",
		    t->id, t->parent->id);
	else
		rc = one(t, sh.bot, png, text);
out:
	kb_free(kb);
	sheet_release(&sh);
	return rc;
}
