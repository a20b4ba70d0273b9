/* SPDX-License-Identifier: ISC */

/*
 * schedctl import crontab [FILE|-]: a crontab written out as schedd.yaml
 * jobs (schedctl.1 IMPORT), with no daemon.  Lines are read as cron reads
 * them (crontab(5)): a variable line sets the environment of the entries
 * after it; an entry is five time fields or an @ word, in a system
 * crontab a user, then a command whose first unescaped % starts its
 * standard input.  Times are checked by the daemon's own parser
 * (daemon/cron.c), so that what is written passes "schedd -t".  A line
 * that cannot be carried over is reported on stderr with its number and
 * written as a comment, and the exit status is 1.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "cron.h"
#include "hmap.h"
#include "log.h"
#include "tz.h"
#include "util.h"
#include "xmalloc.h"

#define IMP_SHELL	"/bin/sh"	/* cron's SHELL when none is set */
#define IMP_BLANKS	" \t"

/* A variable line in effect. */
struct imp_var {
	char		*name;
	char		*value;
};

/* The mail hook job of one MAILTO value. */
struct imp_hook {
	char		*mailto;
	const char	*name;
};

/* A base of job names and the last number put after it. */
struct imp_base {
	int		 n;
	char		 base[];
};

/* One crontab being read. */
struct imp {
	const char	*file;		/* as in messages */
	int		 system;	/* entries have a user field */
	const char	*user;		/* --user */
	FILE		*out;		/* the jobs, printed at the end */
	char		*text;
	size_t		 size;
	unsigned long	 line;
	int		 failed;	/* a line was not carried over */
	size_t		 njobs;

	struct imp_var	*vars;		/* in effect, in order of setting */
	size_t		 nvars;
	char		*cron_tz;	/* CRON_TZ, or NULL */
	char		*tz;		/* TZ, or NULL */
	char		*mailto;	/* NULL unset, "" no mail */
	char		*jitter;	/* from RANDOM_DELAY, or NULL */

	struct hmap	 names;		/* job names taken */
	struct hmap	 bases;		/* struct imp_base by base */
	struct hmap	 hookmap;	/* struct imp_hook by MAILTO */
	struct imp_hook	**hooks;
	size_t		 nhooks;
};

static void	 imp_bad(struct imp *, const char *, const char *, ...)
		     __attribute__((__format__(__printf__, 3, 4)));
static void	 imp_line(struct imp *, char *, size_t);
static int	 imp_var(struct imp *, const char *, const char *);
static void	 imp_var_set(struct imp *, const char *, const char *);
static const char *imp_var_get(struct imp *, const char *);
static int	 imp_zone(struct imp *, const char *, const char *, char **);
static void	 imp_entry(struct imp *, const char *, const char *);
static char	*imp_word(const char **);
static char	*imp_command(struct imp *, const char *, const char **,
		     char **);
static char	*imp_shq(const char *);
static int	 imp_listed(const char *const *, const char *, size_t);
static char	*imp_base(const char *);
static char	*imp_sanitise(const char *, size_t);
static const char *imp_unique(struct imp *, char *);
static const char *imp_hook(struct imp *);
static void	 imp_key(struct imp *, const char *, const char *);
static void	 imp_job(struct imp *, const char *, const char *,
		     const char *, const char *, const char *);
static void	 imp_hooks(struct imp *);
static void	 imp_free(struct imp *);

/* Words before a command, or that run one: a job is named after it. */
static const char *const imp_wrappers[] = { "if", "then", "else", "elif",
    "do", "while", "until", "!", "nice", "nohup", "ionice", "env", "exec",
    "time", "command", "chronic", "timeout", NULL };
/* Commands that name no job. */
static const char *const imp_skipped[] = { "test", "[", "[[", "cd", NULL };

/* The command of a MAILTO hook job: cron's mail, for failures only. */
static const char imp_mail[] =
    "{ printf 'To: %s\\nSubject: schedd: %s %s\\n\\n' \"$MAILTO\" \\\n"
    "    \"$SCHEDD_HOOK_JOB\" \"$SCHEDD_HOOK_STATE\"\n"
    "  printf 'task %s, exit code %s, signal %s\\n\\n' \\\n"
    "    \"$SCHEDD_HOOK_TASK_ID\" \"$SCHEDD_HOOK_EXIT_CODE\" \\\n"
    "    \"$SCHEDD_HOOK_SIGNAL\"\n"
    "  tail -n 50 \"$SCHEDD_HOOK_LOG\"; } | /usr/sbin/sendmail -t\n";

/*
 * import crontab [--system] [--user NAME] [FILE|-]: print the crontab as
 * schedd.yaml on stdout.  A system crontab (/etc/crontab, a file of
 * /etc/cron.d, or --system) has a user field; --user gives user: to the
 * jobs of a user crontab.
 */
int
ctl_import(struct ctl *ctl, struct args *a)
{
	struct imp	 im;
	FILE		*in;
	const char	*path;
	char		*buf = NULL;
	size_t		 cap = 0;
	ssize_t		 n;

	if (strcmp(a->argv[0], "crontab") != 0)
		return (usage_error("import", "cannot import \"%s\": only "
		    "crontab", a->argv[0]));
	path = a->argc > 1 ? a->argv[1] : "-";
	memset(&im, 0, sizeof im);
	im.file = strcmp(path, "-") == 0 ? "(stdin)" : path;
	im.user = args_get(a, "user");
	im.system = args_has(a, "system") || strcmp(path, "/etc/crontab") ==
	    0 || strncmp(path, "/etc/cron.d/", 12) == 0;
	if (im.system && im.user != NULL)
		return (usage_error("import", "--user is for a user crontab; "
		    "a system crontab names the user of each line"));
	if (im.user != NULL && *im.user == '\0')
		return (usage_error("import", "--user: empty name"));
	if (strcmp(path, "-") == 0)
		in = stdin;
	else if ((in = fopen(path, "r")) == NULL) {
		fprintf(stderr, "schedctl: %s: %s\n", path, strerror(errno));
		return (CTL_EXIT_ERROR);
	}
	hmap_init(&im.names);
	hmap_init(&im.bases);
	hmap_init(&im.hookmap);
	if ((im.out = open_memstream(&im.text, &im.size)) == NULL)
		fatal("open_memstream");

	while ((n = getline(&buf, &cap, in)) != -1) {
		im.line++;
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		imp_line(&im, buf, (size_t)n);
	}
	if (ferror(in)) {
		fprintf(stderr, "schedctl: %s: %s\n", path, strerror(errno));
		im.failed = 1;
	}
	free(buf);
	if (in != stdin)
		fclose(in);
	imp_hooks(&im);
	if (fclose(im.out) != 0)
		fatal("open_memstream");

	printf("# schedd jobs imported by \"schedctl import crontab\" "
	    "(schedctl(1) IMPORT)\n");
	xasprintf(&buf, " from %s", im.file);
	yout_comment(stdout, "", buf);
	free(buf);
	printf("jobs:%s\n", im.njobs == 0 ? " {}" : "");
	fwrite(im.text, 1, im.size, stdout);
	imp_free(&im);
	return (im.failed ? CTL_EXIT_ERROR : CTL_EXIT_OK);
}

/* Report a line not carried over, on stderr and as a comment. */
static void
imp_bad(struct imp *im, const char *orig, const char *fmt, ...)
{
	va_list	 ap;
	char	*why, *text;

	va_start(ap, fmt);
	xvasprintf(&why, fmt, ap);
	va_end(ap);
	fprintf(stderr, "schedctl: %s:%lu: %s\n", im->file, im->line, why);
	xasprintf(&text, " not imported (line %lu: %s):", im->line, why);
	yout_comment(im->out, "  ", text);
	free(text);
	xasprintf(&text, " %s", orig);
	yout_comment(im->out, "  ", text);
	free(text);
	free(why);
	im->failed = 1;
}

/* One line of len bytes: blank, comment, variable or entry. */
static void
imp_line(struct imp *im, char *line, size_t len)
{
	const char	*s = line + strspn(line, IMP_BLANKS);

	if (strlen(line) != len)
		imp_bad(im, line, "holds a NUL byte");
	else if (!yout_valid(line))
		imp_bad(im, line, "not UTF-8 text");
	else if (*s == '\0')
		fputc('\n', im->out);
	else if (*s == '#')
		yout_comment(im->out, "  ", s + 1);
	else if (!imp_var(im, s, line))
		imp_entry(im, s, line);
}

/*
 * A variable line, NAME = VALUE, either side optionally in matching
 * quotes, as cron tells it from an entry: the first word is followed by
 * "=".  Returns 0 if s is not one.
 */
static int
imp_var(struct imp *im, const char *s, const char *orig)
{
	const char	*p = s, *e;
	char		*name, *value;
	size_t		 len;

	if ((*p == '"' || *p == '\'') && (e = strchr(p + 1, *p)) != NULL) {
		name = xstrndup(p + 1, e - p - 1);
		p = e + 1;
	} else {
		len = strcspn(p, IMP_BLANKS "=");
		name = xstrndup(p, len);
		p += len;
	}
	p += strspn(p, IMP_BLANKS);
	if (*p != '=') {
		free(name);
		return (0);
	}
	p++;
	p += strspn(p, IMP_BLANKS);
	len = strlen(p);
	while (len > 0 && strchr(IMP_BLANKS "\r", p[len - 1]) != NULL)
		len--;
	if (len >= 2 && (*p == '"' || *p == '\'') && p[len - 1] == *p) {
		p++;
		len -= 2;
	}
	value = xstrndup(p, len);

	if (!env_name_valid(name))
		imp_bad(im, orig, "variable \"%s\": schedd takes names of "
		    "letters, digits and _, not starting with a digit", name);
	else if (strncmp(name, "SCHEDD_", 7) == 0)
		imp_bad(im, orig, "variable \"%s\": SCHEDD_* variables are "
		    "set by schedd", name);
	else if (strcmp(name, "CRON_TZ") == 0)
		imp_zone(im, orig, value, &im->cron_tz);
	else if (strcmp(name, "TZ") == 0) {
		if (imp_zone(im, orig, value, &im->tz) == 0)
			imp_var_set(im, name, value);
	} else if (strcmp(name, "RANDOM_DELAY") == 0) {
		free(im->jitter);
		im->jitter = NULL;
		if (value[strspn(value, "0123456789")] != '\0' ||
		    strlen(value) > 6)
			imp_bad(im, orig, "RANDOM_DELAY \"%s\" is not a number "
			    "of minutes", value);
		else if (strtol(value, NULL, 10) > 0)
			xasprintf(&im->jitter, "%ldm", strtol(value, NULL,
			    10));
	} else if (strcmp(name, "SHELL") == 0 && *value == '\0')
		imp_bad(im, orig, "SHELL is empty");
	else {
		if (strcmp(name, "MAILTO") == 0) {
			free(im->mailto);
			im->mailto = xstrdup(value);
		}
		imp_var_set(im, name, value);
	}
	free(name);
	free(value);
	return (1);
}

/*
 * CRON_TZ or TZ: the time zone of the entries after it (an empty value:
 * the daemon's).  Returns -1 if schedd has no such zone.
 */
static int
imp_zone(struct imp *im, const char *orig, const char *value, char **zone)
{
	const char	*z = *value == ':' ? value + 1 : value;

	if (*z != '\0' && !tz_valid(z)) {
		imp_bad(im, orig, "unknown time zone \"%s\"", z);
		return (-1);
	}
	free(*zone);
	*zone = *z != '\0' ? xstrdup(z) : NULL;
	return (0);
}

/* Set a variable for the entries after this line. */
static void
imp_var_set(struct imp *im, const char *name, const char *value)
{
	size_t	 i;

	for (i = 0; i < im->nvars; i++) {
		if (strcmp(im->vars[i].name, name) == 0) {
			free(im->vars[i].value);
			im->vars[i].value = xstrdup(value);
			return;
		}
	}
	im->vars = xreallocarray(im->vars, im->nvars + 1, sizeof *im->vars);
	im->vars[im->nvars].name = xstrdup(name);
	im->vars[im->nvars].value = xstrdup(value);
	im->nvars++;
}

/* A variable in effect, or NULL. */
static const char *
imp_var_get(struct imp *im, const char *name)
{
	size_t	 i;

	for (i = 0; i < im->nvars; i++) {
		if (strcmp(im->vars[i].name, name) == 0)
			return (im->vars[i].value);
	}
	return (NULL);
}

/* The next blank-separated word at *s (caller frees), or NULL. */
static char *
imp_word(const char **s)
{
	const char	*p = *s + strspn(*s, IMP_BLANKS);
	size_t		 len = strcspn(p, IMP_BLANKS);

	if (len == 0)
		return (NULL);
	*s = p + len;
	return (xstrndup(p, len));
}

/* An entry: times (or an @ word), the user of a system crontab, command. */
static void
imp_entry(struct imp *im, const char *s, const char *orig)
{
	struct cron	*c;
	const char	*p = s, *name;
	char		*f[5] = { NULL }, *expr = NULL, *user = NULL;
	char		*cmd = NULL, *why = NULL, *base;
	const char	*shell;
	int		 i, n = *s == '@' ? 1 : 5;

	for (i = 0; i < n; i++) {
		if ((f[i] = imp_word(&p)) == NULL)
			break;
	}
	if (i < n) {
		imp_bad(im, orig, "expected %s and a command", n == 1 ?
		    "an @ word" : "five time fields");
		goto out;
	}
	if (n == 1)
		expr = xstrdup(f[0]);
	else
		xasprintf(&expr, "%s %s %s %s %s", f[0], f[1], f[2], f[3],
		    f[4]);
	if (im->system && (user = imp_word(&p)) == NULL) {
		imp_bad(im, orig, "no user field (a system crontab)");
		goto out;
	}
	p += strspn(p, IMP_BLANKS);
	if (*p == '\0') {
		imp_bad(im, orig, "no command");
		goto out;
	}
	if (strcmp(expr, "@reboot") != 0) {
		if (cron_parse(expr, &c, &why, NULL) != 0) {
			imp_bad(im, orig, "bad time \"%s\": %s", expr, why);
			goto out;
		}
		cron_free(c);
	}
	cmd = imp_command(im, p, &shell, &base);
	name = imp_unique(im, base);
	imp_job(im, name, cmd, shell, expr, user != NULL ? user : im->user);

out:
	for (i = 0; i < 5; i++)
		free(f[i]);
	free(expr);
	free(user);
	free(cmd);
	free(why);
}

/*
 * The command of an entry as schedd runs it (caller frees).  Cron runs
 * the text before the first unescaped % with $SHELL -c (\% is a %), and
 * gives it the rest as standard input, each further unescaped % a
 * newline; schedd has no standard input to give, so the command pipes
 * it in.  *shell is the shell to run the result with, as [shell, -c,
 * result], or NULL for schedd's own /bin/sh -c; *base the job name the
 * command suggests (caller frees).
 */
static char *
imp_command(struct imp *im, const char *s, const char **shell, char **base)
{
	const char	*p, *sh;
	char		*cmd, *input = NULL, *o, *c, *qc, *qi, *out, ch;
	int		 escaped = 0;

	if ((sh = imp_var_get(im, "SHELL")) == NULL)
		sh = IMP_SHELL;
	o = cmd = xmalloc(strlen(s) + 1);
	for (p = s; *p != '\0' && (escaped || *p != '%'); p++) {
		if (escaped && *p != '%')
			*o++ = '\\';
		if (!escaped && *p == '\\')
			escaped = 1;
		else {
			*o++ = *p;
			escaped = 0;
		}
	}
	if (escaped)
		*o++ = '\\';
	*o++ = '\0';
	if (*p == '%') {
		/*
		 * Unlike in the command, a backslash escaped by another one
		 * escapes the next byte in turn: cron reads the input so.
		 */
		c = input = o;
		for (escaped = 0, p++; *p != '\0'; p++) {
			ch = *p;
			if (escaped && ch != '%')
				*c++ = '\\';
			else if (!escaped && ch == '%')
				ch = '\n';
			if (!(escaped = ch == '\\'))
				*c++ = ch;
		}
		if (escaped)
			*c++ = '\\';
		*c = '\0';
	}

	*base = imp_base(cmd);
	if (input == NULL) {
		*shell = strcmp(sh, IMP_SHELL) != 0 ? sh : NULL;
		return (cmd);
	}
	*shell = NULL;
	qi = imp_shq(input);
	qc = imp_shq(cmd);
	xasprintf(&out, "printf '%%s' %s | %s -c %s", qi, sh, qc);
	free(qi);
	free(qc);
	free(cmd);
	return (out);
}

/* s in single quotes for /bin/sh (caller frees). */
static char *
imp_shq(const char *s)
{
	char	*out, *o;

	o = out = xmalloc(strlen(s) * 4 + 3);
	*o++ = '\'';
	for (; *s != '\0'; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else
			*o++ = *s;
	}
	*o++ = '\'';
	*o = '\0';
	return (out);
}

/* Is the word of len bytes at w one of list? */
static int
imp_listed(const char *const *list, const char *w, size_t len)
{
	for (; *list != NULL; list++) {
		if (strlen(*list) == len && strncmp(*list, w, len) == 0)
			return (1);
	}
	return (0);
}

/*
 * The name a command suggests (caller frees): the folder run-parts runs,
 * else the first program run, passing over assignments, options, numbers,
 * keywords and wrappers such as nice, and whole "test", "[" and "cd"
 * commands; without its folder.
 */
static char *
imp_base(const char *cmd)
{
	const char	*ends = " \t'\"<>;|&(){}`", *p = cmd, *w, *b;
	const char	*use = NULL;
	size_t		 len, blen, ulen = 0;
	int		 start = 1, skip = 0, rp = 0;

	while (*(p += strspn(p, " \t'\"<>")) != '\0') {
		if (strchr(";|&(){}`", *p) != NULL) {
			start = 1;
			skip = 0;
			p++;
			continue;
		}
		w = p;
		len = strcspn(w, ends);
		p = w + len;
		for (b = p; b > w && b[-1] != '/'; b--)
			/* nothing */;
		blen = p - b;
		if (skip || *w == '-' || blen == 0)
			continue;
		if (rp)
			return (imp_sanitise(b, blen));
		if (!start || memchr(w, '=', len) != NULL ||
		    strspn(w, "0123456789") == len ||
		    imp_listed(imp_wrappers, w, len))
			continue;
		if (imp_listed(imp_skipped, w, len))
			skip = 1;
		else if (blen == 9 && strncmp(b, "run-parts", 9) == 0)
			rp = 1;
		else if (use == NULL) {
			use = b;
			ulen = blen;
		}
		start = 0;
	}
	return (imp_sanitise(use != NULL ? use : "job", use != NULL ? ulen :
	    3));
}

/*
 * The first len bytes of s as a job name (caller frees): other characters
 * become "-", runs of them one, and it starts with a letter or "_".
 */
static char *
imp_sanitise(const char *s, size_t len)
{
	char	*out, *o;
	size_t	 i;
	int	 c;

	o = out = xmalloc(len + 4);
	for (i = 0; i < len && o - out < NAME_MAX_LEN - 8; i++) {
		c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("_.@-", c) != NULL))
			c = '-';
		if (o == out && !((c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '_'))
			continue;
		if (c == '-' && o > out && o[-1] == '-')
			continue;
		*o++ = c;
	}
	while (o > out && strchr(".@-", o[-1]) != NULL)
		o--;
	if (o == out) {
		memcpy(o, "job", 3);
		o += 3;
	}
	*o = '\0';
	return (out);
}

/*
 * A job name not taken yet, made from base (which this frees): base, or
 * base-2, base-3 and so on.  The name lives as long as im.
 */
static const char *
imp_unique(struct imp *im, char *base)
{
	struct imp_base	*b;
	char		*name;

	if (hmap_sget(&im->names, base) == NULL) {
		hmap_sput(&im->names, base, base);
		return (base);
	}
	if ((b = hmap_sget(&im->bases, base)) == NULL) {
		b = xmalloc(sizeof *b + strlen(base) + 1);
		strcpy(b->base, base);
		b->n = 1;
		hmap_sput(&im->bases, b->base, b);
	}
	do {
		xasprintf(&name, "%s-%d", base, ++b->n);
		if (hmap_sget(&im->names, name) == NULL)
			break;
		free(name);
	} while (1);
	hmap_sput(&im->names, name, name);
	free(base);
	return (name);
}

/* The hook job mailing failures to MAILTO, made on first use. */
static const char *
imp_hook(struct imp *im)
{
	struct imp_hook	*h;
	char		*base;

	if ((h = hmap_sget(&im->hookmap, im->mailto)) != NULL)
		return (h->name);
	h = xmalloc(sizeof *h);
	h->mailto = xstrdup(im->mailto);
	xasprintf(&base, "mail-%s", im->mailto);
	h->name = imp_unique(im, imp_sanitise(base, strlen(base)));
	free(base);
	hmap_sput(&im->hookmap, h->mailto, h);
	im->hooks = xreallocarray(im->hooks, im->nhooks + 1,
	    sizeof *im->hooks);
	im->hooks[im->nhooks++] = h;
	return (h->name);
}

/* "    KEY: VALUE", VALUE quoted as it needs. */
static void
imp_key(struct imp *im, const char *key, const char *value)
{
	char	*q = yout_scalar(value);

	fprintf(im->out, "    %s: %s\n", key, q);
	free(q);
}

/* Write one job of an entry; expr is "@reboot" for "at: boot". */
static void
imp_job(struct imp *im, const char *name, const char *cmd,
    const char *shell, const char *expr, const char *user)
{
	char	*q, *k, *where;
	size_t	 i;

	/* Keys quoted too: a job named "true" or "null" stays a name. */
	q = yout_scalar(name);
	fprintf(im->out, "  %s:\n", q);
	free(q);
	xasprintf(&where, "%s:%lu", im->file, im->line);
	if ((q = yout_scalar(where)) != NULL)
		fprintf(im->out, "    description: %s\n", q);
	free(q);
	free(where);
	if (shell != NULL) {
		q = yout_scalar(shell);
		fprintf(im->out, "    command: [%s, \"-c\", ", q);
		free(q);
		q = yout_scalar(cmd);
		fprintf(im->out, "%s]\n", q);
		free(q);
	} else
		imp_key(im, "command", cmd);
	if (strcmp(expr, "@reboot") == 0)
		fprintf(im->out, "    at: boot\n");
	else {
		imp_key(im, "cron", expr);
		if (im->cron_tz != NULL || im->tz != NULL)
			imp_key(im, "timezone", im->cron_tz != NULL ?
			    im->cron_tz : im->tz);
	}
	if (user != NULL)
		imp_key(im, "user", user);
	if (im->jitter != NULL)
		imp_key(im, "jitter", im->jitter);
	if (im->nvars > 0)
		fprintf(im->out, "    env:\n");
	for (i = 0; i < im->nvars; i++) {
		k = yout_scalar(im->vars[i].name);
		q = yout_scalar(im->vars[i].value);
		fprintf(im->out, "      %s: %s\n", k, q);
		free(k);
		free(q);
	}
	if (im->mailto != NULL && *im->mailto == '\0')
		fprintf(im->out, "    on_failure: []\n");
	else if (im->mailto != NULL) {
		q = yout_scalar(imp_hook(im));
		fprintf(im->out, "    on_failure: [%s]\n", q);
		free(q);
	}
	im->njobs++;
}

/* The mail hook jobs, after the entries. */
static void
imp_hooks(struct imp *im)
{
	const char	*p, *e;
	char		*q;
	size_t		 i;

	for (i = 0; i < im->nhooks; i++) {
		q = yout_scalar(im->hooks[i]->name);
		fprintf(im->out, "\n  # Mails a failure, as cron's MAILTO "
		    "mailed output.\n  %s:\n", q);
		free(q);
		fprintf(im->out, "    command: |\n");
		for (p = imp_mail; *p != '\0'; p = e + 1) {
			e = strchr(p, '\n');
			fprintf(im->out, "      %.*s\n", (int)(e - p), p);
		}
		q = yout_scalar(im->hooks[i]->mailto);
		fprintf(im->out, "    timeout: 1m\n    env:\n"
		    "      MAILTO: %s\n", q);
		free(q);
		im->njobs++;
	}
}

/* Free what im holds. */
static void
imp_free(struct imp *im)
{
	size_t	 i;

	for (i = 0; i < im->nvars; i++) {
		free(im->vars[i].name);
		free(im->vars[i].value);
	}
	free(im->vars);
	for (i = 0; i < im->nhooks; i++)
		free(im->hooks[i]->mailto);
	free(im->hooks);
	hmap_clear_free(&im->hookmap, free);
	hmap_clear_free(&im->bases, free);
	hmap_clear_free(&im->names, free);
	free(im->cron_tz);
	free(im->tz);
	free(im->mailto);
	free(im->jitter);
	free(im->text);
}
