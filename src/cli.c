/* cli.c — helpers shared by the subcommands. See include/builtin.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "builtin.h"
#include "error.h"

int report_error(const struct ph_error *err)
{
	fprintf(stderr, "pyheat: %s\n", err->msg[0] ? err->msg : "unknown error");
	return err->code ? err->code : PH_ESYSTEM;
}

int parse_pid(const char *s)
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
