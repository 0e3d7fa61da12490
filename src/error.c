/* error.c — errors as values (see include/error.h). */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

int ph_fail(struct ph_error *e, int code, const char *fmt, ...)
{
	if (e == NULL)
		return -1;
	e->code = code;
	e->msg[0] = '\0';
	if (fmt != NULL) {
		va_list ap;
		va_start(ap, fmt);
		if (vsnprintf(e->msg, sizeof e->msg, fmt, ap) < 0)
			e->msg[0] = '\0';
		va_end(ap);
	}
	return -1;
}

const char *ph_exit_name(int code)
{
	switch (code) {
	case PH_OK:           return "success";
	case PH_EUSAGE:       return "usage error";
	case PH_ENOPROC:      return "no such process";
	case PH_ENOTPYTHON:   return "not a Python process";
	case PH_EUNSUPPORTED: return "unsupported Python build";
	case PH_EPERM:        return "permission denied";
	case PH_EEXITED:      return "target exited";
	case PH_EBADFILE:     return "bad input file";
	case PH_ESYSTEM:      return "system error";
	case PH_ENOTTY:       return "no terminal";
	case PH_EREAD:        return "inconsistent read";
	}
	return "unknown error";
}
