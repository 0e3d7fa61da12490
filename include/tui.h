/* tui.h — the screen of `pyheat attach` / `pyheat top` (ncursesw).
 *
 * The screen owns the view state (mode, rows, sort, thread, filter,
 * selection, drill-down path) and turns keys into it; builtin-attach.c owns
 * the session and asks tui_query() what to compute, then tui_draw()s the
 * result. Everything runs on the main thread; the screen never touches the
 * sampler or the aggregator.
 *
 * Drawing is erase + draw + one doupdate (curses sends only what changed:
 * no flicker). Names from the target go through the same rules as
 * stats_put_text: control characters (C0, DEL, C1) as \xNN / \u00NN,
 * invalid UTF-8 as \xNN, and characters of no width (format controls such
 * as bidi overrides, combining marks) as \uNNNN; outside a UTF-8 locale
 * every non-ASCII character as \uNNNN; nothing the target chose is ever
 * written raw. Colour: truecolour when terminfo has direct colour, else
 * 256 colours, else (8 colours, monochrome, NO_COLOR set) shading
 * characters for the heatmap. */
#ifndef PYHEAT_TUI_H
#define PYHEAT_TUI_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "live.h"

enum tui_action {
	TUI_NONE,        /* nothing (timeout, or a key that changed nothing) */
	TUI_REDRAW,      /* the view changed: compute and draw again */
	TUI_QUIT,        /* q */
	TUI_PAUSE,       /* p: pause or resume */
	TUI_RESET,       /* r */
	TUI_SNAPSHOT,    /* s */
};

/* The header's figures (builtin-attach.c fills it each refresh). */
struct tui_header {
	const char *cmd;             /* "attach" or "top" */
	pid_t pid;
	const char *command, *python;   /* command: untrusted */
	double uptime_s;             /* < 0: unknown */
	double cpu_pct;              /* the target's CPU, % of one core; < 0 unknown */
	double rss_bytes;            /* < 0 unknown */
	int threads;                 /* OS threads; < 0 unknown */
	int gil_known;               /* the build has a GIL (not free-threaded) */
	double rate_hz;              /* achieved ticks per second */
	uint32_t rate_wanted;
	uint64_t samples, errors, drops, lost;
	uint64_t processes;          /* processes sampled so far */
	double self_cpu_pct;         /* all of pyheat, % of one core */
	double ui_cpu_pct;           /* the UI thread alone */
	unsigned window_s;
	int paused;
	const char *ended;           /* "process exited (status 0)", or NULL while it runs */
	const char *recording;       /* -o's raw file, or NULL */
};

struct tui;

/* Is there a terminal pyheat can draw on (stdin and stdout a tty, TERM
 * known to terminfo)? 0, or -1 with PH_ENOTTY. Call before attaching. */
int tui_check_terminal(struct ph_error *err);

/* Take over the terminal (alternate screen, no echo, keypad). The caller
 * has set LC_CTYPE from the environment. */
struct tui *tui_open(enum live_mode mode, unsigned window_s, struct ph_error *err);
/* Give the terminal back exactly as it was, and free t (NULL is fine). */
void tui_close(struct tui *t);

/* Wait up to timeout_ms for a key and apply it. */
enum tui_action tui_input(struct tui *t, int timeout_ms);

/* What to compute for the screen as it is now, the window ending at to_s. */
void tui_query(struct tui *t, uint64_t to_s, struct live_query *q);

/* Draw r (which, with v, must stay valid until the next tui_draw or
 * tui_close: keys such as t and Enter read it). */
void tui_draw(struct tui *t, const struct tui_header *h, const struct live_view *v,
              const struct live_result *r);

/* A one-line message in the status line for a few seconds (printf format;
 * shown through the same cleaning as names). */
void tui_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
