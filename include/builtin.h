/* builtin.h — pyheat's subcommands, one file each (src/builtin-*.c).
 *
 * Each takes the arguments after its own name (argv[0] is the subcommand)
 * and returns the process exit code (enum ph_exit). They print their own
 * output and, on failure, exactly one "pyheat: ..." line on stderr. */
#ifndef PYHEAT_BUILTIN_H
#define PYHEAT_BUILTIN_H

#include <stdint.h>

int cmd_dump(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_info(int argc, char **argv);
/* `attach` and its alias `top` (argv[0] names which, for messages) */
int cmd_attach(int argc, char **argv);

/* Shared by subcommands: print "pyheat: msg" for err and return its code. */
struct ph_error;
int report_error(const struct ph_error *err);

/* Report a getopt_long error (c is ':' or '?'; the option string must
 * start with "+:") as one line naming the word; returns PH_EUSAGE. */
int cli_option_error(const char *cmd, int c, int argc, char **argv);

/* The option values more than one subcommand takes. Each returns 0 when it
 * stored the value, or prints one "pyheat: CMD: ..." line and returns
 * PH_EUSAGE; so do the argument checks below them. */

/* --pid or --tid (name): a process or thread id into *out. */
int cli_id_option(const char *cmd, const char *name, const char *arg, int *out);
/* --rate: samples per second, 1..CLI_MAX_RATE_HZ, into *out. */
#define CLI_MAX_RATE_HZ 1000000
int cli_rate_option(const char *cmd, const char *arg, uint32_t *out);

/* The heatmap options of record and report (include/timeline.h, help text
 * TIMELINE_OPTIONS_HELP): CLI_HEAT_LONGOPTS goes into the getopt_long table
 * (codes from CLI_OPT_BY; a subcommand's own start at CLI_OPT_HEAT_END), and
 * a code for which cli_is_heat_option() holds goes to cli_heat_option(). */
enum {
	CLI_OPT_BY = 256, CLI_OPT_GRANULARITY, CLI_OPT_THREADS, CLI_OPT_TOP, CLI_OPT_WIDTH, CLI_OPT_HEIGHT,
	CLI_OPT_HEAT_END
};
#define CLI_HEAT_LONGOPTS \
	{ "by", required_argument, NULL, CLI_OPT_BY }, \
	{ "granularity", required_argument, NULL, CLI_OPT_GRANULARITY }, \
	{ "threads", no_argument, NULL, CLI_OPT_THREADS }, \
	{ "top", required_argument, NULL, CLI_OPT_TOP }, \
	{ "width", required_argument, NULL, CLI_OPT_WIDTH }, \
	{ "height", required_argument, NULL, CLI_OPT_HEIGHT }
static inline int cli_is_heat_option(int c)
{
	return c >= CLI_OPT_BY && c < CLI_OPT_HEAT_END;
}
struct timeline_opts;
int cli_heat_option(const char *cmd, int c, const char *arg, struct timeline_opts *o);

/* After the options of a subcommand that attaches (--pid) or launches
 * (-- COMMAND): the words left are the COMMAND (*command, NULL when none),
 * and exactly one of the two must be given. */
int cli_pid_or_command(const char *cmd, int pid, int argc, char **argv, char ***command);

/* The one FILE of a subcommand that reads a profile: options may come before
 * and after it. cli_file_arg() takes argv[optind] (where getopt_long
 * stopped) into *file and steps past it, refusing a second one;
 * cli_file_missing() is the error when there was none. */
int cli_file_arg(const char *cmd, char **argv, const char **file);
int cli_file_missing(const char *cmd);

#endif
