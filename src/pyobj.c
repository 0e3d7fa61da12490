/* pyobj.c — Python objects out of the target. See include/pyobj.h. */
#include <stdio.h>
#include <string.h>

#include "pyobj.h"
#include "textout.h"

#define STR_MAX_CHARS 1024    /* longest name read from the target */

int utf8_put(char *buf, size_t cap, size_t *pos, uint32_t cp)
{
	char tmp[12];
	size_t n;
	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp >= 0xd800 && cp <= 0xdfff) {
		n = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)cp);
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else if (cp <= 0x10ffff) {
		tmp[0] = (char)(0xf0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	} else {
		n = (size_t)snprintf(tmp, sizeof tmp, "\\U%08x", (unsigned)cp);
	}
	if (*pos + n + 1 > cap)
		return -1;
	memcpy(buf + *pos, tmp, n);
	*pos += n;
	buf[*pos] = '\0';
	return 0;
}

size_t utf8_sanitize(const uint8_t *in, size_t n, char *out, size_t cap)
{
	size_t pos = 0;
	if (cap == 0)
		return 0;
	out[0] = '\0';
	for (size_t i = 0; i < n;) {
		size_t len = (size_t)utf8_seq_len(in + i, n - i);
		if (len) {
			if (pos + len + 1 > cap)
				break;
			memcpy(out + pos, in + i, len);
			pos += len;
			i += len;
		} else {
			if (pos + 5 > cap)
				break;
			pos += (size_t)snprintf(out + pos, cap - pos, "\\x%02x", in[i]);
			i++;
		}
	}
	out[pos] = '\0';
	return pos;
}

/* Mark a cut-short string: replace the tail with "..." at a char boundary. */
static size_t mark_truncated(char *buf, size_t cap, size_t pos)
{
	if (cap < 4)
		return pos;
	while (pos + 4 > cap && pos > 0) {
		pos--;
		while (pos > 0 && ((unsigned char)buf[pos] & 0xc0) == 0x80)
			pos--;
	}
	memcpy(buf + pos, "...", 4);
	return pos + 3;
}

static int read_str27(const struct remote *r, const struct py_layout *l, uint64_t addr,
                      char *buf, size_t cap)
{
	int64_t len;
	if (remote_read(r, addr + l->unicode.length, &len, sizeof len) < 0 || len < 0)
		return -1;
	uint8_t raw[STR_MAX_CHARS];
	size_t want = (size_t)len < sizeof raw ? (size_t)len : sizeof raw;
	if (remote_read(r, addr + l->unicode.ascii_data, raw, want) < 0)
		return -1;
	size_t pos = utf8_sanitize(raw, want, buf, cap);
	if ((size_t)len > want || pos < want)
		pos = mark_truncated(buf, cap, pos);
	return (int)pos;
}

int pyobj_read_str(const struct remote *r, const struct py_layout *l, uint64_t addr,
                   char *buf, size_t cap)
{
	if (cap == 0)
		return -1;
	buf[0] = '\0';
	if (!remote_ptr_ok(addr, 8))
		return -1;
	if (l->strings == STR_BYTES27)
		return read_str27(r, l, addr, buf, cap);

	/* One read for the header and the start of the data, which is the
	 * whole string for nearly every name. */
	uint8_t raw[256 + STR_MAX_CHARS * 4];
	size_t head = l->unicode.compact_data != LAYOUT_NONE ? l->unicode.compact_data
	                                                    : l->unicode.ascii_data + 24;
	if (remote_read(r, addr, raw, head + 128) < 0 && remote_read(r, addr, raw, head) < 0)
		return -1;
	int64_t len;
	uint32_t state;
	memcpy(&len, raw + l->unicode.length, sizeof len);
	memcpy(&state, raw + l->unicode.state, sizeof state);
	unsigned kind = (state >> 2) & 7, compact = (state >> 5) & 1, ascii = (state >> 6) & 1;
	if (len < 0 || (kind != 1 && kind != 2 && kind != 4) || (ascii && kind != 1))
		return -1;
	uint64_t data;
	if (!compact) {
		/* legacy string: PyUnicodeObject.data.any follows the compact header */
		if (remote_read_u64(r, addr + head, &data) < 0 || !remote_ptr_ok(data, kind))
			return -1;
	} else {
		data = addr + (ascii ? l->unicode.ascii_data : head);
	}
	size_t nchars = (size_t)len < STR_MAX_CHARS ? (size_t)len : STR_MAX_CHARS;
	uint8_t *chars = raw;
	if (remote_read(r, data, chars, nchars * kind) < 0)
		return -1;
	size_t pos = 0;
	int cut = (size_t)len > nchars;
	for (size_t i = 0; i < nchars; i++) {
		uint32_t cp;
		if (kind == 1)
			cp = chars[i];
		else if (kind == 2) {
			uint16_t u;
			memcpy(&u, chars + 2 * i, 2);
			cp = u;
		} else
			memcpy(&cp, chars + 4 * i, 4);
		if (utf8_put(buf, cap, &pos, cp) < 0) {
			cut = 1;
			break;
		}
	}
	if (cut)
		pos = mark_truncated(buf, cap, pos);
	return (int)pos;
}

long pyobj_read_bytes(const struct remote *r, const struct py_layout *l, uint64_t addr,
                      void *buf, size_t cap, long *full_len)
{
	int64_t len;
	if (!remote_ptr_ok(addr, 8) || remote_read(r, addr + l->bytes.size, &len, sizeof len) < 0 ||
	    len < 0)
		return -1;
	size_t want = (size_t)len < cap ? (size_t)len : cap;
	if (remote_read(r, addr + l->bytes.data, buf, want) < 0)
		return -1;
	if (full_len)
		*full_len = (long)len;
	return (long)want;
}

int pyobj_type_name(const struct remote *r, const struct py_layout *l, uint64_t addr,
                    char *buf, size_t cap)
{
	uint64_t type, name;
	if (cap == 0 || !remote_ptr_ok(addr, 8) ||
	    remote_read_u64(r, addr + l->object.ob_type, &type) < 0 || !remote_ptr_ok(type, 8) ||
	    remote_read_u64(r, type + l->type.tp_name, &name) < 0 || !remote_ptr_ok(name, 1))
		return -1;
	uint8_t raw[64];
	if (remote_read(r, name, raw, sizeof raw) < 0 && remote_read(r, name, raw, 16) < 0)
		return -1;
	size_t n = strnlen((const char *)raw, sizeof raw);
	utf8_sanitize(raw, n, buf, cap);
	return 0;
}

static int read_long(const struct remote *r, const struct py_layout *l, uint64_t addr,
                     char *buf, size_t cap)
{
	int64_t tag;
	if (remote_read(r, addr + l->long_.tag_or_size, &tag, sizeof tag) < 0)
		return -1;
	int negative;
	uint64_t ndigits;
	if (l->ints == INT_DIGITS_TAG) {
		negative = (tag & 3) == 2;
		ndigits = (uint64_t)tag >> 3;
	} else {
		negative = tag < 0;
		ndigits = (uint64_t)(tag < 0 ? -tag : tag);
	}
	if (ndigits > 2) {
		snprintf(buf, cap, "<int of %llu digits>", (unsigned long long)ndigits * 9);
		return 0;
	}
	uint32_t d[2] = { 0, 0 };
	if (ndigits && remote_read(r, addr + l->long_.digits, d, ndigits * 4) < 0)
		return -1;
	uint64_t v = (uint64_t)(d[0] & 0x3fffffff) | ((uint64_t)(d[1] & 0x3fffffff) << 30);
	snprintf(buf, cap, "%s%llu", negative ? "-" : "", (unsigned long long)v);
	return 0;
}

int pyobj_repr_short(const struct remote *r, const struct py_layout *l, uint64_t addr,
                     char *buf, size_t cap)
{
	char tname[64];
	if (cap == 0 || pyobj_type_name(r, l, addr, tname, sizeof tname) < 0)
		return -1;
	if (strcmp(tname, "NoneType") == 0) {
		snprintf(buf, cap, "None");
	} else if (strcmp(tname, "bool") == 0) {
		/* bool is an int: a PyIntObject on 2.7, a PyLongObject after */
		int64_t v27;
		char v[32];
		if (l->int27.value != LAYOUT_NONE) {
			if (remote_read(r, addr + l->int27.value, &v27, sizeof v27) < 0)
				return -1;
			snprintf(v, sizeof v, "%lld", (long long)v27);
		} else if (read_long(r, l, addr, v, sizeof v) < 0) {
			return -1;
		}
		snprintf(buf, cap, "%s", strcmp(v, "0") == 0 ? "False" : "True");
	} else if (strcmp(tname, "int") == 0 && l->int27.value != LAYOUT_NONE) {
		int64_t v;
		if (remote_read(r, addr + l->int27.value, &v, sizeof v) < 0)
			return -1;
		snprintf(buf, cap, "%lld", (long long)v);
	} else if (strcmp(tname, "int") == 0 || strcmp(tname, "long") == 0) {
		return read_long(r, l, addr, buf, cap);
	} else if (strcmp(tname, "float") == 0) {
		double v;
		if (remote_read(r, addr + l->float_.value, &v, sizeof v) < 0)
			return -1;
		snprintf(buf, cap, "%.17g", v);
	} else if ((strcmp(tname, "str") == 0 && l->strings == STR_PEP393) ||
	           (strcmp(tname, "str") == 0 && l->strings == STR_BYTES27) ||
	           strcmp(tname, "unicode") == 0) {
		char s[128];
		int n;
		if (strcmp(tname, "unicode") == 0) {
			/* 2.7 unicode is not compact PEP 393; show its type and length only */
			int64_t len;
			if (remote_read(r, addr + l->object.ob_size, &len, sizeof len) < 0)
				return -1;
			snprintf(buf, cap, "<unicode len=%lld>", (long long)len);
			return 0;
		}
		n = pyobj_read_str(r, l, addr, s, 48);
		if (n < 0)
			return -1;
		snprintf(buf, cap, "'%s'", s);
	} else if (strcmp(tname, "bytes") == 0) {
		uint8_t raw[32];
		long full;
		long n = pyobj_read_bytes(r, l, addr, raw, sizeof raw, &full);
		if (n < 0)
			return -1;
		size_t pos = 0;
		pos += (size_t)snprintf(buf + pos, cap - pos, "b'");
		for (long i = 0; i < n && pos + 8 < cap; i++) {
			uint8_t c = raw[i];
			if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
				buf[pos++] = (char)c;
			else
				pos += (size_t)snprintf(buf + pos, cap - pos, "\\x%02x", c);
		}
		if (pos + 5 < cap)
			pos += (size_t)snprintf(buf + pos, cap - pos, "%s'", full > n ? "..." : "");
	} else if (strcmp(tname, "list") == 0 || strcmp(tname, "tuple") == 0) {
		int64_t len;
		uint32_t off = strcmp(tname, "list") == 0 ? l->list.size : l->tuple.size;
		if (remote_read(r, addr + off, &len, sizeof len) < 0)
			return -1;
		snprintf(buf, cap, "<%s len=%lld>", tname, (long long)len);
	} else if (strcmp(tname, "dict") == 0) {
		int64_t len;
		if (remote_read(r, addr + l->dict.used, &len, sizeof len) < 0)
			return -1;
		snprintf(buf, cap, "<dict len=%lld>", (long long)len);
	} else {
		snprintf(buf, cap, "<%s>", tname);
	}
	return 0;
}
