/* export.h — a profile's selected samples in other tools' formats.
 *
 * Each exporter reads the profile's samples through prof_foreach_sample,
 * keeps those the filter selects (stats.h) and writes one document to out
 * (a file, or stdout for `pyheat report -o -`). Names from the target are
 * untrusted: every JSON string goes through json_put_str (after invalid
 * UTF-8 is replaced by U+FFFD), every collapsed frame through
 * export_put_folded. Returns 0, or -1 with err (a read error of the profile,
 * PH_ESYSTEM for a write error).
 *
 * A truncated stack (PROF_TRUNCATED: deeper than recorded) gets the synthetic
 * outermost frame "[truncated]" so it is not mistaken for a whole stack; a
 * sample without Python frames is the single frame "[no Python frames]" in
 * the collapsed format and an empty stack elsewhere. */
#ifndef PYHEAT_EXPORT_H
#define PYHEAT_EXPORT_H

#include <stdio.h>

#include "error.h"
#include "profile.h"
#include "stats.h"

#define EXPORT_TRUNCATED_FRAME "[truncated]"
#define EXPORT_EMPTY_FRAME     "[no Python frames]"

/* Brendan Gregg's folded stacks, one line per distinct stack, sorted:
 *   outermost (file:line);...;innermost (file:line) COUNT
 * Each frame is `name (file:line)`. In names and files every byte that could
 * break the format or a terminal is written as \xNN (two lower-case hex
 * digits): ';', '\', C0 controls and DEL, the two bytes of a C1 control
 * (U+0080..U+009F) and bytes that are not valid UTF-8. Decoding replaces
 * every \xNN by its byte. flamegraph.pl, inferno and speedscope read it. */
int export_collapsed(const struct profile *p, struct stats_filter f, FILE *out, struct ph_error *err);

/* speedscope's file format (https://www.speedscope.app/file-format-schema.json):
 * shared frames (name, file, line: one per function and line), one "sampled"
 * profile per thread named "thread TID NAME" (plus " (pid PID)" for threads
 * of other processes than the first), stacks outermost first, each sample
 * weighing 1000/rate milliseconds (unit "none", weight 1, when the rate is
 * unknown). */
int export_speedscope(const struct profile *p, struct stats_filter f, FILE *out, struct ph_error *err);

/* Chrome's Trace Event Format (JSON object with "traceEvents"), for
 * chrome://tracing, Perfetto and speedscope: per thread, a function that
 * stays on the stack (same outermost prefix) over consecutive samples is one
 * B/E pair (ts in microseconds since the start, args file and line at
 * entry). A missed tick (more than 1.5 sampling intervals without a sample of
 * the thread: off CPU in cpu mode) ends every open function one interval
 * after the thread's last sample, as does the end of the recording.
 * Metadata events ("ph":"M") name the processes and threads. */
int export_chrome(const struct profile *p, struct stats_filter f, FILE *out, struct ph_error *err);

/* ---- choosing and writing formats (src/export.c) ------------------------ */

#define EXPORT_MAX_FORMATS 16
/* heat: the heatmap formats' options (include/timeline.h; NULL = defaults),
 * set by the caller after export_parse_formats, which clears the set. */
struct timeline_opts;
struct export_set { int want[EXPORT_MAX_FORMATS]; int n; const struct timeline_opts *heat; };

/* Parse a comma list of format names; an unknown one prints one line naming
 * the known formats (as `pyheat CMD: ...`) and returns PH_EUSAGE. */
int export_parse_formats(const char *cmd, const char *list, struct export_set *set);
void export_all_formats(struct export_set *set);
/* 0 when the set is one text format (for -o -), else one line and -1. */
int export_check_stdout(const char *cmd, const struct export_set *set);
/* Write every format of the set as STEM<suffix> (each through a temporary
 * file renamed into place), printing each path written to paths_out (may be
 * NULL); stem "-" streams the one format to stdout. */
int export_write(const struct profile *p, const struct export_set *set, const char *stem,
                 struct stats_filter f, FILE *paths_out, struct ph_error *err);

/* ---- helpers shared by the exporters (src/export-collapsed.c) ------------- */

/* json_put_str of s, with every byte that is not valid UTF-8 replaced by U+FFFD. */
void export_put_json(FILE *out, const char *s);

/* s with the collapsed format's escapes (above). */
void export_put_folded(FILE *out, const char *s);

/* Flush out; -1 with a PH_ESYSTEM err when any write to it failed. */
int export_finish(FILE *out, struct ph_error *err);

#endif
