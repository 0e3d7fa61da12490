/* cli.c — helpers shared by the subcommands. See include/builtin.h. */
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
