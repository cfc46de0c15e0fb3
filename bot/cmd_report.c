/*
 * hoidap report: what the ward admins read each month — questions per day,
 * the topics answered most, the questions the bot could not answer (grouped,
 * so the next FAQ entry is obvious) and how the hand-offs to people went.
 * It only reads the database, so it is safe to run next to the daemon.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "cmd.h"
#include "config.h"
#include "report.h"

/* Writes the page; a half-written file is removed rather than left behind. */
static int
write_html(const struct report *r, const char *path)
{
	FILE *f = fopen(path, "w");
	int bad;

	if (!f) {
		perror(path);
		return -1;
	}
	report_html(r, f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		perror(path);
		(void)unlink(path);
		return -1;
	}
	return 0;
}

int
cmd_report(struct cmd_ctx *cx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "kb", required_argument, NULL, 'k' },
		{ "since", required_argument, NULL, 's' },
		{ "html", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cpath = CONFIG_DEFAULT_PATH;
	const char *since = NULL, *html = NULL;
	struct report_opts o;
	struct config cfg;
	struct report r;
	struct diag d;
	struct kb *kb = NULL;
	char today[11];
	int c, cgiven = 0, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:d:k:s:H:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cpath = optarg;
			cgiven = 1;
			break;
		case 'd':
			cx->db = optarg;
			break;
		case 'k':
			cx->kb_dir = optarg;
			break;
		case 's':
			since = optarg;
			break;
		case 'H':
			html = optarg;
			break;
		default:
			return cmd_usage("report");
		}
	}
	if (optind != argc)
		return cmd_usage("report");
	clock_today(today);
	memset(&o, 0, sizeof(o));
	o.today = report_parse_date(today);
	o.since = o.today - REPORT_DEFAULT_DAYS;
	if (since) {
		o.since = report_parse_date(since);
		if (o.since < 0 || o.since > o.today) {
			fprintf(stderr, "hoidap report: --since %s: %s\n", since,
			    o.since < 0 ? "không phải ngày YYYY-MM-DD (ví dụ "
			    "2026-11-01)" : "sau hôm nay");
			return cmd_usage("report");
		}
	}

	memset(&r, 0, sizeof(r));
	config_init(&cfg);
	diag_init(&d);
	if (config_load(&cfg, cpath, cgiven, &d) < 0) {
		fputs(d.text.data, stderr);
		goto out;
	}
	/* The same precedence as the daemon: option, then config/environment. */
	o.db = cx->db ? cx->db : cfg.db;
	o.kb_dir = cx->kb_dir ? cx->kb_dir : cfg.kb;
	diag_release(&d);
	/* Titles only: a knowledge base with errors still names its topics. */
	kb = kb_load(o.kb_dir, &d);
	if (!kb)
		fprintf(stderr, "hoidap report: không đọc được thư mục kiến thức "
		    "'%s': chủ đề hiện theo mã\n", o.kb_dir);
	o.kb = kb;
	if (report_load(&r, &o) < 0) {
		fprintf(stderr, "hoidap report: %s\n", r.err);
		goto out;
	}
	report_text(&r, stdout);
	if (html && write_html(&r, html) < 0)
		goto out;
	rc = 0;
out:
	report_release(&r);
	kb_free(kb);
	diag_release(&d);
	config_release(&cfg);
	return rc;
}
