/*
 * hoidap qr: QR codes for the leaflets ward staff hand out. Scanning one
 * opens the Telegram bot on a topic. One topic goes to a PNG (-o) or to the
 * terminal (--text, the default when stdout is a terminal); --all --dir
 * writes a PNG per topic and index.html, an A4 sheet of cards to print at
 * 100% scale.
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
#include "qr.h"
#include "util.h"

#define QR_HINT "Quét mã bằng camera điện thoại để mở hướng dẫn trên Telegram"

static int
usage(void)
{
	cmd_usage("qr");
	fprintf(stderr,
	    "  TOPIC is a topic id (vneid.install). Without -o the code is drawn on\n"
	    "  the terminal; when standard output is not a terminal, give -o.\n"
	    "  The bot is --bot NAME, else $HOIDAP_TELEGRAM_BOT, else telegram_bot\n"
	    "  in the configuration file (--config FILE, default %s).\n",
	    CONFIG_DEFAULT_PATH);
	return EXIT_USAGE;
}

/*
 * The bot's username, malloc'ed: --bot, else the configuration (whose
 * loader applies HOIDAP_TELEGRAM_BOT over the file). NULL after printing
 * why.
 */
static char *
bot_name(const char *opt, const char *path, int given)
{
	struct config cfg;
	struct diag d;
	char *bot = NULL;

	if (opt)
		return xstrdup(opt);
	config_init(&cfg);
	diag_init(&d);
	if (config_load(&cfg, path, given, &d) < 0)
		fputs(d.text.data, stderr);
	else if (!*cfg.telegram_bot)
		fprintf(stderr, "hoidap qr: no bot username: pass --bot NAME or set "
		    "HOIDAP_TELEGRAM_BOT (or telegram_bot in %s)\n", path);
	else
		bot = xstrdup(cfg.telegram_bot);
	diag_release(&d);
	config_release(&cfg);
	return bot;
}

static void
id_error(const char *id)
{
	fprintf(stderr, "hoidap qr: topic id '%s' cannot be a deep link: at most "
	    "%d characters of a-z 0-9 _ .\n", id, QR_ID_MAX);
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
		fprintf(stderr, "hoidap qr: drawing the code: %s\n", strerror(errno));
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

/* Titles come from files anyone on the ward team may edit. */
static void
html_put(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

/*
 * Two columns of three 88 mm cards fill an A4 page inside 10 mm margins
 * (3 x 88 + 2 x 4 = 272 of 277 mm), with room for a two-line title. A
 * longer title makes its row taller rather than being cut, and a card is
 * never split across pages. Sizes are in mm so a print at 100% scale gives
 * the same leaflet everywhere. Nothing is fetched: the sheet works offline,
 * beside its PNGs.
 */
static void
html_head(FILE *f, const char *bot, size_t n)
{
	fputs("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>Mã QR hướng dẫn – @", f);
	html_put(f, bot);
	fputs("</title>\n<style>\n"
	    "@page { size: A4 portrait; margin: 10mm; }\n"
	    "* { box-sizing: border-box; }\n"
	    "html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
	    "body { margin: 0; color: #000; background: #fff;\n"
	    "  font-family: \"Noto Sans\", \"DejaVu Sans\", \"Segoe UI\", Arial, "
	    "sans-serif; }\n"
	    ".note { margin: 0 0 5mm; font-size: 12pt; }\n"
	    "@media print { .note { display: none; } }\n"
	    ".sheet { display: grid; grid-template-columns: repeat(2, 1fr); "
	    "gap: 4mm; }\n"
	    ".card { min-height: 88mm; padding: 3mm 4mm; border: 0.3mm dashed #777;\n"
	    "  display: flex; flex-direction: column; align-items: center;\n"
	    "  justify-content: space-between; text-align: center;\n"
	    "  break-inside: avoid; page-break-inside: avoid; }\n"
	    ".card h2 { margin: 0; font-size: 17pt; line-height: 1.15; }\n"
	    ".card img { display: block; width: 45mm; height: 45mm;\n"
	    "  image-rendering: pixelated; image-rendering: crisp-edges; }\n"
	    ".hint { margin: 0; font-size: 12pt; line-height: 1.2; }\n"
	    ".link { margin: 0; font-size: 8pt; overflow-wrap: anywhere;\n"
	    "  font-family: \"DejaVu Sans Mono\", \"Courier New\", monospace; }\n"
	    "</style>\n</head>\n<body>\n<p class=\"note\">", f);
	fprintf(f, "%zu mã QR mở bot @", n);
	html_put(f, bot);
	fputs(" trên Telegram. In trên giấy A4, tỷ lệ 100% (kích thước thật, "
	    "không chọn “vừa trang”).</p>\n<main class=\"sheet\">\n", f);
}

static void
html_card(FILE *f, const char *title, const char *payload, const char *link)
{
	fputs("<section class=\"card\">\n<h2>", f);
	html_put(f, title);
	fputs("</h2>\n<img src=\"", f);
	html_put(f, payload);
	fputs(".png\" alt=\"Mã QR: ", f);
	html_put(f, title);
	fputs("\">\n<p class=\"hint\">" QR_HINT "</p>\n<p class=\"link\">", f);
	html_put(f, link);
	fputs("</p>\n</section>\n", f);
}

static int
all(const struct kb *kb, const char *bot, const char *dir)
{
	char payload[QR_PAYLOAD_MAX + 1], err[512];
	struct buf path, link;
	FILE *html = NULL;
	size_t i, n = 0, want = 0;
	int bad, rc = 1;

	buf_init(&path, BUF_CAP_TEXT);
	buf_init(&link, BUF_CAP_TEXT);
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "hoidap qr: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	if (buf_printf(&path, "%s/index.html", dir) < 0 ||
	    (html = fopen(path.data, "w")) == NULL) {
		fprintf(stderr, "hoidap qr: %s/index.html: %s\n", dir,
		    strerror(errno));
		goto out;
	}
	/* one leaflet per topic: a section opens from its topic's options */
	for (i = 0; i < kb_count(kb); i++)
		want += !kb_topic(kb, i)->system && !kb_topic(kb, i)->parent;
	html_head(html, bot, want);
	rc = 0;
	for (i = 0; i < kb_count(kb); i++) {
		const struct kb_topic *t = kb_topic(kb, i);

		if (t->system || t->parent)
			continue;
		buf_reset(&link);
		buf_reset(&path);
		if (qr_payload(t->id, payload, sizeof(payload)) < 0 ||
		    qr_deeplink(bot, t->id, &link) < 0) {
			id_error(t->id);
			rc = 1;
			continue;
		}
		if (buf_printf(&path, "%s/%s.png", dir, payload) < 0) {
			fprintf(stderr, "hoidap qr: %s: path too long\n", dir);
			rc = 1;
			continue;
		}
		if (qr_png(link.data, path.data, 0, err, sizeof(err)) < 0) {
			fprintf(stderr, "hoidap qr: %s\n", err);
			rc = 1;
			continue;
		}
		/* A card only for a PNG that exists, so the sheet never shows a
		 * broken image. */
		html_card(html, t->title, payload, link.data);
		n++;
	}
	fputs("</main>\n</body>\n</html>\n", html);
	bad = ferror(html);
	/* A full disk shows up at fclose, not at fputs. */
	if (fclose(html) != 0 || bad) {
		fprintf(stderr, "hoidap qr: %s/index.html: %s\n", dir,
		    strerror(errno));
		rc = 1;
	} else {
		printf("%s/index.html: %zu of %zu topics; print it on A4 at 100%% "
		    "scale\n", dir, n, want);
	}
out:
	buf_release(&path);
	buf_release(&link);
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
	const char *png = NULL, *outdir = NULL, *bot;
	const struct kb_topic *t;
	struct kb *kb = NULL;
	char *botbuf = NULL;
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
			fprintf(stderr, "hoidap qr: standard output is not a terminal: "
			    "give -o FILE.png, or --text for the drawing\n");
			return usage();
		}
		text = 1;
	}
	if ((botbuf = bot_name(botopt, cfgpath, given)) == NULL)
		goto out;
	if (!qr_bot_ok(botbuf)) {
		fprintf(stderr, "hoidap qr: '%s' is not a Telegram bot username "
		    "(5-32 letters, digits or '_', ending in \"bot\", as @BotFather "
		    "gave it)\n", botbuf);
		goto out;
	}
	bot = botbuf + (*botbuf == '@');
	if ((kb = cmd_load_kb(cmd_kb_dir(dir), 1)) == NULL)
		goto out;
	if (doall) {
		rc = all(kb, bot, outdir);
		goto out;
	}
	t = kb_find(kb, argv[optind]);
	if (!t)
		fprintf(stderr, "hoidap qr: unknown topic '%s' (ids are the '== id' "
		    "lines in %s/*.txt)\n", argv[optind], kb_dir(kb));
	else if (t->system)
		fprintf(stderr, "hoidap qr: '%s' is a system topic (the bot's own "
		    "sentences), not a guide: it has no leaflet\n", t->id);
	else if (t->parent)
		fprintf(stderr, "hoidap qr: '%s' is a section of '%s': leaflets are "
		    "per topic (the topic's guide lists its sections)\n", t->id,
		    t->parent->id);
	else
		rc = one(t, bot, png, text);
out:
	kb_free(kb);
	free(botbuf);
	return rc;
}
