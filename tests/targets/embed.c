/* embed.c — a program that is not python but embeds CPython, as uWSGI does.
 *
 *   embedhost SCRIPT ARG...
 *
 * Initializes the interpreter, sets sys.argv to [SCRIPT, ARG...] and runs
 * SCRIPT as __main__ (tests/targets/idle.py: it writes its ready file, the
 * last argument, and parks in idle_wait()). Builds against CPython 2.7 and
 * 3.x; tests/test_core_extra.py compiles it with the interpreter's own
 * pythonX.Y-config flags (--embed on 3.8+), e.g.
 *
 *   cc -o embedhost tests/targets/embed.c $(python3.11-config --cflags) \
 *      $(python3.11-config --ldflags --embed) -Wl,-rpath,<its lib dir>
 */
#include <Python.h>

#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s SCRIPT [ARG...]\n", argv[0]);
		return 2;
	}
	Py_Initialize();

	PyObject *args = PyList_New(0);
	for (int i = 1; args && i < argc; i++) {
#if PY_MAJOR_VERSION >= 3
		PyObject *s = PyUnicode_DecodeFSDefault(argv[i]);
#else
		PyObject *s = PyString_FromString(argv[i]);
#endif
		if (!s || PyList_Append(args, s) < 0) {
			PyErr_Print();
			return 1;
		}
		Py_DECREF(s);
	}
	if (!args || PySys_SetObject("argv", args) < 0) {
		PyErr_Print();
		return 1;
	}
	Py_DECREF(args);

	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	int rc = PyRun_SimpleFileEx(f, argv[1], 1);   /* closes f */
	Py_Finalize();
	return rc == 0 ? 0 : 1;
}
