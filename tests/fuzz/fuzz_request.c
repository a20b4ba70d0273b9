/* SPDX-License-Identifier: ISC */

/*
 * Fuzz target: control requests (schedd.8, CONTROL PROTOCOL).  Each line
 * of the input is one request.
 *
 * First each line goes through cmd_decode, the command table's checks (as
 * an administrator and as not) and, for "add", the job validator; a job
 * that validates must come back the same from the JSON a saved runtime
 * job is written as.  Then the lines are sent, as a client would, to a
 * daemon started for this input (the jobs of fuzz_config_yaml, no saved
 * state), over its socket in a private folder, and every line it answers
 * must be a JSON object with "ok" or "event".  Nothing may crash, leak or
 * hang.
 *
 * No task ever starts (see fuzz-util.c), and requests that would undo
 * that or stop the daemon are not sent: "reload", "shutdown", and "set"
 * of max_running or log_level.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "fuzz.h"
#include "xmalloc.h"

#define FUZZ_IDLE_ROUNDS	8	/* loop turns with nothing to do */

struct fuzz_buf {
	char	*data;
	size_t	 len;
	size_t	 size;
};

static char	*fuzz_dir;
static char	*fuzz_conf;
static char	*fuzz_sock;

static int	 fuzz_request_line(const char *, size_t);
static void	 fuzz_request_job(json_t *);
static void	 fuzz_buf_add(struct fuzz_buf *, const void *, size_t);
static void	 fuzz_answers(struct fuzz_buf *);
static void	 fuzz_session(const char *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	signal(SIGPIPE, SIG_IGN);
	fuzz_dir = fuzz_tmpdir();
	fuzz_conf = fuzz_write(fuzz_dir, "schedd.yaml", fuzz_config_yaml,
	    strlen(fuzz_config_yaml));
	xasprintf(&fuzz_sock, "%s/sock", fuzz_dir);
	return (0);
}

static void
fuzz_buf_add(struct fuzz_buf *b, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (b->len + len > b->size) {
		b->size = b->len + len + 4096;
		b->data = xreallocarray(b->data, b->size, 1);
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

/* A job that validates is the same job once saved and read back. */
static void
fuzz_request_job(json_t *job)
{
	struct jobdef	*def, *back;
	json_t		*o;
	char		*cause, *s;

	if (jobdef_from_json(job, &def, &cause) != 0) {
		free(cause);
		return;
	}
	o = jobdef_to_json(def, NULL);
	json_object_set_new(o, "name", json_string(def->name));
	if (jobdef_from_json(o, &back, &cause) != 0) {
		s = json_dumps(o, JSON_COMPACT);
		fuzz_fail("job %s: saved as %s, it does not load: %s",
		    def->name, s, cause);
	}
	if (!jobdef_equal(def, back)) {
		s = json_dumps(o, JSON_COMPACT);
		fuzz_fail("job %s: saved as %s, it loads as another job",
		    def->name, s);
	}
	jobdef_unref(back);
	jobdef_unref(def);
	json_decref(o);
}

/*
 * Decode and check one line; returns 0 if it may be sent to the daemon,
 * -1 for the few that would stop it or let tasks start.
 */
static int
fuzz_request_line(const char *line, size_t len)
{
	const struct cmd_entry	*ce;
	const char		*name, *key;
	json_t			*req;
	char			*cause = NULL;
	int			 send = 0;

	if (cmd_decode(line, len, &req, &cause) != 0) {
		free(cause);
		json_decref(req);
		return (0);
	}
	name = json_string_value(json_object_get(req, "cmd"));
	if ((ce = cmd_find(name)) != NULL) {
		if (cmd_check(ce, req, 0, &cause) != PROTO_OK) {
			free(cause);
			cause = NULL;
		}
		if (cmd_check(ce, req, 1, &cause) == PROTO_OK &&
		    strcmp(name, "add") == 0)
			fuzz_request_job(json_object_get(req, "job"));
		free(cause);
	}
	key = json_string_value(json_object_get(req, "key"));
	if (strcmp(name, "reload") == 0 || strcmp(name, "shutdown") == 0 ||
	    (strcmp(name, "set") == 0 && key != NULL &&
	    (strcmp(key, "max_running") == 0 ||
	    strcmp(key, "log_level") == 0)))
		send = -1;
	json_decref(req);
	return (send);
}

/* Check every complete line the daemon sent; keep a partial one. */
static void
fuzz_answers(struct fuzz_buf *in)
{
	json_error_t	 err;
	json_t		*a;
	char		*nl, *line = in->data;
	size_t		 left = in->len;

	if (left == 0)
		return;
	while ((nl = memchr(line, '\n', left)) != NULL) {
		a = json_loadb(line, (size_t)(nl - line), 0, &err);
		if (a == NULL || !json_is_object(a) ||
		    (!json_is_boolean(json_object_get(a, "ok")) &&
		    !json_is_string(json_object_get(a, "event"))))
			fuzz_fail("the daemon answered \"%.*s\"",
			    (int)(nl - line), line);
		json_decref(a);
		left -= (size_t)(nl - line) + 1;
		line = nl + 1;
	}
	memmove(in->data, line, left);
	in->len = left;
}

/* Send the lines to a new daemon and read what it answers. */
static void
fuzz_session(const char *out, size_t outlen)
{
	struct sockaddr_un	 sun;
	struct fuzz_buf		 in = { NULL, 0, 0 };
	char			 buf[65536];
	size_t			 off = 0;
	ssize_t			 n;
	int			 fd, idle = 0, eof = 0, progress;

	fuzz_daemon_start(fuzz_conf, fuzz_dir, 0);
	sd.loading = 0;
	sched_restore_all();
	if (server_listen(fuzz_sock, 0600, NULL) != 0)
		fuzz_fail("listen %s: %s", fuzz_sock, strerror(errno));

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fuzz_fail("socket: %s", strerror(errno));
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", fuzz_sock);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		fuzz_fail("connect %s: %s", fuzz_sock, strerror(errno));
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		fuzz_fail("fcntl: %s", strerror(errno));
	if (outlen == 0)
		shutdown(fd, SHUT_WR);

	/* Until the daemon closes, or nothing happens for a while. */
	while (!eof && idle < FUZZ_IDLE_ROUNDS) {
		progress = 0;
		if (off < outlen) {
			n = write(fd, out + off, outlen - off);
			if (n > 0) {
				off += (size_t)n;
				progress = 1;
				if (off == outlen)
					shutdown(fd, SHUT_WR);
			} else if (n == -1 && errno == EPIPE)
				off = outlen;
		}
		event_base_loop(sd.base, EVLOOP_NONBLOCK);
		while ((n = read(fd, buf, sizeof buf)) > 0) {
			fuzz_buf_add(&in, buf, (size_t)n);
			progress = 1;
		}
		if (n == 0)
			eof = 1;
		fuzz_answers(&in);
		idle = progress ? 0 : idle + 1;
	}
	close(fd);
	free(in.data);
	fuzz_daemon_stop();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_buf	 out = { NULL, 0, 0 };
	const char	*line = (const char *)data, *end = line + size, *nl;

	for (; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		if (fuzz_request_line(line, (size_t)(nl - line)) == 0) {
			fuzz_buf_add(&out, line, (size_t)(nl - line));
			fuzz_buf_add(&out, "\n", 1);
		}
	}
	fuzz_session(out.data, out.len);
	free(out.data);
	return (0);
}
