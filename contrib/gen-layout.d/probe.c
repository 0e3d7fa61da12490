/* probe.c — compiled by contrib/gen-layout once per CPython version, against
 * that version's OWN headers, to print the numbers of one `struct py_layout`
 * (include/layout.h).
 *
 * Output: one line per field, "<designator> <value>", in the order of
 * contrib/gen-layout.d/fields; <value> is a decimal number or a C identifier
 * (LAYOUT_NONE, an enum constant). Lines starting with '#' are notes that
 * gen-layout copies into the generated file as comments.
 *
 * Every number is offsetof()/sizeof() on the real structs, except where a
 * comment says otherwise (bitfield positions are measured at run time by
 * setting the bitfield in a zeroed object and looking at which bits moved).
 *
 * Build (gen-layout does this):
 *   cc -std=gnu11 -DPy_BUILD_CORE=1 -I<python include dir> [-I<multiarch root>] probe.c
 * Never linked against libpython: it uses no CPython function. */
#if !defined(Py_BUILD_CORE)
#define Py_BUILD_CORE 1
#endif

#include <Python.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if PY_VERSION_HEX < 0x03000000
/* ---- 2.7: everything is public ---- */
#  include <frameobject.h>
#  include <code.h>
#  include <longintrepr.h>
#elif PY_VERSION_HEX < 0x03070000
/* ---- 3.6: public headers; no _PyRuntime yet ---- */
#  include <frameobject.h>
#  include <code.h>
#  include <longintrepr.h>
#elif PY_VERSION_HEX < 0x03080000
/* ---- 3.7: Include/internal/{pystate,ceval,gil}.h (no pycore_ prefix) ---- */
#  include <frameobject.h>
#  include <longintrepr.h>
#  include "internal/pystate.h"
#  include "internal/gil.h"
#elif PY_VERSION_HEX < 0x03090000
/* ---- 3.8: struct _is and _PyRuntimeState in pycore_pystate.h ---- */
#  include <frameobject.h>
#  include <longintrepr.h>
#  include "internal/pycore_pystate.h"
#  include "internal/pycore_gil.h"
#elif PY_VERSION_HEX < 0x030B0000
/* ---- 3.9, 3.10: pycore_runtime.h / pycore_interp.h ---- */
#  include <frameobject.h>
#  include <longintrepr.h>
#  include "internal/pycore_runtime.h"
#  include "internal/pycore_interp.h"
#  include "internal/pycore_gil.h"
#elif PY_VERSION_HEX < 0x030E0000
/* ---- 3.11 - 3.13: _PyInterpreterFrame in pycore_frame.h ---- */
#  include "internal/pycore_runtime.h"
#  include "internal/pycore_interp.h"
#  include "internal/pycore_frame.h"
#  include "internal/pycore_gil.h"
#  if PY_VERSION_HEX >= 0x030D0000
#    include "internal/pycore_tstate.h"
#  endif
#else
/* ---- 3.14+: the structs moved to pycore_*_structs.h ---- */
#  include "internal/pycore_runtime_structs.h"
#  include "internal/pycore_interp_structs.h"
#  include "internal/pycore_interpframe_structs.h"
#  include "internal/pycore_tstate.h"
#endif

#define V(maj, min) (PY_VERSION_HEX >= (((maj) << 24) | ((min) << 16)))

/* ---- dicts, modules and instance attributes (pydict.c) ---- */
#if V(3, 11)
#  include "internal/pycore_dict.h"
#  include "internal/pycore_object.h"
#endif
#if V(3, 10)
#  include "internal/pycore_moduleobject.h"
#endif
#if V(3, 6) && !V(3, 11)
/* 3.6 - 3.10 keep PyDictKeysObject in Objects/dict-common.h, which is not
 * installed: these are copies of it (3.6 declares dk_indices as a union of
 * int8_t[8] ... int64_t[1], 3.7 - 3.10 as `char dk_indices[]`; same offset).
 * Checked on live 3.6 - 3.10 processes with ctypes. */
typedef struct {
	Py_hash_t me_hash;
	PyObject *me_key;
	PyObject *me_value;
} probe_PyDictKeyEntry;
struct probe_dictkeysobject {
	Py_ssize_t dk_refcnt;
	Py_ssize_t dk_size;
	void *dk_lookup;
	Py_ssize_t dk_usable;
	Py_ssize_t dk_nentries;
	char dk_indices[];
};
#endif

static int failed;

static void num(const char *key, size_t v)
{
	if (v >= UINT32_MAX) {
		fprintf(stderr, "probe: %s = %zu does not fit a uint32_t\n", key, v);
		failed = 1;
	}
	printf("%s %zu\n", key, v);
}

static void sym(const char *key, const char *v) { printf("%s %s\n", key, v); }

#define OFF(key, type, member) num(key, offsetof(type, member))
#define SZ(key, type)          num(key, sizeof(type))
#define NONE(key)              sym(key, "LAYOUT_NONE")

/* PyObject_VAR_HEAD is three loose fields in 2.7, a PyVarObject ob_base in 3.x. */
#if V(3, 0)
#  define OB_SIZE ob_base.ob_size
#else
#  define OB_SIZE ob_size
#endif

#if V(3, 0)
/* The bit positions of the PEP 393 `state` bitfield, measured: zero an
 * object, set one bitfield to all ones, see which bits of the 32-bit word at
 * offsetof(PyASCIIObject, state) changed. The walker assumes kind bits 2-4,
 * compact 5, ascii 6 (include/layout.h); gen-layout refuses other answers. */
static uint32_t state_word(const PyASCIIObject *o)
{
	uint32_t w;
	memcpy(&w, (const char *)o + offsetof(PyASCIIObject, state), sizeof w);
	return w;
}

static void unicode_bits(void)
{
	PyASCIIObject o;
	uint32_t kind, compact, ascii;

	memset(&o, 0, sizeof o);
	o.state.kind = 7;
	kind = state_word(&o);
	memset(&o, 0, sizeof o);
	o.state.compact = 1;
	compact = state_word(&o);
	memset(&o, 0, sizeof o);
	o.state.ascii = 1;
	ascii = state_word(&o);
	printf("#bits kind=0x%x compact=0x%x ascii=0x%x\n", (unsigned)kind,
	       (unsigned)compact, (unsigned)ascii);
	if (kind != 0x1cu || compact != 0x20u || ascii != 0x40u) {
		fprintf(stderr, "probe: unicode state bits are kind=0x%x compact=0x%x "
		        "ascii=0x%x, not 0x1c/0x20/0x40: the walker's bit masks are "
		        "wrong for this version (layout.h needs fields for them)\n",
		        (unsigned)kind, (unsigned)compact, (unsigned)ascii);
		failed = 1;
	}
}
#endif

#if V(3, 11)
/* Where the inline helpers of pycore_object.h put a MANAGED_DICT object's
 * dict (and values) pointers, measured by calling them on a fake object
 * whose type has the flags set: bytes before the object. */
static size_t before(const PyObject *obj, const void *p)
{
	return (size_t)((const char *)obj - (const char *)p);
}
#endif

static void dicts(void)
{
#if V(3, 11)
	static PyTypeObject fake_type;
	static union { char raw[512]; void *align; } fake;
	PyObject *obj = (PyObject *)(fake.raw + 128);

	fake_type.tp_flags = Py_TPFLAGS_MANAGED_DICT;
#  if V(3, 13)
	fake_type.tp_flags |= Py_TPFLAGS_INLINE_VALUES;
#  endif
	fake_type.tp_basicsize = sizeof(PyObject);
	obj->ob_type = &fake_type;
#endif

#if V(3, 11)
	sym("dicts", "DICT_KEYS311");
#elif V(3, 6)
	sym("dicts", "DICT_KEYS36");
#else
	sym("dicts", "DICT_TABLE27");
#endif
#if V(3, 13)
	sym("instdicts", "INSTDICT_INLINE");
#elif V(3, 12)
	sym("instdicts", "INSTDICT_DORV");
#elif V(3, 11)
	sym("instdicts", "INSTDICT_MANAGED");
#else
	sym("instdicts", "INSTDICT_OFFSET");
#endif

	/* PyDictObject */
#if V(3, 0)
	NONE("dictobj.mask");
	NONE("dictobj.table");
	OFF("dictobj.keys", PyDictObject, ma_keys);
	OFF("dictobj.values", PyDictObject, ma_values);
#else
	OFF("dictobj.mask", PyDictObject, ma_mask);
	OFF("dictobj.table", PyDictObject, ma_table);
	NONE("dictobj.keys");
	NONE("dictobj.values");
#endif

	/* PyDictKeysObject and its entries */
#if V(3, 11)
	NONE("dictkeys.size");
	OFF("dictkeys.log2_size", PyDictKeysObject, dk_log2_size);
	OFF("dictkeys.log2_index_bytes", PyDictKeysObject, dk_log2_index_bytes);
	OFF("dictkeys.kind", PyDictKeysObject, dk_kind);
	num("dictkeys.kind_general", DICT_KEYS_GENERAL);
	OFF("dictkeys.nentries", PyDictKeysObject, dk_nentries);
	OFF("dictkeys.indices", PyDictKeysObject, dk_indices);
	SZ("dictentry.size", PyDictKeyEntry);
	OFF("dictentry.key", PyDictKeyEntry, me_key);
	OFF("dictentry.value", PyDictKeyEntry, me_value);
	SZ("dictentry.unicode_size", PyDictUnicodeEntry);
	OFF("dictentry.unicode_key", PyDictUnicodeEntry, me_key);
	OFF("dictentry.unicode_value", PyDictUnicodeEntry, me_value);
#elif V(3, 6)
	OFF("dictkeys.size", struct probe_dictkeysobject, dk_size);
	NONE("dictkeys.log2_size");
	NONE("dictkeys.log2_index_bytes");
	NONE("dictkeys.kind");
	NONE("dictkeys.kind_general");
	OFF("dictkeys.nentries", struct probe_dictkeysobject, dk_nentries);
	OFF("dictkeys.indices", struct probe_dictkeysobject, dk_indices);
	SZ("dictentry.size", probe_PyDictKeyEntry);
	OFF("dictentry.key", probe_PyDictKeyEntry, me_key);
	OFF("dictentry.value", probe_PyDictKeyEntry, me_value);
	NONE("dictentry.unicode_size");
	NONE("dictentry.unicode_key");
	NONE("dictentry.unicode_value");
#else
	NONE("dictkeys.size");
	NONE("dictkeys.log2_size");
	NONE("dictkeys.log2_index_bytes");
	NONE("dictkeys.kind");
	NONE("dictkeys.kind_general");
	NONE("dictkeys.nentries");
	NONE("dictkeys.indices");
	SZ("dictentry.size", PyDictEntry);
	OFF("dictentry.key", PyDictEntry, me_key);
	OFF("dictentry.value", PyDictEntry, me_value);
	NONE("dictentry.unicode_size");
	NONE("dictentry.unicode_key");
	NONE("dictentry.unicode_value");
#endif

	/* split-table values */
#if V(3, 13)
	OFF("dictvalues.capacity", PyDictValues, capacity);
	OFF("dictvalues.valid", PyDictValues, valid);
	OFF("dictvalues.values", PyDictValues, values);
#elif V(3, 11)
	NONE("dictvalues.capacity");
	NONE("dictvalues.valid");
	OFF("dictvalues.values", PyDictValues, values);
#elif V(3, 6)
	NONE("dictvalues.capacity");
	NONE("dictvalues.valid");
	num("dictvalues.values", 0);    /* ma_values is a plain PyObject ** */
#else
	NONE("dictvalues.capacity");
	NONE("dictvalues.valid");
	NONE("dictvalues.values");
#endif

	/* types */
	OFF("typeattr.basicsize", PyTypeObject, tp_basicsize);
	OFF("typeattr.dictoffset", PyTypeObject, tp_dictoffset);
	OFF("typeattr.flags", PyTypeObject, tp_flags);
#if V(3, 0)
	OFF("typeattr.cached_keys", PyHeapTypeObject, ht_cached_keys);
#else
	NONE("typeattr.cached_keys");
#endif
#if V(3, 11)
	num("typeattr.flag_managed_dict", Py_TPFLAGS_MANAGED_DICT);
#else
	num("typeattr.flag_managed_dict", 0);
#endif
#if V(3, 13)
	num("typeattr.flag_inline_values", Py_TPFLAGS_INLINE_VALUES);
#else
	num("typeattr.flag_inline_values", 0);
#endif
	num("typeattr.flag_dict", Py_TPFLAGS_DICT_SUBCLASS);
#if V(3, 0)
	num("typeattr.flag_str", Py_TPFLAGS_UNICODE_SUBCLASS);
	num("typeattr.flag_long", Py_TPFLAGS_LONG_SUBCLASS);
	num("typeattr.flag_int27", 0);
#else
	num("typeattr.flag_str", Py_TPFLAGS_STRING_SUBCLASS);
	num("typeattr.flag_long", Py_TPFLAGS_LONG_SUBCLASS);
	num("typeattr.flag_int27", Py_TPFLAGS_INT_SUBCLASS);
#endif

	/* instance attributes of MANAGED_DICT objects */
#if V(3, 13)
	num("instdict.dict_before", before(obj, _PyObject_ManagedDictPointer(obj)));
	NONE("instdict.values_before");
	if ((size_t)((char *)_PyObject_InlineValues(obj) - (char *)obj) !=
	    (size_t)fake_type.tp_basicsize) {
		fprintf(stderr, "probe: _PyObject_InlineValues is not at obj + tp_basicsize\n");
		failed = 1;
	}
#elif V(3, 12)
	num("instdict.dict_before", before(obj, _PyObject_DictOrValuesPointer(obj)));
	NONE("instdict.values_before");
#elif V(3, 11)
	num("instdict.dict_before", before(obj, _PyObject_ManagedDictPointer(obj)));
	num("instdict.values_before", before(obj, _PyObject_ValuesPointer(obj)));
#else
	NONE("instdict.dict_before");
	NONE("instdict.values_before");
#endif

	/* modules */
#if V(3, 10)
	OFF("module.dict", PyModuleObject, md_dict);
#else
	/* PyModuleObject is private to Objects/moduleobject.c before 3.10:
	 * { PyObject_HEAD; PyObject *md_dict; ... } */
	printf("#note module.dict: PyModuleObject is private before 3.10; md_dict follows PyObject_HEAD\n");
	SZ("module.dict", PyObject);
#endif
	num("long_shift", PyLong_SHIFT);
}

int main(void)
{
	/* ---- header ---- */
	printf("#version %s\n", PY_VERSION);
	num("major", PY_MAJOR_VERSION);
	num("minor", PY_MINOR_VERSION);
#ifdef Py_GIL_DISABLED
	num("free_threaded", 1);
#else
	num("free_threaded", 0);
#endif
	sym("frames", V(3, 11) ? "FRAME_INTERP" : "FRAME_OBJECT");
	sym("lines", V(3, 11) ? "LINES_LOCATIONS" : V(3, 10) ? "LINES_TABLE_310"
	             : V(3, 0) ? "LINES_LNOTAB_S8" : "LINES_LNOTAB_U8");
	sym("gil", V(3, 12) ? "GIL_INTERP_STRUCT" : V(3, 7) ? "GIL_RUNTIME_CURRENT"
	           : "GIL_TSTATE_SYMBOL");
	sym("strings", V(3, 0) ? "STR_PEP393" : "STR_BYTES27");
	sym("ints", V(3, 12) ? "INT_DIGITS_TAG" : "INT_DIGITS_SIZE");
	/* 3.14: _PyInterpreterFrame.f_executable became a _PyStackRef. */
	num("tagged_executable", V(3, 14));
	/* 3.10 only: f_lasti counts code units (3.11+ has no f_lasti in the frame). */
	num("lasti_in_code_units", V(3, 10) && !V(3, 11));

	/* ---- _PyRuntime ---- */
#if V(3, 7)
	OFF("runtime.interpreters_head", _PyRuntimeState, interpreters.head);
#else
	NONE("runtime.interpreters_head");   /* static `interp_head` symbol */
#endif
#if V(3, 7) && !V(3, 12)
	OFF("runtime.gilstate_current", _PyRuntimeState, gilstate.tstate_current);
#else
	NONE("runtime.gilstate_current");    /* 2.7/3.6 symbol; 3.12+ thread-local */
#endif
#if V(3, 7) && !V(3, 12)
	OFF("runtime.ceval_gil", _PyRuntimeState, ceval.gil);
#else
	NONE("runtime.ceval_gil");           /* 3.12+: interp->ceval.gil */
#endif

	/* ---- PyInterpreterState ---- */
	OFF("interp.next", PyInterpreterState, next);
#if V(3, 11)
	OFF("interp.tstate_head", PyInterpreterState, threads.head);
#else
	OFF("interp.tstate_head", PyInterpreterState, tstate_head);
#endif
#if V(3, 7)
	OFF("interp.id", PyInterpreterState, id);
#else
	NONE("interp.id");
#endif
#if V(3, 12)
	OFF("interp.gil_ptr", PyInterpreterState, ceval.gil);
	OFF("interp.modules", PyInterpreterState, imports.modules);
#else
	NONE("interp.gil_ptr");
	OFF("interp.modules", PyInterpreterState, modules);
#endif
	/* 3.13+: init_code() bumps the interpreter's func_state.next_version for
	 * every new code object (3.12 uses the global _Py_next_func_version) */
#if V(3, 13)
	OFF("interp.code_version", PyInterpreterState, func_state.next_version);
#else
	NONE("interp.code_version");
#endif

	/* ---- struct _gil_runtime_state (a private header only from 3.7) ---- */
#if V(3, 7)
	OFF("gil_state.locked", struct _gil_runtime_state, locked);
	OFF("gil_state.last_holder", struct _gil_runtime_state, last_holder);
	OFF("gil_state.switch_number", struct _gil_runtime_state, switch_number);
#else
	NONE("gil_state.locked");
	NONE("gil_state.last_holder");
	NONE("gil_state.switch_number");
#endif

	/* ---- PyThreadState ---- */
	OFF("tstate.next", PyThreadState, next);
	OFF("tstate.interp", PyThreadState, interp);
#if V(3, 11)
	NONE("tstate.frame");
#else
	OFF("tstate.frame", PyThreadState, frame);
#endif
#if V(3, 11) && !V(3, 13)
	OFF("tstate.cframe", PyThreadState, cframe);
#else
	NONE("tstate.cframe");
#endif
#if V(3, 13)
	OFF("tstate.current_frame", PyThreadState, current_frame);
#else
	NONE("tstate.current_frame");
#endif
	OFF("tstate.thread_id", PyThreadState, thread_id);
#if V(3, 11)
	OFF("tstate.native_thread_id", PyThreadState, native_thread_id);
	OFF("tstate.datastack_chunk", PyThreadState, datastack_chunk);
#else
	NONE("tstate.native_thread_id");
	NONE("tstate.datastack_chunk");
#endif
#if V(3, 13)
	/* `int state`: _Py_THREAD_DETACHED / ATTACHED / SUSPENDED (pycore_pystate.h). */
	OFF("tstate.status", PyThreadState, state);
#else
	NONE("tstate.status");
#endif
#if defined(Py_GIL_DISABLED)
	/* Free-threaded builds allocate every thread state as a _PyThreadStateImpl
	 * (Python/pystate.c alloc_threadstate); read the whole of it. */
	printf("#note tstate.size is sizeof(_PyThreadStateImpl), the type Python/pystate.c "
	       "allocates (sizeof(PyThreadState) is %zu)\n", sizeof(PyThreadState));
	SZ("tstate.size", _PyThreadStateImpl);
#else
	SZ("tstate.size", PyThreadState);
#endif

	/* ---- _PyCFrame (3.11, 3.12) ---- */
#if V(3, 11) && !V(3, 13)
	OFF("cframe.current_frame", _PyCFrame, current_frame);
#else
	NONE("cframe.current_frame");
#endif

	/* ---- frames ---- */
#if !V(3, 11)
	OFF("frame.previous", PyFrameObject, f_back);
	OFF("frame.code", PyFrameObject, f_code);
	OFF("frame.lasti", PyFrameObject, f_lasti);
	NONE("frame.owner");
	NONE("frame.is_entry");
	OFF("frame.localsplus", PyFrameObject, f_localsplus);
	NONE("frame.stacktop");
	OFF("frame.size", PyFrameObject, f_localsplus);
#else
	OFF("frame.previous", _PyInterpreterFrame, previous);
#  if V(3, 13)
	OFF("frame.code", _PyInterpreterFrame, f_executable);
	OFF("frame.lasti", _PyInterpreterFrame, instr_ptr);
#  else
	OFF("frame.code", _PyInterpreterFrame, f_code);
	OFF("frame.lasti", _PyInterpreterFrame, prev_instr);
#  endif
	OFF("frame.owner", _PyInterpreterFrame, owner);
#  if V(3, 12)
	NONE("frame.is_entry");
#  else
	OFF("frame.is_entry", _PyInterpreterFrame, is_entry);
#  endif
	OFF("frame.localsplus", _PyInterpreterFrame, localsplus);
#  if V(3, 14)
	NONE("frame.stacktop");   /* replaced by `_PyStackRef *stackpointer` */
#  else
	/* 3.11 - 3.13 keep `int stacktop` (3.13 too: see its pycore_frame.h);
	 * 3.14 replaced it with `_PyStackRef *stackpointer`. */
#    if V(3, 13)
	printf("#note 3.13 still has `int stacktop` (3.14 replaced it with stackpointer)\n");
#    endif
	OFF("frame.stacktop", _PyInterpreterFrame, stacktop);
#  endif
	OFF("frame.size", _PyInterpreterFrame, localsplus);
#endif

	/* ---- PyCodeObject ---- */
	OFF("code.filename", PyCodeObject, co_filename);
	OFF("code.name", PyCodeObject, co_name);
#if V(3, 11)
	OFF("code.qualname", PyCodeObject, co_qualname);
#else
	NONE("code.qualname");
#endif
	OFF("code.firstlineno", PyCodeObject, co_firstlineno);
#if V(3, 10)
	OFF("code.linetable", PyCodeObject, co_linetable);
#else
	OFF("code.linetable", PyCodeObject, co_lnotab);
#endif
#if V(3, 11)
	NONE("code.code");
	OFF("code.code_adaptive", PyCodeObject, co_code_adaptive);
#else
	OFF("code.code", PyCodeObject, co_code);
	NONE("code.code_adaptive");
#endif
	OFF("code.argcount", PyCodeObject, co_argcount);
	OFF("code.nlocals", PyCodeObject, co_nlocals);
#if V(3, 11)
	NONE("code.varnames");
	OFF("code.localsplusnames", PyCodeObject, co_localsplusnames);
	OFF("code.localspluskinds", PyCodeObject, co_localspluskinds);
	OFF("code.size", PyCodeObject, co_code_adaptive);
#else
	OFF("code.varnames", PyCodeObject, co_varnames);
	NONE("code.localsplusnames");
	NONE("code.localspluskinds");
	SZ("code.size", PyCodeObject);
#endif

	/* ---- objects ---- */
	OFF("object.ob_type", PyObject, ob_type);
	OFF("object.ob_size", PyVarObject, ob_size);
	OFF("type.tp_name", PyTypeObject, tp_name);
#if V(3, 0)
	OFF("unicode.length", PyASCIIObject, length);
	/* `state` is a named struct of bitfields, so offsetof works on it; its bit
	 * positions are checked by unicode_bits(). */
	OFF("unicode.state", PyASCIIObject, state);
	SZ("unicode.ascii_data", PyASCIIObject);
	SZ("unicode.compact_data", PyCompactUnicodeObject);
	OFF("bytes.size", PyBytesObject, OB_SIZE);
	OFF("bytes.data", PyBytesObject, ob_sval);
#else
	/* 2.7 code names are PyStringObject */
	OFF("unicode.length", PyStringObject, OB_SIZE);
	NONE("unicode.state");
	OFF("unicode.ascii_data", PyStringObject, ob_sval);
	NONE("unicode.compact_data");
	OFF("bytes.size", PyStringObject, OB_SIZE);
	OFF("bytes.data", PyStringObject, ob_sval);
#endif
	OFF("tuple.size", PyTupleObject, OB_SIZE);
	OFF("tuple.items", PyTupleObject, ob_item);
	OFF("list.size", PyListObject, OB_SIZE);
	OFF("dict.used", PyDictObject, ma_used);
	OFF("float_.value", PyFloatObject, ob_fval);
#if V(3, 0)
	NONE("int27.value");
#else
	OFF("int27.value", PyIntObject, ob_ival);
#endif
#if V(3, 12)
	OFF("long_.tag_or_size", PyLongObject, long_value.lv_tag);
	OFF("long_.digits", PyLongObject, long_value.ob_digit);
#else
	OFF("long_.tag_or_size", PyLongObject, OB_SIZE);
	OFF("long_.digits", PyLongObject, ob_digit);
#endif

	dicts();

#if V(3, 0)
	unicode_bits();
#endif
#ifdef Py_DEBUG
	printf("#debug Py_DEBUG\n");
#endif
	return failed;
}
