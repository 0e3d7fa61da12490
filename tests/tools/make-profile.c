/* make-profile — write a raw profile (include/profile.h) from a text script,
 * through the real prof_writer, so tests can make files with known stacks,
 * threads, counts and hostile names (tests/test_report.py).
 *
 *   make-profile OUT < SCRIPT
 *
 * One command per line; strings are hex-encoded bytes ("-" for empty):
 *   meta KEY VALUE      before anything else; KEY one of pid rate start
 *                       (decimal) or cmdline exe python mode host version (hex)
 *   string ID HEX
 *   func ID NAME_ID FILE_ID FIRSTLINE
 *   frame ID FUNC_ID LINE
 *   stack ID FRAME_ID...        innermost first (none: an empty stack)
 *   thread ID PID TID NAME_ID
 *   source FILE_ID HEX
 *   sample T_NS THREAD_ID STACK_ID FLAGS
 *   counts ERRORS DROPS
 *   flush
 *   close DURATION_NS           write the trailer (a complete file)
 *   abort                       stop without the trailer (a file cut short)
 * Exits 0, or 1 naming the first line the writer refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

#define MAXTOK 4096

static char *unhex(const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *out = malloc(n / 2 + 1);
	if (!out)
		return NULL;
	*len = 0;
	if (strcmp(s, "-") != 0) {
		if (n % 2)
			goto bad;
		for (size_t i = 0; i < n; i += 2) {
			unsigned v;
			if (sscanf(s + i, "%2x", &v) != 1)
				goto bad;
			out[(*len)++] = (char)v;
		}
	}
	out[*len] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static unsigned long long num(const char *s)
{
	return strtoull(s, NULL, 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make-profile OUT < SCRIPT\n");
		return 64;
	}
	struct prof_meta meta = { 0 };
	struct prof_writer *w = NULL;
	struct ph_error err = { 0 };
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, done = 0;
	static char *tok[MAXTOK];
	while (getline(&line, &cap, stdin) > 0) {
		lineno++;
		int nt = 0;
		for (char *t = strtok(line, " \t\r\n"); t && nt < MAXTOK; t = strtok(NULL, " \t\r\n"))
			tok[nt++] = t;
		if (nt == 0 || tok[0][0] == '#')
			continue;
		const char *cmd = tok[0];
		int rc = 0;
		if (!strcmp(cmd, "meta") && nt == 3) {
			size_t len;
			const char *k = tok[1];
			if (!strcmp(k, "pid")) meta.pid = (pid_t)num(tok[2]);
			else if (!strcmp(k, "rate")) meta.rate_hz = (uint32_t)num(tok[2]);
			else if (!strcmp(k, "start")) meta.start_unix_ns = (int64_t)num(tok[2]);
			else {
				char *v = unhex(tok[2], &len);
				if (!v) rc = -1;
				else if (!strcmp(k, "cmdline")) meta.cmdline = v;
				else if (!strcmp(k, "exe")) meta.exe = v;
				else if (!strcmp(k, "python")) meta.python_version = v;
				else if (!strcmp(k, "mode")) meta.mode = v;
				else if (!strcmp(k, "host")) meta.host = v;
				else if (!strcmp(k, "version")) meta.pyheat_version = v;
				else { free(v); rc = -1; }
			}
			if (rc < 0) {
				fprintf(stderr, "make-profile: line %d: bad meta\n", lineno);
				return 1;
			}
			continue;
		}
		if (!w) {
			w = prof_writer_open(argv[1], &meta, &err);
			if (!w) {
				fprintf(stderr, "make-profile: %s\n", err.msg);
				return 1;
			}
		}
		if (done) {
			fprintf(stderr, "make-profile: line %d: after close/abort\n", lineno);
			return 1;
		}
		if (!strcmp(cmd, "string") && nt == 3) {
			size_t len;
			char *v = unhex(tok[2], &len);
			rc = v ? prof_write_string(w, (uint32_t)num(tok[1]), v) : -1;
			free(v);
		} else if (!strcmp(cmd, "func") && nt == 5) {
			rc = prof_write_func(w, (uint32_t)num(tok[1]), (uint32_t)num(tok[2]), (uint32_t)num(tok[3]),
			                     atoi(tok[4]));
		} else if (!strcmp(cmd, "frame") && nt == 4) {
			rc = prof_write_frame(w, (uint32_t)num(tok[1]), (uint32_t)num(tok[2]), atoi(tok[3]));
		} else if (!strcmp(cmd, "stack") && nt >= 2) {
			uint32_t frames[MAXTOK];
			for (int i = 2; i < nt; i++)
				frames[i - 2] = (uint32_t)num(tok[i]);
			rc = prof_write_stack(w, (uint32_t)num(tok[1]), frames, (uint32_t)(nt - 2));
		} else if (!strcmp(cmd, "thread") && nt == 5) {
			rc = prof_write_thread(w, (uint32_t)num(tok[1]), (pid_t)num(tok[2]), (pid_t)num(tok[3]),
			                       (uint32_t)num(tok[4]));
		} else if (!strcmp(cmd, "source") && nt == 3) {
			size_t len;
			char *v = unhex(tok[2], &len);
			rc = v ? prof_write_source(w, (uint32_t)num(tok[1]), v, len) : -1;
			free(v);
		} else if (!strcmp(cmd, "sample") && nt == 5) {
			rc = prof_write_sample(w, num(tok[1]), (uint32_t)num(tok[2]), (uint32_t)num(tok[3]),
			                       (uint32_t)num(tok[4]));
		} else if (!strcmp(cmd, "counts") && nt == 3) {
			rc = prof_write_counts(w, num(tok[1]), num(tok[2]));
		} else if (!strcmp(cmd, "flush") && nt == 1) {
			rc = prof_writer_flush(w);
		} else if (!strcmp(cmd, "close") && nt == 2) {
			rc = prof_writer_close(w, num(tok[1]), &err);
			w = NULL;
			done = 1;
		} else if (!strcmp(cmd, "abort") && nt == 1) {
			prof_writer_abort(w);
			w = NULL;
			done = 1;
		} else {
			fprintf(stderr, "make-profile: line %d: unknown command or wrong arguments\n", lineno);
			return 1;
		}
		if (rc < 0) {
			fprintf(stderr, "make-profile: line %d: the writer refused '%s'%s%s\n", lineno, cmd,
			        err.msg[0] ? ": " : "", err.msg);
			return 1;
		}
	}
	free(line);
	if (w) {
		fprintf(stderr, "make-profile: the script ends without close or abort\n");
		prof_writer_abort(w);
		return 1;
	}
	free(meta.cmdline);
	free(meta.exe);
	free(meta.python_version);
	free(meta.mode);
	free(meta.host);
	free(meta.pyheat_version);
	return 0;
}
