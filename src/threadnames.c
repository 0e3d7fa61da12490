/* threadnames.c — Thread.name of every thread, from threading._active. See
 * include/threadnames.h. */
#include <string.h>

#include "pydict.h"
#include "pyobj.h"
#include "threadnames.h"

struct collect {
	const struct remote *r;
	const struct py_layout *l;
	const char *attr;              /* the Thread attribute holding the name */
	struct thread_name *out;
	int cap, n;
};

static int collect_one(uint64_t key, uint64_t value, void *vctx)
{
	struct collect *c = vctx;
	struct thread_name *tn = &c->out[c->n];
	struct pydict attrs;
	uint64_t name;

	if (c->n >= c->cap)
		return 1;
	/* an entry that cannot be read is left out, not an error: the others
	 * are still good */
	if (pyobj_read_int64(c->r, c->l, key, &tn->ident) < 0 ||
	    pydict_open_instance(c->r, c->l, value, &attrs) < 0 ||
	    pydict_get_str(c->r, c->l, &attrs, c->attr, &name) != 1 ||
	    pyobj_read_str(c->r, c->l, name, tn->name, sizeof tn->name) < 0)
		return 0;
	c->n++;
	return 0;
}

int thread_names_read(const struct target *t, uint64_t interp, struct thread_name *out, int cap)
{
	const struct remote *r = &t->mem;
	const struct py_layout *l = &t->layout;
	uint64_t modules, threading, md_dict, active;
	struct pydict d;
	int rc;

	if (cap <= 0 || !remote_ptr_ok(interp, 8) || l->interp.modules == LAYOUT_NONE ||
	    l->module.dict == LAYOUT_NONE ||
	    remote_read_u64(r, interp + l->interp.modules, &modules) < 0)
		return -1;
	if (modules == 0)
		return 0;   /* starting up or shutting down */
	rc = pydict_lookup(r, l, modules, "threading", &threading);
	if (rc <= 0)
		return rc;
	/* md_dict is checked to be a dict by pydict_open */
	if (!remote_ptr_ok(threading, 8) ||
	    remote_read_u64(r, threading + l->module.dict, &md_dict) < 0)
		return -1;
	rc = pydict_lookup(r, l, md_dict, "_active", &active);
	if (rc <= 0)
		return rc;
	if (pydict_open(r, l, active, &d) < 0)
		return -1;
	/* Lib/threading.py: 2.7 keeps the name in a private `self.__name` */
	struct collect c = { r, l, l->major == 2 ? "_Thread__name" : "_name", out, cap, 0 };
	if (pydict_foreach(r, l, &d, collect_one, &c) < 0)
		return -1;
	return c.n;
}

const char *thread_name_find(const struct thread_name *names, int n, uint64_t ident)
{
	for (int i = 0; i < n; i++)
		if (names[i].ident == ident)
			return names[i].name;
	return NULL;
}
