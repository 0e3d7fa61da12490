/* builtin.h — pyheat's subcommands, one file each (src/builtin-*.c).
 *
 * Each takes the arguments after its own name (argv[0] is the subcommand)
 * and returns the process exit code (enum ph_exit). They print their own
 * output and, on failure, exactly one "pyheat: ..." line on stderr. */
#ifndef PYHEAT_BUILTIN_H
#define PYHEAT_BUILTIN_H

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

/* Parse a PID argument; returns it, or -1 when malformed. */
int parse_pid(const char *s);

#endif
