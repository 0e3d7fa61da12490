/* sampler.h — the sampling thread: wakes on absolute deadlines, reads every
 * thread's stack with the walker, pushes compact samples into the ring.
 *
 * Hot path (every tick): no allocation, no stdio, no locks. The walker's
 * code and type ids are announced to the consumer (MSG_CODE / MSG_TYPE)
 * before the first sample that uses them, so the consumer never touches the
 * walker's caches. A full ring is a counted drop, never a wait. */
#ifndef PYHEAT_SAMPLER_H
#define PYHEAT_SAMPLER_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "ring.h"
#include "walker.h"

enum sample_mode {
	MODE_CPU,    /* threads whose OS state is running */
	MODE_WALL,   /* every thread */
	MODE_GIL,    /* only the thread holding the GIL */
};

const char *sample_mode_name(enum sample_mode m);
int sample_mode_parse(const char *s, enum sample_mode *out);

/* ---- ring messages (sampler -> aggregator) -------------------------------- */
/* Every message names the slot (the target process) its ids belong to: code
 * and type ids are per walker, so per process. MSG_SLOT announces that a slot
 * now holds a new process: its earlier ids are void. */
enum msg_kind { MSG_CODE = 1, MSG_TYPE, MSG_SAMPLE, MSG_END, MSG_SLOT, MSG_REPEAT };

struct msg_slot { uint32_t kind, slot; int32_t pid, pad; };

struct msg_code {            /* a code object: id -> name, file, first line */
	uint32_t kind, slot, id;
	int32_t firstlineno;
	uint16_t name_len, file_len;
	char text[];             /* name then file, not NUL-terminated */
};

struct msg_type {            /* a class name for "Class.method" (<= 3.10) */
	uint32_t kind, slot, id;
	uint32_t len;
	char text[];
};

struct msg_frame { uint32_t code, cls; int32_t line; };

struct msg_sample {
	uint32_t kind, slot;
	uint32_t flags;          /* enum prof_sample_flags */
	int32_t pid, tid;
	uint32_t nframes;
	uint32_t seq, pad;       /* names this sample for a later MSG_REPEAT */
	uint64_t t_ns;           /* since the recording started */
	struct msg_frame frames[];  /* innermost first */
};

/* A thread whose stack equals the last MSG_SAMPLE sent for it (sequence
 * number `seq`) is sent as this 32-byte message instead of its frames: a
 * steady 50-frame stack no longer costs 600 bytes of ring, and the consumer
 * reuses the ids it gave that sample. Both ends keep each thread's last
 * sample in a direct-mapped table of SAMPLE_MEMO_SLOTS entries indexed by
 * sample_memo_index(), of stacks up to SAMPLE_MEMO_FRAMES deep. The sampler
 * forgets its entries whenever it announces anything (MSG_CODE, MSG_TYPE,
 * MSG_SLOT: the ids may mean something else now); the consumer, whenever it
 * receives an announcement. A repeat whose sample the consumer no longer
 * holds (cannot happen with both ends following these rules) is a drop. */
#define SAMPLE_MEMO_SLOTS  256
#define SAMPLE_MEMO_FRAMES 128

struct msg_repeat {
	uint32_t kind, slot;
	uint32_t flags;
	int32_t pid, tid;
	uint32_t seq;
	uint64_t t_ns;
};

static inline uint32_t sample_memo_index(uint32_t slot, int32_t tid)
{
	return ((uint32_t)tid * 2654435761u + slot) % SAMPLE_MEMO_SLOTS;
}

struct msg_end { uint32_t kind; int32_t reason; };  /* reason: enum ph_exit */

/* ---- the sampler ---------------------------------------------------------- */
#define SAMPLER_MAX_TARGETS 64   /* processes sampled at once (--subprocesses) */

struct sampler_counters {
	_Atomic uint64_t ticks;     /* deadlines reached */
	_Atomic uint64_t samples;   /* thread stacks pushed */
	_Atomic uint64_t errors;    /* thread stacks that could not be read */
	_Atomic uint64_t drops;     /* samples lost to a full ring */
	_Atomic uint64_t late;      /* ticks skipped because a sample overran */
	_Atomic uint64_t processes; /* processes sampled so far */
	_Atomic uint64_t skipped;   /* child processes not sampled (all slots busy) */
};

struct sampler_slot;           /* private (sampler.c) */
struct sample_memo;            /* private (sampler.c) */

struct sampler_options {
	uint32_t rate_hz;
	enum sample_mode mode;
	uint64_t duration_ns;       /* 0: until stopped or the targets exit */
	int subprocesses;           /* follow children and grandchildren */
	int blocking;               /* pause the target for each sample (ptrace) */
	int os_state;               /* read OS states (PROF_RUNNING) in wall mode too */
};

struct sampler {
	struct ring *ring;
	struct sampler_options o;
	pid_t root_pid;
	struct timespec start;      /* CLOCK_MONOTONIC at the first tick */
	_Atomic int stop;
	_Atomic int done;
	sem_t done_sem;             /* posted once `done` is set: a waiter needs no polling */
	int done_sem_ready;
	int end_reason;             /* PH_OK, PH_EEXITED, ... once done */
	int root_exit_status;       /* wait status of the root when --blocking saw it exit, else -1 */
	struct ph_error error;      /* why sampling could not start (--blocking attach) */
	struct sampler_counters c;
	pthread_t thread, watcher;
	struct sampler_slot *slots; /* [SAMPLER_MAX_TARGETS]; slot 0 is the root */
	struct thread_info *threads;
	struct frame_ref *frames;
	struct sample_memo *memo;   /* [SAMPLE_MEMO_SLOTS]: each thread's last full sample */
	uint64_t announce_epoch;    /* announcements sent: a memo entry from before one is void */
	uint32_t seq;               /* of the last full sample */
};

/* The ring for a sampling rate: at 1 kHz and below 4 MiB (seconds of a deep,
 * many-threaded target: 10 threads x 50 frames are 6 KB a tick), above it
 * 16 MiB (at the maximum rate one busy thread sends tens of MB a second). */
size_t sampler_ring_bytes(uint32_t rate_hz);

/* Start sampling t (already attached; the sampler takes it over and
 * detaches it in sampler_join) into ring. */
int sampler_start(struct sampler *s, struct target *t, struct ring *ring,
                  const struct sampler_options *o, struct ph_error *err);
void sampler_request_stop(struct sampler *s);
/* Wait for the threads, detach every target, free the buffers. */
void sampler_join(struct sampler *s);

#endif
