/*
 * testutil: helpers shared by the unit tests. Every test file is its own
 * program, so everything here is static inline.
 *
 *   tu_mkdtemp / tu_write / tu_write_bytes / tu_rmrf   temp knowledge dirs
 *   tu_kb_open / tu_kb_close                           write files, kb_load
 *   tu_diag_has / assert_diag_has / assert_diag_lacks  diagnostics
 *   tu_run_isolated                                    run a call in a child
 *   TU_KB_MINI                                         tests/data/kb-mini
 */
#ifndef HOIDAP_TESTUTIL_H
#define HOIDAP_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "kb.h"
#include "text.h"

/* tests/data, found from this header's path so any cwd above works. */
#define TU_DATA_DIR tu_data_dir()
#define TU_KB_MINI tu_kb_mini()
/* The sentences a system.txt must hold (systext.h), for a test's own. */
#define TU_SYS_MEDIA "\n== sys.media\ntitle: M\nanswer:\nảnh\n"
#define TU_SYS_FLOOD "\n== sys.flood\ntitle: F\nanswer:\nchậm lại\n"
#define TU_SYS_SECRET "\n== sys.secret\ntitle: S\nanswer:\nđừng gửi OTP\n"
#define TU_SYS_HOTLINES "\n== sys.hotlines\ntitle: H\nanswer:\ngọi 1900\n"
/* the resident's side of a hand-off, with what each fills in */
#define TU_SYS_HANDOFF \
	"\n== sys.handoff_media\ntitle: HM\nanswer:\nảnh tới Tổ.\n" \
	"\n== sys.handoff_wait\ntitle: HW\nanswer:\nchờ phiếu {phieu}, {cho}.\n" \
	"\n== sys.handoff_after_hours\ntitle: HA\nanswer:\nngoài giờ phiếu " \
	"{phieu} ({gio}) từ {batdau}.\n" \
	"\n== sys.handoff_claimed\ntitle: HC\nanswer:\n{ten} nhận rồi.\n" \
	"\n== sys.handoff_done\ntitle: HD\nanswer:\nxong phiếu {phieu}.\n" \
	"\n== sys.feedback_thanks\ntitle: FT\nanswer:\ncảm ơn góp ý.\n" \
	"\n== sys.feedback_sorry\ntitle: FS\nanswer:\nxin lỗi bác.\n" \
	"\n== sys.staff_only\ntitle: SO\nanswer:\nlệnh {lenh} chỉ cho {ai}.\n"
#define TU_SYS_REQUIRED TU_SYS_MEDIA TU_SYS_FLOOD TU_SYS_SECRET \
	TU_SYS_HOTLINES TU_SYS_HANDOFF

/* The date every test runs on, so "stale"/"future" warnings are stable. */
#define TU_TODAY "2026-11-28"

static inline const char *
tu_data_dir(void)
{
	static char path[4096];

	if (!path[0]) {
		const char *f = __FILE__;   /* ".../tests/unit/testutil.h" */
		const char *slash = strrchr(f, '/');
		int n = slash ? (int)(slash - f) : 0;

		if (slash)
			snprintf(path, sizeof(path), "%.*s/../data", n, f);
		else
			snprintf(path, sizeof(path), "../data");
		if (access(path, R_OK) != 0)
			snprintf(path, sizeof(path), "tests/data");
	}
	return path;
}

static inline const char *
tu_kb_mini(void)
{
	static char path[4200];

	if (!path[0])
		snprintf(path, sizeof(path), "%s/kb-mini", tu_data_dir());
	return path;
}

static inline void
tu_set_today(const char *iso)
{
	if (iso)
		setenv("HOIDAP_TODAY", iso, 1);
	else
		unsetenv("HOIDAP_TODAY");
}

static inline void tu_rmrf(const char *dir);

/* Temp dirs of this process, removed at exit even when a test failed. */
static char tu_dirs[256][256];
static int tu_ndirs;
static pid_t tu_owner;

static inline void
tu_cleanup_dirs(void)
{
	int i;

	if (getpid() != tu_owner)
		return;
	for (i = 0; i < tu_ndirs; i++)
		tu_rmrf(tu_dirs[i]);
	tu_ndirs = 0;
}

/* Creates a fresh directory; dir must hold at least 64 bytes. */
static inline void
tu_mkdtemp(char *dir, size_t n)
{
	const char *base = getenv("TMPDIR");

	snprintf(dir, n, "%s/hoidap-test-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	if (!tu_owner) {
		tu_owner = getpid();
		atexit(tu_cleanup_dirs);
	}
	if (getpid() == tu_owner && tu_ndirs < 256)
		snprintf(tu_dirs[tu_ndirs++], sizeof(tu_dirs[0]), "%s", dir);
}

static inline void
tu_write_bytes(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		abort();
	}
	if (len && fwrite(data, 1, len, f) != len) {
		perror(path);
		abort();
	}
	if (fclose(f) != 0) {
		perror(path);
		abort();
	}
}

static inline void
tu_write(const char *dir, const char *name, const char *text)
{
	tu_write_bytes(dir, name, text, strlen(text));
}

/* Removes a directory and everything in it. */
static inline void
tu_rmrf(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char path[4096];
	struct stat st;
	int m;

	if (!dh)
		return;
	while ((de = readdir(dh)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		m = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (m < 0 || (size_t)m >= sizeof(path))
			continue;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			tu_rmrf(path);
		else
			(void)unlink(path);
	}
	closedir(dh);
	(void)rmdir(dir);
}

/* A kb loaded from a temp dir, with its diagnostics. */
struct tu_kb {
	char dir[256];
	struct diag d;
	struct kb *kb;
};

/* What fn(arg) writes to fd (1 or 2), malloc'd; the fd is restored. */
static inline char *
tu_capture(int fd, void (*fn)(void *), void *arg)
{
	char dir[256], path[300], *s;
	FILE *std = fd == 1 ? stdout : stderr, *f;
	int out, saved;
	long n;

	tu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	fflush(std);
	saved = dup(fd);
	out = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	assert_true(out >= 0 && saved >= 0);
	dup2(out, fd);
	close(out);
	fn(arg);
	fflush(std);
	dup2(saved, fd);
	close(saved);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

/*
 * A stop-word list like the real one. tu_kb_open() adds it unless the test
 * gives its own stopwords.txt: a kb without one is legal but is tested on
 * its own (tu_kb_open_raw), see test_kb.c.
 */
#define TU_DEFAULT_STOPWORDS "# polite particles\nạ à ơi nhé nha\n"

static inline void
tu_kb_openv(struct tu_kb *k, bool defaults, va_list ap)
{
	const char *name;
	bool have_stop = false;

	memset(k, 0, sizeof(*k));
	tu_mkdtemp(k->dir, sizeof(k->dir));
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *content = va_arg(ap, const char *);

		if (strcmp(name, "stopwords.txt") == 0)
			have_stop = true;
		tu_write(k->dir, name, content);
	}
	if (defaults && !have_stop)
		tu_write(k->dir, "stopwords.txt", TU_DEFAULT_STOPWORDS);
	diag_init(&k->d);
	k->kb = kb_load(k->dir, &k->d);
}

/*
 * Writes (name, content) pairs, NULL-terminated, to a new temp dir and loads
 * it: tu_kb_open(&k, "topics.txt", "== a\n...", "system.txt", "...", NULL).
 */
static inline void
tu_kb_open(struct tu_kb *k, ...)
{
	va_list ap;

	va_start(ap, k);
	tu_kb_openv(k, true, ap);
	va_end(ap);
}

/* Same, writing exactly the files given (no default stopwords.txt). */
static inline void
tu_kb_open_raw(struct tu_kb *k, ...)
{
	va_list ap;

	va_start(ap, k);
	tu_kb_openv(k, false, ap);
	va_end(ap);
}

/* Loads an existing directory (no temp dir to remove afterwards). */
static inline void
tu_kb_load_dir(struct tu_kb *k, const char *dir)
{
	memset(k, 0, sizeof(*k));
	diag_init(&k->d);
	k->kb = kb_load(dir, &k->d);
}

static inline void
tu_kb_close(struct tu_kb *k)
{
	kb_free(k->kb);
	diag_release(&k->d);
	if (k->dir[0])
		tu_rmrf(k->dir);
	memset(k, 0, sizeof(*k));
}

static inline bool
tu_diag_has(const struct diag *d, const char *needle)
{
	return d->text.data && strstr(d->text.data, needle) != NULL;
}

/* "dir/file:line: " as kb_load and abbrev_parse print it. */
static inline const char *
tu_loc(char *out, size_t n, const char *dir, const char *file, int line)
{
	if (line > 0)
		snprintf(out, n, "%s/%s:%d: ", dir, file, line);
	else
		snprintf(out, n, "%s/%s: ", dir, file);
	return out;
}

/*
 * Asserts that one diagnostic line starts with `loc` and contains `msg`
 * (both must be on the same line).
 */
static inline bool
tu_diag_line_has(const struct diag *d, const char *loc, const char *msg)
{
	const char *p = d->text.data;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		size_t ll = strlen(loc), ml = strlen(msg);

		if (len >= ll && strncmp(p, loc, ll) == 0) {
			size_t i;

			for (i = ll; i + ml <= len; i++)
				if (strncmp(p + i, msg, ml) == 0)
					return true;
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

#define assert_diag_has(d, needle) do {                                     \
	if (!tu_diag_has((d), (needle)))                                    \
		fail_msg("diagnostics lack \"%s\"; they are:\n%s", (needle),    \
		    (d)->text.data);                                            \
} while (0)

#define assert_diag_lacks(d, needle) do {                                   \
	if (tu_diag_has((d), (needle)))                                     \
		fail_msg("diagnostics should not have \"%s\"; they are:\n%s",   \
		    (needle), (d)->text.data);                                  \
} while (0)

/*
 * Every line of d is an admin's message: "path:line: lỗi: …" or
 * "… cảnh báo: …", with a fix hint (diag.h). NULL when so, else the
 * first line that is not.
 */
static inline const char *
tu_diag_bad_line(const struct diag *d)
{
	static char bad[1024];
	const char *p = d->text.data ? d->text.data : "", *nl;

	for (; *p; p = nl + 1) {
		size_t n;

		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		n = (size_t)(nl - p);
		snprintf(bad, sizeof(bad), "%.*s", (int)n, p);
		if ((!strstr(bad, ": " DIAG_ERROR_LABEL) &&
		    !strstr(bad, ": " DIAG_WARN_LABEL)) || !strstr(bad, DIAG_FIX))
			return bad;
		if (!*nl)
			break;
	}
	return NULL;
}

#define assert_diag_vietnamese(d) do {                                      \
	const char *bad_ = tu_diag_bad_line(d);                             \
	if (bad_)                                                           \
		fail_msg("not an admin's message (label, fix hint): %s", bad_); \
} while (0)

#define assert_diag_line(d, loc, msg) do {                                  \
	if (!tu_diag_line_has((d), (loc), (msg)))                           \
		fail_msg("no diagnostic \"%s...%s\"; they are:\n%s", (loc),     \
		    (msg), (d)->text.data);                                     \
} while (0)

static inline bool
tu_utf8_valid(const char *s)
{
	return s && text_utf8_invalid(s, strlen(s)) < 0;
}

static inline double
tu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Runs fn(arg) in a child process, so a crash (or an ASan report) in code
 * under test fails this one test instead of killing the whole program.
 * The child's TMPDIR is a fresh directory removed afterwards.
 * fn returns 0 when its own checks passed. Returns true iff the child
 * exited normally with 0; *status gets the raw wait status.
 */
static inline bool
tu_run_isolated(int (*fn)(void *), void *arg, int *status)
{
	pid_t pid;
	int st = 0;
	char tmp[256];

	/* the child's temp dirs go in here, removed even if it crashes */
	tu_mkdtemp(tmp, sizeof(tmp));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		abort();
	}
	if (pid == 0) {
		/* cmocka's handlers would longjmp back into the test runner */
		static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE,
			SIGABRT, SIGSYS };
		size_t i;

		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		setenv("TMPDIR", tmp, 1);
		_exit(fn(arg) == 0 ? 0 : 1);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	tu_rmrf(tmp);
	if (status)
		*status = st;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

#define assert_isolated_ok(fn, arg) do {                                    \
	int tu_st_ = 0;                                                     \
	if (!tu_run_isolated((fn), (arg), &tu_st_))                         \
		fail_msg("%s crashed or failed in a child process (%s %d)",     \
		    #fn, WIFSIGNALED(tu_st_) ? "signal" : "exit status",        \
		    WIFSIGNALED(tu_st_) ? WTERMSIG(tu_st_) :                    \
		    WEXITSTATUS(tu_st_));                                       \
} while (0)

/*
 * The kb-mini fixture shared by a test program: tu_mini() after
 * tu_setup_mini() ran as the group setup (cmocka_run_group_tests).
 */
static inline struct tu_kb *
tu_mini(void)
{
	static struct tu_kb k;

	return &k;
}

static inline int
tu_setup_mini(void **state)
{
	(void)state;
	tu_set_today(TU_TODAY);
	tu_kb_load_dir(tu_mini(), TU_KB_MINI);
	if (!tu_mini()->kb || tu_mini()->d.nerr) {
		fprintf(stderr, "cannot load %s:\n%s", TU_KB_MINI,
		    tu_mini()->d.text.data);
		return -1;
	}
	return 0;
}

static inline int
tu_teardown_mini(void **state)
{
	(void)state;
	tu_kb_close(tu_mini());
	return 0;
}

#endif
