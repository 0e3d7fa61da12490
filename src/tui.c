/* tui.c — the screen of `pyheat attach` / `pyheat top`. See include/tui.h.
 *
 * Layout, top to bottom:
 *   header (2 lines): the target and the sampling figures
 *   status (1 line):  PAUSED / process exited / messages / the filter prompt
 *   heatmap:          a title, the hottest rows x the last seconds, an axis
 *   table or drill-down (the rest)
 *   footer (1 line):  the keys
 * Small terminals drop the heatmap first; below MIN_COLS x MIN_LINES only a
 * one-line note is drawn. */
#include <curses.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "heatmap.h"
#include "stats.h"
#include "tui.h"

#define MIN_COLS   40
#define MIN_LINES  10
#define MSG_SECONDS 6.0
#define FILTER_MAX 120
#define DRILL_DEPTH 64
#define TEXT_CAP   4096

/* colour pairs */
#define PAIR_HEAD   1
#define PAIR_STATUS 2
#define PAIR_TITLE  3
#define PAIR_DIM    4
#define PAIR_HEAT0  16
#define LEVELS_256    24
#define LEVELS_DIRECT 48

enum colour_kind { COL_NONE, COL_8, COL_256, COL_DIRECT };

/* One line of the drill-down list. */
enum drill_kind { DK_HEAD, DK_CALLER, DK_CALLEE, DK_LINE, DK_NOTE };

struct tui {
	SCREEN *scr;
	int open;
	enum colour_kind colour;
	int levels;                  /* heat colour levels (colour modes) */
	int utf8;

	/* the view */
	enum live_mode mode;
	int lines;
	int64_t thread;              /* the aggregator's thread id, -1 all */
	enum live_sort sort;
	char filter[FILTER_MAX + 8];
	char filter_saved[FILTER_MAX + 8];
	int editing;
	int help;
	unsigned window;
	int session;                 /* the whole session, not the last `window` seconds */

	/* the table's selection: a row index, followed by its key across refreshes */
	size_t sel, top;
	int have_key;
	uint32_t key_func;
	int32_t key_line;
	int table_rows;              /* rows the table showed last (paging) */

	/* drill-down: the path of functions, and the selected line of the list */
	int64_t drill[DRILL_DEPTH];
	int ndrill;
	size_t dsel, dtop;

	/* the last result drawn (the caller keeps it valid) */
	const struct live_result *last;
	const struct live_view *lastv;

	char msg[512];
	double msg_until;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* ---- text ------------------------------------------------------------------ */

static uint32_t utf8_decode(const unsigned char *p, int n)
{
	if (n == 1)
		return p[0];
	uint32_t cp = p[0] & (0x7fu >> n);
	for (int i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3fu);
	return cp;
}

/* s made safe to show: printable characters as they are, every other one
 * as an ASCII escape (include/tui.h). Returns 1 when out was too small
 * (the text is cut: show it as shortened). */
static int clean_text(const char *s, char *out, size_t cap, int utf8)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0;
	while (*p) {
		if (o + 12 >= cap) {
			out[o] = '\0';
			return 1;
		}
		int n = stats_utf8_len(p);
		if (n == 0) {
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", *p);
			p++;
			continue;
		}
		uint32_t cp = utf8_decode(p, n);
		if (cp < 0x20 || cp == 0x7f) {
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", (unsigned)cp);
		} else if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp <= 0x9f) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", (unsigned)cp);
		} else if (!utf8 || wcwidth((wchar_t)cp) <= 0) {
			o += (size_t)snprintf(out + o, cap - o, cp > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)cp);
		} else {
			memcpy(out + o, p, (size_t)n);
			o += (size_t)n;
		}
		p += n;
	}
	out[o] = '\0';
	return 0;
}

/* The width of the character of a cleaned string at s (n bytes). */
static int char_width(const unsigned char *s, int n)
{
	if (n <= 1)
		return 1;
	int w = wcwidth((wchar_t)utf8_decode(s, n));
	return w > 0 ? w : 1;
}

static int char_len(const unsigned char *s)
{
	int n = stats_utf8_len(s);
	return n > 0 ? n : 1;
}

static int text_width(const char *s)
{
	int w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = char_len(p);
		w += char_width(p, n);
		p += n;
	}
	return w;
}

/* Draw cleaned text at the cursor in at most maxw columns: shortened with
 * an ellipsis at the end (or, left_cut, at the start) when it does not
 * fit. Returns the columns used. */
static int put_fit(struct tui *t, const char *s, int maxw, int cut, int left_cut)
{
	if (maxw <= 0)
		return 0;
	const char *ell = t->utf8 ? "\xe2\x80\xa6" : "~";
	int total = text_width(s);
	if (total <= maxw && !cut) {
		addstr(s);
		return total;
	}
	if (maxw == 1) {
		addstr(ell);
		return 1;
	}
	const unsigned char *p = (const unsigned char *)s;
	if (!left_cut) {
		int w = 0;
		const unsigned char *q = p;
		while (*q) {
			int n = char_len(q), cw = char_width(q, n);
			if (w + cw > maxw - 1)
				break;
			w += cw;
			q += n;
		}
		addnstr(s, (int)(q - p));
		addstr(ell);
		return w + 1;
	}
	/* keep the end: skip characters until the rest fits */
	int w = total;
	while (*p && w > maxw - 1) {
		int n = char_len(p);
		w -= char_width(p, n);
		p += n;
	}
	addstr(ell);
	addstr((const char *)p);
	return w + 1;
}

/* Untrusted (or any) text at (y, x), at most maxw columns. */
static int put_text(struct tui *t, int y, int x, const char *raw, int maxw, int left_cut)
{
	char buf[TEXT_CAP];
	int cut = clean_text(raw, buf, sizeof buf, t->utf8);
	move(y, x);
	return put_fit(t, buf, maxw, cut, left_cut);
}

/* printf-formatted text (pyheat's own, still cleaned) at (y, x). */
static int put_fmt(struct tui *t, int y, int x, int maxw, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int put_fmt(struct tui *t, int y, int x, int maxw, const char *fmt, ...)
{
	char raw[TEXT_CAP];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	return put_text(t, y, x, raw, maxw, 0);
}

static void fill_line(int y, int x, int w)
{
	move(y, x);
	for (int i = 0; i < w; i++)
		addch(' ');
}

static void fmt_duration(char *buf, size_t len, double s)
{
	if (s < 0)
		snprintf(buf, len, "?");
	else if (s < 10)
		snprintf(buf, len, "%.2fs", s);
	else if (s < 60)
		snprintf(buf, len, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
}

static void fmt_count(char *buf, size_t len, uint64_t n)
{
	if (n < 100000)
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else if (n < 100000000ULL)
		snprintf(buf, len, "%.1fk", (double)n / 1e3);
	else
		snprintf(buf, len, "%.1fM", (double)n / 1e6);
}

static void fmt_bytes(char *buf, size_t len, double b)
{
	if (b < 0)
		snprintf(buf, len, "?");
	else if (b < 1024 * 1024)
		snprintf(buf, len, "%.0f KiB", b / 1024);
	else if (b < 1024.0 * 1024 * 1024)
		snprintf(buf, len, "%.1f MiB", b / (1024 * 1024));
	else
		snprintf(buf, len, "%.2f GiB", b / (1024.0 * 1024 * 1024));
}

/* ---- colour ------------------------------------------------------------------ */

/* The xterm-256 colour nearest to rgb (the 6x6x6 cube or the grey ramp). */
static int nearest_256(uint32_t rgb)
{
	static const int cube[6] = { 0, 95, 135, 175, 215, 255 };
	int c[3] = { (int)(rgb >> 16) & 255, (int)(rgb >> 8) & 255, (int)rgb & 255 };
	int idx[3];
	long dcube = 0;
	for (int k = 0; k < 3; k++) {
		int best = 0;
		for (int i = 1; i < 6; i++)
			if (abs(cube[i] - c[k]) < abs(cube[best] - c[k]))
				best = i;
		idx[k] = best;
		dcube += (long)(cube[best] - c[k]) * (cube[best] - c[k]);
	}
	int grey = (c[0] + c[1] + c[2]) / 3, gi = (grey - 8 + 5) / 10;
	if (gi < 0)
		gi = 0;
	if (gi > 23)
		gi = 23;
	int gv = 8 + 10 * gi;
	long dgrey = 0;
	for (int k = 0; k < 3; k++)
		dgrey += (long)(gv - c[k]) * (gv - c[k]);
	if (dgrey < dcube)
		return 232 + gi;
	return 16 + 36 * idx[0] + 6 * idx[1] + idx[2];
}

static void setup_colour(struct tui *t)
{
	const char *nc = getenv("NO_COLOR");
	t->colour = COL_NONE;
	if ((nc && *nc) || !has_colors())
		return;
	if (start_color() == ERR)
		return;
	use_default_colors();
	t->colour = COL_8;
	init_pair(PAIR_HEAD, COLOR_WHITE, COLOR_BLUE);
	init_pair(PAIR_STATUS, COLOR_YELLOW, -1);
	init_pair(PAIR_TITLE, COLOR_CYAN, -1);
	init_pair(PAIR_DIM, COLOR_BLUE, -1);
	if (COLORS >= 0x1000000 && COLOR_PAIRS > PAIR_HEAT0 + LEVELS_DIRECT) {
		t->levels = LEVELS_DIRECT;
		for (int i = 0; i < t->levels; i++)
			if (init_extended_pair(PAIR_HEAT0 + i, -1, (int)heatmap_colour((double)i / (t->levels - 1))) ==
			    ERR)
				return;
		t->colour = COL_DIRECT;
	} else if (COLORS >= 256 && COLOR_PAIRS > PAIR_HEAT0 + LEVELS_256) {
		t->levels = LEVELS_256;
		for (int i = 0; i < t->levels; i++)
			if (init_pair(PAIR_HEAT0 + i, -1,
			              (short)nearest_256(heatmap_colour((double)i / (t->levels - 1)))) == ERR)
				return;
		t->colour = COL_256;
	}
}

/* The header's and footer's look without colour: reverse video. */
static attr_t head_attr(const struct tui *t)
{
	return t->colour == COL_NONE ? A_REVERSE : A_NORMAL;
}

static void attr_pair(struct tui *t, int pair, attr_t extra)
{
	attr_t a = extra;
	if (t->colour != COL_NONE && pair)
		a |= COLOR_PAIR(pair);
	attrset(a);
}

/* ---- terminal (tui_check_terminal: src/tui-term.c) ---------------------------- */

struct tui *tui_open(enum live_mode mode, unsigned window_s, struct ph_error *err)
{
	struct tui *t = calloc(1, sizeof *t);
	if (!t) {
		ph_fail(err, PH_ESYSTEM, "out of memory");
		return NULL;
	}
	const char *cs = nl_langinfo(CODESET);
	t->utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	t->mode = mode;
	t->window = window_s;
	t->thread = -1;
	t->sort = LIVE_BY_OWN;
	t->scr = newterm(NULL, stdout, stdin);
	if (!t->scr) {
		free(t);
		ph_fail(err, PH_ENOTTY, "cannot use the terminal (TERM=%.60s)", getenv("TERM") ? getenv("TERM") : "");
		return NULL;
	}
	set_term(t->scr);
	t->open = 1;
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	curs_set(0);
	setup_colour(t);
	return t;
}

void tui_close(struct tui *t)
{
	if (!t)
		return;
	if (t->open) {
		curs_set(1);
		endwin();
		delscreen(t->scr);
		t->open = 0;
	}
	free(t);
}

void tui_message(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	va_end(ap);
	t->msg_until = now_s() + MSG_SECONDS;
}

/* ---- layout ------------------------------------------------------------------ */

struct layout {
	int lines, cols;
	int heat_y, heat_rows;       /* the title line is heat_y, rows from heat_y + 1 */
	int label_w, value_w, cell_w, ncols, plot_x;
	int table_y, table_h;        /* the table's heading line, then table_h rows */
};

static void layout(const struct tui *t, struct layout *L)
{
	memset(L, 0, sizeof *L);
	L->lines = LINES;
	L->cols = COLS;
	int free_lines = L->lines - 5;     /* header 2, status 1, footer 1, table heading 1 */
	int hr = 0;
	if (L->lines >= 16 && L->cols >= 60) {
		hr = (free_lines - 2) / 3;
		if (hr > 10)
			hr = 10;
		if (hr < 2)
			hr = 0;
	}
	L->heat_y = 3;
	L->heat_rows = hr;
	if (hr) {
		/* label | cells | value: the cells get what a 16..40 column label
		 * leaves, the label then what the cells leave (up to 60) */
		L->value_w = 8;
		int label_min = L->cols / 4 < 16 ? 16 : L->cols / 4 > 40 ? 40 : L->cols / 4;
		int area = L->cols - label_min - L->value_w - 3;
		unsigned span = t->session ? LIVE_SESSION_BUCKETS : t->window;
		unsigned n = span < (unsigned)area ? span : (unsigned)area;
		L->ncols = (int)n;
		L->cell_w = n ? area / (int)n : 1;
		if (L->cell_w > 3)
			L->cell_w = 3;
		L->label_w = L->cols - L->value_w - 3 - L->ncols * L->cell_w;
		if (L->label_w > 60)
			L->label_w = 60;
		L->plot_x = L->label_w + 2;
	}
	L->table_y = hr ? L->heat_y + hr + 2 : 3;
	L->table_h = L->lines - 1 - (L->table_y + 1);
	if (L->table_h < 0)
		L->table_h = 0;
}

void tui_query(struct tui *t, uint64_t to_s, struct live_query *q)
{
	struct layout L;
	layout(t, &L);
	memset(q, 0, sizeof *q);
	q->mode = t->mode;
	q->lines = t->lines;
	q->thread = t->thread;
	q->sort = t->sort;
	q->filter = t->filter[0] ? t->filter : NULL;
	q->to_s = to_s;
	q->heat_rows = (unsigned)L.heat_rows;
	q->heat_cols = (unsigned)L.ncols;
	q->drill = t->ndrill ? t->drill[t->ndrill - 1] : -1;
	q->session = t->session;
}

/* ---- drawing ------------------------------------------------------------------ */

static const char *thread_label(const struct tui *t, char *buf, size_t len)
{
	if (t->thread < 0)
		return "all threads";
	const struct live_result *r = t->last;
	for (size_t i = 0; r && i < r->nthreads; i++)
		if (r->threads[i].id == (uint32_t)t->thread) {
			snprintf(buf, len, "thread %d %s", (int)r->threads[i].tid, r->threads[i].name);
			return buf;
		}
	snprintf(buf, len, "thread #%lld (no samples now)", (long long)t->thread);
	return buf;
}

static void draw_header(struct tui *t, const struct tui_header *h, const struct live_result *r,
                        const struct layout *L)
{
	char up[32], rss[32], cpu[32], smp[32], thr[16];
	fmt_duration(up, sizeof up, h->uptime_s);
	fmt_bytes(rss, sizeof rss, h->rss_bytes);
	if (h->cpu_pct < 0)
		snprintf(cpu, sizeof cpu, "-");
	else
		snprintf(cpu, sizeof cpu, "%.1f%%", h->cpu_pct);
	fmt_count(smp, sizeof smp, h->samples);
	if (h->threads < 0)
		snprintf(thr, sizeof thr, "-");
	else
		snprintf(thr, sizeof thr, "%d", h->threads);

	attr_pair(t, PAIR_HEAD, head_attr(t) | A_BOLD);
	fill_line(0, 0, L->cols);
	int x = put_fmt(t, 0, 0, L->cols, " pyheat %s  pid %d  Python %s  up %s  CPU %s  RSS %s  threads %s  ",
	                h->cmd, (int)h->pid, h->python, up, cpu, rss, thr);
	attr_pair(t, PAIR_HEAD, head_attr(t));
	put_text(t, 0, x, h->command, L->cols - x - 1, 0);

	char gil[48], thl[160], lost[48] = "", procs[48] = "", rate[48];
	if (!h->gil_known || !r || r->gil_held < 0)
		snprintf(gil, sizeof gil, "GIL -");
	else
		snprintf(gil, sizeof gil, "GIL %.0f%%", 100 * r->gil_held);
	if (h->ended)
		snprintf(rate, sizeof rate, "rate -/%u Hz", h->rate_wanted);
	else
		snprintf(rate, sizeof rate, "rate %.0f/%u Hz", h->rate_hz, h->rate_wanted);
	if (h->lost)
		snprintf(lost, sizeof lost, "  lost %llu", (unsigned long long)h->lost);
	if (h->processes > 1)
		snprintf(procs, sizeof procs, "  processes %llu", (unsigned long long)h->processes);
	attr_pair(t, PAIR_HEAD, head_attr(t));
	fill_line(1, 0, L->cols);
	char span[32];
	if (t->session)
		snprintf(span, sizeof span, "session");
	else
		snprintf(span, sizeof span, "%us", h->window_s);
	put_fmt(t, 1, 0, L->cols,
	        " %s  %s  samples %s  errors %llu  drops %llu%s%s  [%s] %s  %s  pyheat CPU %.1f%% (UI "
	        "%.1f%%)",
	        gil, rate, smp, (unsigned long long)h->errors,
	        (unsigned long long)h->drops, lost, procs, live_mode_name(t->mode),
	        thread_label(t, thl, sizeof thl), span, h->self_cpu_pct, h->ui_cpu_pct);
	attrset(A_NORMAL);

	/* status line */
	move(2, 0);
	int sx = 0;
	if (t->editing) {
		attr_pair(t, PAIR_STATUS, A_BOLD);
		sx += put_fmt(t, 2, 0, L->cols, "filter: ");
		attrset(A_NORMAL);
		sx += put_text(t, 2, sx, t->filter, L->cols - sx - 30, 1);
		attr_pair(t, PAIR_STATUS, A_BOLD);
		addstr("_");
		sx++;
		attrset(A_DIM);
		put_fmt(t, 2, sx + 1, L->cols - sx - 1, "(Enter keeps it, Esc cancels)");
		attrset(A_NORMAL);
		return;
	}
	attr_pair(t, PAIR_STATUS, A_BOLD);
	if (h->ended)
		sx += put_fmt(t, 2, sx, L->cols - sx, "%s%s  ", h->ended, h->paused ? " (view paused)" : "");
	else if (h->paused)
		sx += put_fmt(t, 2, sx, L->cols - sx, "PAUSED (p resumes)  ");
	attrset(A_NORMAL);
	if (t->msg[0] && now_s() < t->msg_until)
		sx += put_text(t, 2, sx, t->msg, L->cols - sx, 0);
	else if (h->recording && L->cols - sx > 20)
		put_fmt(t, 2, sx, L->cols - sx, "recording to %s", h->recording);
}

static void row_label(const struct stats_row *row, char *buf, size_t len)
{
	if (row->line >= 0)
		snprintf(buf, len, "%s:%d", row->name, (int)row->line);
	else
		snprintf(buf, len, "%s", row->name);
}

static void heat_cell(struct tui *t, float value, double vmax, int w)
{
	static const char *shade_utf8[5] = { " ", "\xe2\x96\x91", "\xe2\x96\x92", "\xe2\x96\x93", "\xe2\x96\x88" };
	static const char *shade_ascii[5] = { " ", ".", ":", "*", "#" };
	if (t->colour == COL_256 || t->colour == COL_DIRECT) {
		if (value < 0) {
			attrset(A_NORMAL);
		} else {
			int lvl = 0;
			if (value > 0) {
				lvl = 1 + (int)((double)value / vmax * (t->levels - 2) + 0.5);
				if (lvl > t->levels - 1)
					lvl = t->levels - 1;
			}
			attrset(COLOR_PAIR(PAIR_HEAT0 + lvl));
		}
		for (int i = 0; i < w; i++)
			addch(' ');
		attrset(A_NORMAL);
		return;
	}
	int lvl = 0;
	if (value > 0) {
		lvl = 1 + (int)((double)value / vmax * 3.999);
		if (lvl > 4)
			lvl = 4;
	}
	const char *c = (t->utf8 ? shade_utf8 : shade_ascii)[lvl];
	for (int i = 0; i < w; i++)
		addstr(c);
}

static void draw_heat(struct tui *t, const struct live_view *v, const struct live_result *r,
                      const struct layout *L)
{
	if (!L->heat_rows)
		return;
	double vmax = 0;
	for (size_t i = 0; i < (size_t)r->hrows * r->hcols; i++)
		if (r->cells[i] > vmax)
			vmax = r->cells[i];
	if (vmax < 0.01)
		vmax = 0.01;
	char thl[160];
	attr_pair(t, PAIR_TITLE, A_BOLD);
	int x;
	char span[32], width[32];
	double secs = r->session && r->seconds > 0 ? r->seconds : (double)(r->hcols ? r->hcols : (unsigned)L->ncols);
	fmt_duration(span, sizeof span, secs);
	if (r->session) {
		fmt_duration(width, sizeof width, r->hcols ? secs / r->hcols : (double)r->col_s);
		x = put_fmt(t, L->heat_y, 0, L->cols - 24, "%s share, whole session %s (%s a column; %s, %s)",
		            t->lines ? "Line's own" : "Own", span, width, live_mode_name(t->mode),
		            thread_label(t, thl, sizeof thl));
	} else {
		x = put_fmt(t, L->heat_y, 0, L->cols - 24, "%s share per second, last %u s (%s, %s)",
		            t->lines ? "Line's own" : "Own", r->hcols ? r->hcols : (unsigned)L->ncols,
		            live_mode_name(t->mode), thread_label(t, thl, sizeof thl));
	}
	attrset(A_NORMAL);
	/* the scale: 0 .. vmax */
	int sx = L->cols - 22;
	if (sx > x + 1) {
		put_fmt(t, L->heat_y, sx, 6, "  0%% ");
		move(L->heat_y, sx + 5);
		int steps = 8;
		for (int i = 0; i <= steps; i++)
			heat_cell(t, (float)(vmax * i / steps), vmax, 1);
		put_fmt(t, L->heat_y, sx + 5 + steps + 2, 8, "%.0f%%", 100 * vmax);
	}
	for (int i = 0; i < L->heat_rows; i++) {
		int y = L->heat_y + 1 + i;
		if ((unsigned)i >= r->hrows) {
			if (i == 0) {
				attrset(A_DIM);
				put_fmt(t, y, 1, L->cols - 2, "%s", r->samples ? "no function has own samples here"
				                                                 : "waiting for samples...");
				attrset(A_NORMAL);
			}
			continue;
		}
		const struct stats_row *row = &r->hrow[i];
		char label[TEXT_CAP];
		row_label(row, label, sizeof label);
		put_text(t, y, 1, label, L->label_w, 0);
		move(y, L->plot_x - 1);
		attrset(A_DIM);
		addch('|');
		attrset(A_NORMAL);
		int off = L->ncols - (int)r->hcols;   /* right-aligned: now is at the right */
		for (int c = 0; c < L->ncols; c++) {
			float val = c >= off ? r->cells[(size_t)i * r->hcols + (size_t)(c - off)] : -1.0f;
			heat_cell(t, val, vmax, L->cell_w);
		}
		attrset(A_DIM);
		addch('|');
		attrset(A_NORMAL);
		put_fmt(t, y, L->plot_x + L->ncols * L->cell_w + 1, L->value_w, "%6.1f%%", 100 * row->own);
	}
	/* the axis */
	int ay = L->heat_y + 1 + L->heat_rows;
	int w = L->ncols * L->cell_w;
	attrset(A_DIM);
	if (w >= 12 && r->session) {
		/* the session's columns fill the plot from its left edge */
		int cw = (int)r->hcols * L->cell_w;
		char a[32];
		fmt_duration(a, sizeof a, r->seconds > 0 ? r->seconds : 0);
		put_fmt(t, ay, L->plot_x + (L->ncols - (int)r->hcols) * L->cell_w, 12, "-%s", a);
		if (cw >= 12)
			put_fmt(t, ay, L->plot_x + w - 3, 4, "now");
	} else if (w >= 12) {
		put_fmt(t, ay, L->plot_x, 8, "-%ds", L->ncols);
		if (w >= 30)
			put_fmt(t, ay, L->plot_x + w / 2 - 2, 8, "-%ds", L->ncols / 2);
		put_fmt(t, ay, L->plot_x + w - 3, 4, "now");
	}
	attrset(A_NORMAL);
}

/* Columns of the table and the drill-down. */
struct cols {
	int own, total, owntime, tottime, name, name_w, file, file_w;
};

static void table_cols(const struct layout *L, struct cols *c)
{
	c->own = 0;
	c->total = 7;
	c->owntime = 15;
	c->tottime = 25;
	c->name = 38;
	int rest = L->cols - c->name - 1;
	if (L->cols < 80) {
		/* narrow: no times */
		c->owntime = c->tottime = -1;
		c->name = 15;
		rest = L->cols - c->name - 1;
	}
	c->name_w = rest * 45 / 100;
	if (c->name_w < 12)
		c->name_w = rest > 12 ? 12 : rest;
	c->file = c->name + c->name_w + 1;
	c->file_w = L->cols - c->file - 1;
}

static void sort_mark(struct tui *t, int on)
{
	if (on)
		addstr(t->utf8 ? "\xe2\x96\xbc" : "v");
	else
		addch(' ');
}

static void draw_table_heading(struct tui *t, const struct layout *L, const struct cols *c, const char *name)
{
	int y = L->table_y;
	attr_pair(t, PAIR_TITLE, A_BOLD | A_UNDERLINE);
	fill_line(y, 0, L->cols);
	mvaddstr(y, c->own, "  OWN%");
	sort_mark(t, t->sort == LIVE_BY_OWN);
	mvaddstr(y, c->total, " TOTAL%");
	sort_mark(t, t->sort == LIVE_BY_TOTAL);
	if (c->owntime >= 0) {
		mvaddstr(y, c->owntime, " OWN TIME");
		mvaddstr(y, c->tottime, " TOTAL TIME");
	}
	mvaddstr(y, c->name, name);
	sort_mark(t, t->sort == LIVE_BY_NAME);
	mvaddstr(y, c->file, t->lines ? "FILE:LINE" : "FILE:FIRST LINE");
	attrset(A_NORMAL);
}

static void put_shares(struct tui *t, int y, const struct cols *c, double own, double total, double rate,
                       uint64_t own_n, uint64_t tot_n, int has_own)
{
	char ot[32], tt[32];
	if (has_own)
		put_fmt(t, y, c->own, 7, "%6.1f", 100 * own);
	put_fmt(t, y, c->total, 8, "%7.1f", 100 * total);
	if (c->owntime >= 0) {
		fmt_duration(ot, sizeof ot, (double)own_n / rate);
		fmt_duration(tt, sizeof tt, (double)tot_n / rate);
		if (has_own)
			put_fmt(t, y, c->owntime, 10, "%9s", ot);
		put_fmt(t, y, c->tottime, 11, "%10s", tt);
	}
}

static void draw_table(struct tui *t, const struct live_view *v, const struct live_result *r,
                       const struct layout *L)
{
	struct cols c;
	table_cols(L, &c);
	draw_table_heading(t, L, &c, t->lines ? "FUNCTION (LINE)" : "FUNCTION");
	if (t->filter[0] && !t->editing) {
		attr_pair(t, PAIR_STATUS, A_BOLD | A_UNDERLINE);
		char note[FILTER_MAX + 64];
		snprintf(note, sizeof note, " filter \"%s\": %zu of %zu ", t->filter, r->nrows, r->nrows_all);
		int w = text_width(note);
		if (w < L->cols - c.file - 16)
			put_text(t, L->table_y, L->cols - w - 1, note, w + 1, 0);
		attrset(A_NORMAL);
	}
	t->table_rows = L->table_h;
	if (!r->nrows) {
		attrset(A_DIM);
		const char *why = r->nrows_all ? "nothing matches the filter (/ changes it)"
		                  : r->samples ? "no Python function in these samples"
		                  : t->mode == LIVE_CPU && r->ticks ? "no thread ran Python code in this window (cpu "
		                                                      "mode; m switches to wall)"
		                  : t->mode == LIVE_GIL && r->ticks ? "no thread held the GIL in this window (m "
		                                                      "switches mode)"
		                                                    : "waiting for samples...";
		if (L->table_h > 0)
			put_text(t, L->table_y + 1, 2, why, L->cols - 3, 0);
		attrset(A_NORMAL);
		return;
	}
	if (t->sel >= r->nrows)
		t->sel = r->nrows - 1;
	if (L->table_h <= 0)
		return;
	/* the first page while the selection is on it; else keep it in sight */
	if (t->sel < (size_t)L->table_h)
		t->top = 0;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + (size_t)L->table_h)
		t->top = t->sel - (size_t)L->table_h + 1;
	if (t->top + (size_t)L->table_h > r->nrows)
		t->top = r->nrows > (size_t)L->table_h ? r->nrows - (size_t)L->table_h : 0;
	for (int i = 0; i < L->table_h && t->top + (size_t)i < r->nrows; i++) {
		size_t k = t->top + (size_t)i;
		const struct stats_row *row = &r->rows[k];
		int y = L->table_y + 1 + i;
		attrset(k == t->sel ? A_REVERSE | A_BOLD : A_NORMAL);
		if (k == t->sel)
			fill_line(y, 0, L->cols);
		put_shares(t, y, &c, row->own, row->total, r->rate_hz, row->samples_own, row->samples_total, 1);
		put_text(t, y, c.name, row->name, c.name_w, 0);
		char fl[TEXT_CAP];
		snprintf(fl, sizeof fl, "%s:%d", row->file,
		         row->line >= 0 ? (int)row->line : live_func_firstline(v, row->func));
		put_text(t, y, c.file, fl, c.file_w, 1);
		attrset(A_NORMAL);
	}
}

struct dline { enum drill_kind kind; const struct live_drill_row *row; const char *text; };

/* The drill-down as a list of lines; returns the count (at most cap). */
static size_t drill_lines(const struct live_result *r, struct dline *out, size_t cap)
{
	size_t n = 0;
#define PUT(k, rw, tx) do { if (n < cap) out[n++] = (struct dline){ (k), (rw), (tx) }; } while (0)
	PUT(DK_HEAD, NULL, "CALLERS (functions that called it; total% = samples with that call)");
	if (!r->ncallers)
		PUT(DK_NOTE, NULL, "(none: it is the outermost frame)");
	for (size_t i = 0; i < r->ncallers; i++)
		PUT(DK_CALLER, &r->callers[i], NULL);
	PUT(DK_HEAD, NULL, "CALLEES (functions it called)");
	if (!r->ncallees)
		PUT(DK_NOTE, NULL, "(none: all of its time is its own)");
	for (size_t i = 0; i < r->ncallees; i++)
		PUT(DK_CALLEE, &r->callees[i], NULL);
	PUT(DK_HEAD, NULL, "LINES (own% = samples on that line, innermost)");
	for (size_t i = 0; i < r->ndlines; i++)
		PUT(DK_LINE, &r->dlines[i], NULL);
#undef PUT
	return n;
}

static int selectable(enum drill_kind k)
{
	return k == DK_CALLER || k == DK_CALLEE || k == DK_LINE;
}

static void draw_drill(struct tui *t, const struct live_view *v, const struct live_result *r,
                       const struct layout *L)
{
	struct cols c;
	table_cols(L, &c);
	int y = L->table_y;
	if (!r->drill_ok) {
		draw_table_heading(t, L, &c, "FUNCTION");
		put_text(t, y + 1, 2, "no such function (Esc goes back)", L->cols - 3, 0);
		return;
	}
	const struct live_drill_row *self = &r->drill_self;
	/* the headings, then the function itself */
	draw_table_heading(t, L, &c, "DRILL-DOWN (Esc: back)");
	y++;
	attrset(A_BOLD);
	put_shares(t, y, &c, self->own_share, self->total_share, r->rate_hz, self->own, self->total, 1);
	put_text(t, y, c.name, self->name, c.name_w, 0);
	char fl[TEXT_CAP];
	snprintf(fl, sizeof fl, "%s:%d", self->file, r->drill_firstline);
	put_text(t, y, c.file, fl, c.file_w, 1);
	attrset(A_NORMAL);

	struct dline *dl = malloc((r->ncallers + r->ncallees + r->ndlines + 8) * sizeof *dl);
	if (!dl)
		return;
	size_t n = drill_lines(r, dl, r->ncallers + r->ncallees + r->ndlines + 8);
	/* keep the selection on a selectable line */
	if (t->dsel >= n)
		t->dsel = n ? n - 1 : 0;
	while (t->dsel < n && !selectable(dl[t->dsel].kind) && t->dsel + 1 < n)
		t->dsel++;
	while (t->dsel > 0 && !selectable(dl[t->dsel].kind))
		t->dsel--;
	int h = L->table_h - 1;
	t->table_rows = h;
	if (h <= 0) {
		free(dl);
		return;
	}
	if (t->dsel < t->dtop)
		t->dtop = t->dsel > 0 && !selectable(dl[t->dsel - 1].kind) ? t->dsel - 1 : t->dsel;
	if (t->dsel >= t->dtop + (size_t)h)
		t->dtop = t->dsel - (size_t)h + 1;
	for (int i = 0; i < h && t->dtop + (size_t)i < n; i++) {
		size_t k = t->dtop + (size_t)i;
		const struct dline *d = &dl[k];
		int yy = y + 1 + i;
		if (d->kind == DK_HEAD) {
			attr_pair(t, PAIR_TITLE, A_BOLD);
			put_text(t, yy, 1, d->text, L->cols - 2, 0);
			attrset(A_NORMAL);
			continue;
		}
		if (d->kind == DK_NOTE) {
			attrset(A_DIM);
			put_text(t, yy, 3, d->text, L->cols - 4, 0);
			attrset(A_NORMAL);
			continue;
		}
		const struct live_drill_row *row = d->row;
		attrset(k == t->dsel ? A_REVERSE | A_BOLD : A_NORMAL);
		if (k == t->dsel)
			fill_line(yy, 0, L->cols);
		if (d->kind == DK_LINE) {
			put_shares(t, yy, &c, row->own_share, row->total_share, r->rate_hz, row->own, row->total, 1);
			char nm[TEXT_CAP];
			snprintf(nm, sizeof nm, "line %d", (int)row->line);
			put_text(t, yy, c.name, nm, c.name_w, 0);
			snprintf(fl, sizeof fl, "%s:%d", row->file, (int)row->line);
			put_text(t, yy, c.file, fl, c.file_w, 1);
		} else {
			put_shares(t, yy, &c, 0, row->total_share, r->rate_hz, 0, row->total, 0);
			put_text(t, yy, c.name, row->name, c.name_w, 0);
			snprintf(fl, sizeof fl, "%s:%d", row->file, live_func_firstline(v, row->func));
			put_text(t, yy, c.file, fl, c.file_w, 1);
		}
		attrset(A_NORMAL);
	}
	free(dl);
}

static const char *const help_text[] = {
	"pyheat live view: keys",
	"",
	"  o  T  n      sort by own %, total %, name (< > cycle)",
	"  Up Down      select (PgUp PgDn Home End, j k g G)",
	"  Enter        drill into the function: callers, callees, lines",
	"               (Enter again follows a caller or callee)",
	"  Esc Left     back out of the drill-down; Esc clears the filter",
	"  /            filter rows by name or file (Enter keeps, Esc cancels)",
	"  m            mode: cpu (running) -> wall (all) -> gil (GIL holder)",
	"  t            thread: all -> each thread in turn -> all",
	"  l            rows are functions or lines",
	"  w            the whole session (buckets that widen as it grows) or the",
	"               last seconds (--window)",
	"  p            pause / resume the view (sampling goes on)",
	"  r            reset: forget the samples shown so far",
	"  s            snapshot: raw profile + PNG + HTML of the session so far",
	"  q  Ctrl-C    quit",
	"",
	"Own % = samples with the function innermost; total % = samples with it",
	"anywhere on the stack; both of the samples selected (mode, thread) in",
	"the window (w: the session). Heatmap cells: a row's own share in each",
	"second (session: each column's stretch of time).",
	"",
	"any key closes this help",
};

static void draw_help(struct tui *t, const struct layout *L)
{
	int n = (int)(sizeof help_text / sizeof help_text[0]);
	int w = 0;
	for (int i = 0; i < n; i++)
		if ((int)strlen(help_text[i]) > w)
			w = (int)strlen(help_text[i]);
	w += 4;
	if (w > L->cols)
		w = L->cols;
	int h = n + 2 < L->lines ? n + 2 : L->lines;
	int y0 = (L->lines - h) / 2, x0 = (L->cols - w) / 2;
	attr_pair(t, PAIR_HEAD, head_attr(t));
	for (int i = 0; i < h; i++)
		fill_line(y0 + i, x0, w);
	for (int i = 0; i < n && i + 1 < h; i++)
		put_text(t, y0 + 1 + i, x0 + 2, help_text[i], w - 3, 0);
	attrset(A_NORMAL);
}

static void draw_footer(struct tui *t, const struct layout *L)
{
	static const char keys[] = "q quit  ? help  o/T/n sort  / filter  Enter drill  m mode  t thread  l lines  p "
	                           "pause  r reset  s snapshot";
	static const char keys_drill[] = "Esc back  Enter follow  q quit  ? help  m mode  t thread  p pause  s snapshot";
	attr_pair(t, PAIR_HEAD, head_attr(t));
	fill_line(L->lines - 1, 0, L->cols);
	put_text(t, L->lines - 1, 1, t->ndrill ? keys_drill : keys, L->cols - 2, 0);
	attrset(A_NORMAL);
}

/* After a compute: put the selection back on the row it was on, once the
 * user has chosen one (until then it stays on the top row). */
static void follow_selection(struct tui *t, const struct live_result *r)
{
	if (!t->have_key || t->ndrill)
		return;
	for (size_t i = 0; i < r->nrows; i++)
		if (r->rows[i].func == t->key_func && r->rows[i].line == t->key_line) {
			t->sel = i;
			return;
		}
}

static void remember_selection(struct tui *t)
{
	const struct live_result *r = t->last;
	if (r && t->sel < r->nrows && !t->ndrill) {
		t->have_key = 1;
		t->key_func = r->rows[t->sel].func;
		t->key_line = r->rows[t->sel].line;
	}
}

void tui_draw(struct tui *t, const struct tui_header *h, const struct live_view *v,
              const struct live_result *r)
{
	t->last = r;
	t->lastv = v;
	follow_selection(t, r);
	struct layout L;
	layout(t, &L);
	erase();
	if (L.cols < MIN_COLS || L.lines < MIN_LINES) {
		put_fmt(t, 0, 0, L.cols, "too small: %dx%d (pyheat needs %dx%d); q quits", L.cols, L.lines, MIN_COLS,
		        MIN_LINES);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	draw_header(t, h, r, &L);
	draw_heat(t, v, r, &L);
	if (t->ndrill)
		draw_drill(t, v, r, &L);
	else
		draw_table(t, v, r, &L);
	draw_footer(t, &L);
	if (t->help)
		draw_help(t, &L);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- keys --------------------------------------------------------------------- */

static void filter_append(struct tui *t, wint_t c)
{
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t n = wcrtomb(mb, (wchar_t)c, &st);
	if (n == (size_t)-1 || n == 0)
		return;
	size_t len = strlen(t->filter);
	if (len + n > FILTER_MAX)
		return;
	memcpy(t->filter + len, mb, n);
	t->filter[len + n] = '\0';
}

static void filter_backspace(struct tui *t)
{
	size_t len = strlen(t->filter);
	while (len > 0) {
		unsigned char c = (unsigned char)t->filter[--len];
		if ((c & 0xc0) != 0x80)
			break;
	}
	t->filter[len] = '\0';
}

static enum tui_action key_filter(struct tui *t, int kind, wint_t c)
{
	if (kind == OK && (c == '\r' || c == '\n')) {
		t->editing = 0;
		return TUI_REDRAW;
	}
	if (kind == OK && c == 27) {
		memcpy(t->filter, t->filter_saved, sizeof t->filter);
		t->editing = 0;
		return TUI_REDRAW;
	}
	if ((kind == KEY_CODE_YES && c == KEY_BACKSPACE) || (kind == OK && (c == 127 || c == 8))) {
		filter_backspace(t);
	} else if (kind == OK && c == 21) {   /* Ctrl-U */
		t->filter[0] = '\0';
	} else if (kind == OK && c >= 0x20 && c != 0x7f && (c < 0x80 || c > 0x9f)) {
		filter_append(t, c);
	} else {
		return TUI_NONE;
	}
	t->sel = t->top = 0;
	t->have_key = 0;
	return TUI_REDRAW;
}

static void move_sel(struct tui *t, long delta)
{
	const struct live_result *r = t->last;
	if (t->ndrill) {
		if (!r || !r->drill_ok)
			return;
		size_t cap = r->ncallers + r->ncallees + r->ndlines + 8;
		struct dline *dl = malloc(cap * sizeof *dl);
		if (!dl)
			return;
		size_t n = drill_lines(r, dl, cap);
		long s = (long)t->dsel;
		long step = delta > 0 ? 1 : -1;
		long moves = labs(delta);
		while (moves-- > 0) {
			long ns = s + step;
			while (ns >= 0 && ns < (long)n && !selectable(dl[ns].kind))
				ns += step;
			if (ns < 0 || ns >= (long)n)
				break;
			s = ns;
		}
		t->dsel = (size_t)s;
		if (step < 0 && s > 0 && (size_t)s <= t->dtop && !selectable(dl[s - 1].kind))
			t->dtop = (size_t)s - 1;
		free(dl);
		return;
	}
	size_t n = r ? r->nrows : 0;
	if (!n)
		return;
	long s = (long)t->sel + delta;
	if (s < 0)
		s = 0;
	if (s >= (long)n)
		s = (long)n - 1;
	t->sel = (size_t)s;
	if (s == 0)
		t->have_key = 0;   /* back on top: follow the top row again */
	else
		remember_selection(t);
}

static void drill_into(struct tui *t)
{
	const struct live_result *r = t->last;
	if (!r || t->ndrill >= DRILL_DEPTH)
		return;
	if (!t->ndrill) {
		if (t->sel >= r->nrows)
			return;
		t->drill[t->ndrill++] = r->rows[t->sel].func;
		t->dsel = t->dtop = 0;
		return;
	}
	if (!r->drill_ok)
		return;
	size_t cap = r->ncallers + r->ncallees + r->ndlines + 8;
	struct dline *dl = malloc(cap * sizeof *dl);
	if (!dl)
		return;
	size_t n = drill_lines(r, dl, cap);
	if (t->dsel < n && (dl[t->dsel].kind == DK_CALLER || dl[t->dsel].kind == DK_CALLEE)) {
		t->drill[t->ndrill++] = dl[t->dsel].row->func;
		t->dsel = t->dtop = 0;
	}
	free(dl);
}

static void next_thread(struct tui *t)
{
	const struct live_result *r = t->last;
	if (!r || !r->nthreads) {
		t->thread = -1;
		return;
	}
	if (t->thread < 0) {
		t->thread = r->threads[0].id;
		return;
	}
	for (size_t i = 0; i < r->nthreads; i++)
		if (r->threads[i].id == (uint32_t)t->thread) {
			t->thread = i + 1 < r->nthreads ? (int64_t)r->threads[i + 1].id : -1;
			return;
		}
	/* the thread has left the window: back to all */
	t->thread = -1;
}

enum tui_action tui_input(struct tui *t, int timeout_ms)
{
	timeout(timeout_ms);
	wint_t c;
	int kind = get_wch(&c);
	if (kind == ERR)
		return TUI_NONE;
	if (kind == KEY_CODE_YES && c == KEY_RESIZE)
		return TUI_REDRAW;
	if (t->editing)
		return key_filter(t, kind, c);
	if (t->help) {
		t->help = 0;
		if (kind == OK && c == 'q')
			return TUI_QUIT;
		return TUI_REDRAW;
	}
	if (kind == KEY_CODE_YES) {
		switch (c) {
		case KEY_UP: move_sel(t, -1); return TUI_REDRAW;
		case KEY_DOWN: move_sel(t, 1); return TUI_REDRAW;
		case KEY_PPAGE: move_sel(t, -(t->table_rows > 1 ? t->table_rows - 1 : 1)); return TUI_REDRAW;
		case KEY_NPAGE: move_sel(t, t->table_rows > 1 ? t->table_rows - 1 : 1); return TUI_REDRAW;
		case KEY_HOME: move_sel(t, -1000000000L); return TUI_REDRAW;
		case KEY_END: move_sel(t, 1000000000L); return TUI_REDRAW;
		case KEY_ENTER: drill_into(t); return TUI_REDRAW;
		case KEY_LEFT:
		case KEY_BACKSPACE:
			if (t->ndrill) {
				t->ndrill--;
				t->dsel = t->dtop = 0;
			}
			return TUI_REDRAW;
		default: return TUI_NONE;
		}
	}
	switch (c) {
	case 'q': case 'Q': return TUI_QUIT;
	case 'p': return TUI_PAUSE;
	case 'r': return TUI_RESET;
	case 's': return TUI_SNAPSHOT;
	case '?': t->help = 1; return TUI_REDRAW;
	case 'o': t->sort = LIVE_BY_OWN; break;
	case 'T': t->sort = LIVE_BY_TOTAL; break;
	case 'n': t->sort = LIVE_BY_NAME; break;
	case '>': t->sort = t->sort == LIVE_BY_OWN ? LIVE_BY_TOTAL : t->sort == LIVE_BY_TOTAL ? LIVE_BY_NAME : LIVE_BY_OWN; break;
	case '<': t->sort = t->sort == LIVE_BY_OWN ? LIVE_BY_NAME : t->sort == LIVE_BY_NAME ? LIVE_BY_TOTAL : LIVE_BY_OWN; break;
	case 'm': t->mode = t->mode == LIVE_CPU ? LIVE_WALL : t->mode == LIVE_WALL ? LIVE_GIL : LIVE_CPU; break;
	case 't': next_thread(t); break;
	case 'w': t->session = !t->session; break;
	case 'l':
		t->lines = !t->lines;
		t->have_key = 0;
		t->sel = t->top = 0;
		break;
	case '/':
		memcpy(t->filter_saved, t->filter, sizeof t->filter);
		t->editing = 1;
		break;
	case 'k': move_sel(t, -1); break;
	case 'j': move_sel(t, 1); break;
	case 'g': move_sel(t, -1000000000L); break;
	case 'G': move_sel(t, 1000000000L); break;
	case '\r': case '\n': drill_into(t); break;
	case 27: case 127: case 8:
		if (t->ndrill) {
			t->ndrill--;
			t->dsel = t->dtop = 0;
		} else if (c == 27 && t->filter[0]) {
			t->filter[0] = '\0';
			t->have_key = 0;
		}
		break;
	default:
		return TUI_NONE;
	}
	return TUI_REDRAW;
}
