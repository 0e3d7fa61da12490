/* tui-term.c — tui_check_terminal (include/tui.h), apart from tui.c because
 * <term.h> defines macros (lines, columns, ...) that clash with ordinary
 * names. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "error.h"

int tui_check_terminal(struct ph_error *err);

int tui_check_terminal(struct ph_error *err)
{
	if (!isatty(0) || !isatty(1))
		return ph_fail(err, PH_ENOTTY,
		               "the live view needs a terminal (standard input and output are not one); "
		               "to profile without one, use 'pyheat record'");
	const char *term = getenv("TERM");
	if (!term || !*term || !strcmp(term, "dumb"))
		return ph_fail(err, PH_ENOTTY,
		               "the live view needs a terminal that can move the cursor (TERM is %s); "
		               "to profile without one, use 'pyheat record'",
		               term && *term ? "dumb" : "not set");
	int errret = 0;
	TERMINAL *saved = cur_term;
	if (setupterm(NULL, 1, &errret) != OK)
		return ph_fail(err, PH_ENOTTY,
		               "terminal type '%.60s' is not known to terminfo; set TERM (xterm-256color, "
		               "screen, linux, vt100) or use 'pyheat record'",
		               term);
	TERMINAL *mine = cur_term;
	set_curterm(saved);
	del_curterm(mine);
	return 0;
}
