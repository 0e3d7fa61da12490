/* cli.c — helpers shared by the subcommands. See include/builtin.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "error.h"
#include "timeline.h"

int report_error(const struct ph_error *err)
{
	fprintf(stderr, "pyheat: %s\n", err->msg[0] ? err->msg : "unknown error");
	return err->code ? err->code : PH_ESYSTEM;
}

/* A PID (or TID) argument; -1 when malformed. */
static int parse_pid(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v <= 0 || v > 0x7fffffff)
		return -1;
	return (int)v;
}

int cli_option_error(const char *cmd, int c, int argc, char **argv)
{
	/* getopt_long with a leading ':' in the option string returns ':' for a
	 * missing argument and '?' for an unknown option; optind has moved past
	 * the offending word unless it was the last one */
	const char *word = optind - 1 < argc ? argv[optind - 1] : "";
	if (c == ':')
		fprintf(stderr, "pyheat: %s: option '%s' needs a value (see 'pyheat %s --help')\n",
		        cmd, word, cmd);
	else
		fprintf(stderr, "pyheat: %s: unknown option '%s' (see 'pyheat %s --help')\n", cmd, word, cmd);
	return PH_EUSAGE;
}

int cli_id_option(const char *cmd, const char *name, const char *arg, int *out)
{
	int v = parse_pid(arg);
	if (v < 0) {
		fprintf(stderr, "pyheat: %s: --%s needs a %s id, not '%s'\n", cmd, name,
		        strcmp(name, "tid") ? "process" : "thread", arg);
		return PH_EUSAGE;
	}
	*out = v;
	return 0;
}

int cli_rate_option(const char *cmd, const char *arg, uint32_t *out)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*end || v < 1 || v > CLI_MAX_RATE_HZ) {
		fprintf(stderr, "pyheat: %s: --rate must be 1..%d samples per second\n", cmd, CLI_MAX_RATE_HZ);
		return PH_EUSAGE;
	}
	*out = (uint32_t)v;
	return 0;
}

int cli_heat_option(const char *cmd, int c, const char *arg, struct timeline_opts *o)
{
	/* by CLI_OPT_* code; --threads takes no value */
	static const char *const names[] = { "by", "granularity", "", "top", "width", "height" };
	if (c == CLI_OPT_THREADS) {
		o->threads = 1;
		return 0;
	}
	return timeline_parse_option(cmd, names[c - CLI_OPT_BY], arg, o);
}

int cli_pid_or_command(const char *cmd, int pid, int argc, char **argv, char ***command)
{
	*command = optind < argc ? argv + optind : NULL;
	if ((pid < 0) == (*command == NULL)) {
		fprintf(stderr, "pyheat: %s: give either --pid PID or -- COMMAND (see 'pyheat %s --help')\n", cmd,
		        cmd);
		return PH_EUSAGE;
	}
	return 0;
}

int cli_file_arg(const char *cmd, char **argv, const char **file)
{
	if (*file) {
		fprintf(stderr, "pyheat: %s: unexpected argument '%s' (see 'pyheat %s --help')\n", cmd, argv[optind],
		        cmd);
		return PH_EUSAGE;
	}
	*file = argv[optind++];
	return 0;
}

int cli_file_missing(const char *cmd)
{
	fprintf(stderr, "pyheat: %s: FILE is required (see 'pyheat %s --help')\n", cmd, cmd);
	return PH_EUSAGE;
}
