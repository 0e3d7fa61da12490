/* layout.h — where a CPython build keeps the things pyheat reads.
 *
 * One `struct py_layout` per supported minor version and build flavour
 * (default / free-threaded), and one more for each range of patch releases
 * whose layout differs from the newest one's (2.7.0-3, 3.7.0-3, 3.13.0-5:
 * see contrib/gen-layout.d/micro-ranges). Every difference between versions that the
 * walker cares about lives in these numbers and enums, never in if-ladders
 * through the walker. Offsets are bytes from the start of the named C struct
 * on x86-64 Linux. A field a version does not have is LAYOUT_NONE.
 *
 * The compiled-in tables (src/layout-table.c) are generated from each
 * version's own headers by contrib/gen-layout; for 3.13+ the walker overlays
 * them with the target's `_Py_DebugOffsets` (layout_apply_debug_offsets). */
#ifndef PYHEAT_LAYOUT_H
#define PYHEAT_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define LAYOUT_NONE UINT32_MAX

/* micro for layout_for_release() when the patch release is not known, and the
 * micro_max of a table that covers every later patch release: such a lookup
 * gets the table of the newest patch release. */
#define LAYOUT_MICRO_ANY UINT32_MAX

enum frame_model {
	FRAME_OBJECT,   /* PyFrameObject chained by f_back (2.7 - 3.10) */
	FRAME_INTERP,   /* _PyInterpreterFrame chained by previous (3.11+) */
};

enum line_format {
	LINES_LNOTAB_U8,   /* 2.7: (addr incr u8, line incr u8) */
	LINES_LNOTAB_S8,   /* 3.6 - 3.9: line increment is signed */
	LINES_TABLE_310,   /* 3.10 PEP 626 (start delta u8, line delta s8) */
	LINES_LOCATIONS,   /* 3.11+ location table */
};

enum gil_model {
	GIL_TSTATE_SYMBOL,   /* 2.7, 3.6: the `_PyThreadState_Current` variable */
	GIL_RUNTIME_CURRENT, /* 3.7 - 3.11: _PyRuntime.gilstate.tstate_current */
	GIL_INTERP_STRUCT,   /* 3.12+: interp->ceval.gil -> {locked, last_holder} */
};

enum str_model {
	STR_BYTES27,   /* 2.7 PyStringObject (code names are byte strings) */
	STR_PEP393,    /* 3.3+ compact unicode */
};

enum int_model {
	INT_DIGITS_SIZE,  /* PyLongObject, sign and digit count in ob_size */
	INT_DIGITS_TAG,   /* 3.12+: lv_tag = ndigits << 3 | sign bits */
};

enum dict_model {
	DICT_TABLE27,     /* 2.7: ma_table[ma_mask + 1] of {hash, key, value} */
	DICT_KEYS36,      /* 3.6 - 3.10: ma_keys, dk_size indices (1/2/4/8 bytes each) then entries */
	DICT_KEYS311,     /* 3.11+: dk_log2_size, dk_log2_index_bytes, dk_kind picks the entry type */
};

enum instdict_model {
	INSTDICT_OFFSET,  /* <= 3.10: a dict pointer at obj + tp_dictoffset */
	INSTDICT_MANAGED, /* 3.11: MANAGED_DICT types keep a values pointer and a dict pointer
	                   * before the object; values (if set) use the type's cached keys */
	INSTDICT_DORV,    /* 3.12: one word before the object, a dict pointer, or the values
	                   * pointer minus 1 (low bit set) */
	INSTDICT_INLINE,  /* 3.13+: a dict pointer before the object; INLINE_VALUES types keep
	                   * a PyDictValues at obj + tp_basicsize (used while `valid`) */
};

struct py_layout {
	uint32_t major, minor;      /* version the table describes */
	int free_threaded;          /* Py_GIL_DISABLED build (3.13t+) */
	uint32_t micro_min, micro_max; /* patch releases it describes, inclusive (max may be
	                             * LAYOUT_MICRO_ANY); several tables of one minor version
	                             * only where a field moved between patch releases */
	enum frame_model frames;
	enum line_format lines;
	enum gil_model gil;
	enum str_model strings;
	enum int_model ints;
	int tagged_executable;      /* 3.14+: f_executable is a _PyStackRef; mask low 2 bits */
	int lasti_in_code_units;    /* 3.10: f_lasti counts 2-byte code units */

	struct {
		uint32_t interpreters_head;   /* _PyRuntime.interpreters.head (3.7+) */
		uint32_t gilstate_current;    /* _PyRuntime.gilstate.tstate_current (3.7-3.11) */
		uint32_t ceval_gil;           /* _PyRuntime.ceval.gil: struct _gil_runtime_state (3.7-3.11) */
	} runtime;

	struct {
		uint32_t next;
		uint32_t tstate_head;         /* threads.head */
		uint32_t id;
		uint32_t gil_ptr;             /* ceval.gil: struct _gil_runtime_state * (3.12+) */
		uint32_t modules;             /* sys.modules dict (imports.modules from 3.12) */
		uint32_t code_version;        /* func_state.next_version (3.13+): bumped for every
		                               * code object created; frozen at 0 once it wraps */
	} interp;

	struct {
		uint32_t locked;              /* int / atomic int */
		uint32_t last_holder;         /* PyThreadState *: the holder, or the last one */
		uint32_t switch_number;       /* unsigned long: bumped when a different thread takes it */
	} gil_state;                      /* struct _gil_runtime_state (3.7+) */

	struct {
		uint32_t next;
		uint32_t interp;
		uint32_t frame;               /* PyFrameObject *frame (<=3.10) */
		uint32_t cframe;              /* _PyCFrame *cframe (3.11, 3.12) */
		uint32_t current_frame;       /* _PyInterpreterFrame *current_frame (3.13+) */
		uint32_t thread_id;           /* unsigned long (pthread_t) */
		uint32_t native_thread_id;    /* Linux TID (3.11+) */
		uint32_t datastack_chunk;     /* _PyStackChunk * (3.11+) */
		uint32_t status;              /* 3.13+: _Py_THREAD_DETACHED/ATTACHED/SUSPENDED */
		uint32_t size;                /* bytes to read for one thread state */
	} tstate;

	struct {
		uint32_t current_frame;       /* in _PyCFrame (3.11, 3.12) */
	} cframe;

	struct {
		uint32_t previous;            /* f_back / previous */
		uint32_t code;                /* f_code / f_executable */
		uint32_t lasti;               /* f_lasti (int) / prev_instr / instr_ptr */
		uint32_t owner;               /* char owner (3.11+) */
		uint32_t is_entry;            /* bool is_entry (3.11 only) */
		uint32_t localsplus;          /* f_localsplus[] */
		uint32_t stacktop;            /* int stacktop (3.11, 3.12) */
		uint32_t size;                /* bytes to read for one frame (header up to localsplus) */
	} frame;

	struct {
		uint32_t filename, name, qualname;
		uint32_t firstlineno;         /* int */
		uint32_t linetable;           /* co_lnotab / co_linetable (bytes object) */
		uint32_t code;                /* co_code bytes object (<=3.10) */
		uint32_t code_adaptive;       /* co_code_adaptive[] (3.11+) */
		uint32_t argcount;
		uint32_t nlocals;             /* co_nlocals (int) */
		uint32_t varnames;            /* co_varnames tuple (<=3.10) */
		uint32_t localsplusnames;     /* tuple (3.11+) */
		uint32_t localspluskinds;     /* bytes (3.11+) */
		uint32_t size;                /* bytes to read for one code object header */
	} code;

	struct {
		uint32_t ob_type;             /* 8, or 24 on free-threaded builds */
		uint32_t ob_size;             /* PyVarObject.ob_size */
	} object;

	struct {
		uint32_t tp_name;             /* const char * */
	} type;

	struct {
		uint32_t length;              /* Py_ssize_t (PEP 393) / ob_size (2.7) */
		uint32_t state;               /* u32 bitfield: kind bits 2-4, compact 5, ascii 6 */
		uint32_t ascii_data;          /* sizeof(PyASCIIObject) / 2.7 ob_sval */
		uint32_t compact_data;        /* sizeof(PyCompactUnicodeObject) */
	} unicode;

	struct { uint32_t size, data; } bytes;      /* ob_size, ob_sval */
	struct { uint32_t size, items; } tuple;     /* ob_size, ob_item[] */
	struct { uint32_t size; } list;             /* ob_size */
	struct { uint32_t used; } dict;             /* ma_used */
	struct { uint32_t value; } float_;          /* ob_fval */
	struct { uint32_t value; } int27;           /* PyIntObject ob_ival (2.7) */
	struct { uint32_t tag_or_size, digits; } long_; /* lv_tag / ob_size, ob_digit[] */

	/* ---- dicts and instance attributes (src/pydict.c) ---- */
	enum dict_model dicts;
	enum instdict_model instdicts;
	struct {
		uint32_t mask;                /* Py_ssize_t ma_mask (2.7) */
		uint32_t table;               /* PyDictEntry *ma_table (2.7) */
		uint32_t keys;                /* PyDictKeysObject *ma_keys (3.6+) */
		uint32_t values;              /* ma_values: values of a split table, or NULL (3.6+) */
	} dictobj;
	struct {                          /* PyDictKeysObject (3.6+) */
		uint32_t size;                /* Py_ssize_t dk_size (3.6 - 3.10) */
		uint32_t log2_size;           /* uint8_t dk_log2_size (3.11+) */
		uint32_t log2_index_bytes;    /* uint8_t dk_log2_index_bytes (3.11+) */
		uint32_t kind;                /* uint8_t dk_kind (3.11+) */
		uint32_t kind_general;        /* the dk_kind value DICT_KEYS_GENERAL (3.11+) */
		uint32_t nentries;            /* Py_ssize_t dk_nentries */
		uint32_t indices;             /* dk_indices[]; the entries follow the indices */
	} dictkeys;
	struct {
		uint32_t size, key, value;    /* PyDictKeyEntry {hash, key, value} (2.7: PyDictEntry) */
		uint32_t unicode_size;        /* PyDictUnicodeEntry {key, value} (3.11+: every */
		uint32_t unicode_key;         /* dk_kind other than DICT_KEYS_GENERAL) */
		uint32_t unicode_value;
	} dictentry;
	struct {                          /* a split table's values (3.6+) */
		uint32_t capacity;            /* uint8_t capacity (3.13+) */
		uint32_t valid;               /* uint8_t valid (3.13+) */
		uint32_t values;              /* PyObject *values[], indexed like the keys' entries */
	} dictvalues;
	struct {                          /* PyTypeObject / PyHeapTypeObject */
		uint32_t basicsize;           /* Py_ssize_t tp_basicsize */
		uint32_t dictoffset;          /* Py_ssize_t tp_dictoffset */
		uint32_t flags;               /* unsigned long tp_flags */
		uint32_t cached_keys;         /* PyHeapTypeObject.ht_cached_keys (3.x) */
		/* tp_flags bits; 0 when the version has no such flag */
		uint32_t flag_managed_dict;   /* Py_TPFLAGS_MANAGED_DICT (3.11+) */
		uint32_t flag_inline_values;  /* Py_TPFLAGS_INLINE_VALUES (3.13+) */
		uint32_t flag_dict;           /* Py_TPFLAGS_DICT_SUBCLASS */
		uint32_t flag_str;            /* Py_TPFLAGS_UNICODE_SUBCLASS (2.7: STRING_SUBCLASS) */
		uint32_t flag_long;           /* Py_TPFLAGS_LONG_SUBCLASS */
		uint32_t flag_int27;          /* Py_TPFLAGS_INT_SUBCLASS (2.7) */
	} typeattr;
	struct {                          /* where a MANAGED_DICT object keeps its attributes */
		uint32_t dict_before;         /* dict (3.12: dict-or-values) pointer at obj - this (3.11+) */
		uint32_t values_before;       /* values pointer at obj - this (3.11) */
	} instdict;
	struct { uint32_t dict; } module;     /* PyModuleObject.md_dict */
	uint32_t long_shift;                  /* PyLong_SHIFT: value bits per ob_digit */
};

/* The compiled-in table for major.minor and flavour, or NULL when pyheat has none.
 * Where the layout moved between patch releases, this is the newest one's. */
const struct py_layout *layout_for(unsigned major, unsigned minor, int free_threaded);

/* The same for patch release major.minor.micro (micro LAYOUT_MICRO_ANY when
 * it is not known: the newest patch release's table, as layout_for()). */
const struct py_layout *layout_for_release(unsigned major, unsigned minor, unsigned micro,
                                           int free_threaded);

/* The i-th compiled-in table (every version, flavour and patch range), or NULL
 * past the last: for tests. */
const struct py_layout *layout_table(size_t i);

/* The versions that have a table, for messages and tests: "2.7 3.6 ... 3.15". */
const char *layout_versions(void);

#endif
