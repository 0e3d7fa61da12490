/* main.c — pyheat's entry point: dispatch to a subcommand (builtin-*.c). */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "error.h"

#define PYHEAT_VERSION "0.1.0"

static const char usage[] =
	"usage: pyheat COMMAND [OPTIONS]\n"
	"\n"
	"An out-of-process sampling profiler for CPython 2.7 and 3.6-3.15.\n"
	"\n"
	"Commands:\n"
	"  dump --pid PID [--json] [--locals] [--blocking]\n"
	"                                       print every thread's Python stack\n"
	"  record (--pid PID | -- COMMAND...) [-o STEM] [-f FORMATS] [--rate HZ]\n"
	"         [--duration S] [--mode cpu|wall|gil] [--subprocesses] [--blocking]\n"
	"         [--no-raw] [--by own|total] [--granularity function|line]\n"
	"         [--threads] [--top N] [--width PX] [--height PX]\n"
	"                                       sample a process into a raw profile;\n"
	"                                       -f also writes collapsed, speedscope,\n"
	"                                       chrome, html, svg or png (see report)\n"
	"  report FILE [-f FORMATS] [-o STEM] [--from S] [--to S] [--pid P] [--tid T]\n"
	"         [--by own|total] [--granularity function|line] [--threads] [--top N]\n"
	"         [--width PX] [--height PX]\n"
	"                                       write a recording as collapsed stacks,\n"
	"                                       speedscope or chrome trace JSON, an html\n"
	"                                       report, an svg flame graph or a png\n"
	"                                       heatmap (time x function)\n"
	"  info FILE [--json]                   a recording's metadata, counts and top functions\n"
	"  attach (--pid PID | -- COMMAND...) [-o STEM] [--rate HZ] [--mode cpu|wall|gil]\n"
	"         [--subprocesses] [--blocking] [--refresh S] [--window S]\n"
	"                                       watch a process live in the terminal\n"
	"  top (--pid PID | -- COMMAND...) [-o STEM] [--rate HZ] [--mode cpu|wall|gil]\n"
	"      [--subprocesses] [--blocking] [--refresh S] [--window S]\n"
	"                                       the same as attach\n"
	"\n"
	"Options:\n"
	"  -h, --help      show this help (pyheat COMMAND --help for a command's options)\n"
	"  -V, --version   show pyheat's version\n"
	"\n"
	"Exit codes: 0 success, 64 bad options, 65 no such process, 66 not a Python\n"
	"process, 67 unsupported CPython build, 68 permission denied, 69 the target\n"
	"exited, 70 corrupt input file, 71 system error, 72 no terminal, 73 unreadable\n"
	"target memory.\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("pyheat: no command given (see 'pyheat --help')\n", stderr);
		return PH_EUSAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("pyheat %s\n", PYHEAT_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "dump"))
		return cmd_dump(argc - 1, argv + 1);
	if (!strcmp(cmd, "record"))
		return cmd_record(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(cmd, "attach") || !strcmp(cmd, "top"))
		return cmd_attach(argc - 1, argv + 1);
	fprintf(stderr, "pyheat: unknown command '%s' (see 'pyheat --help')\n", cmd);
	return PH_EUSAGE;
}
