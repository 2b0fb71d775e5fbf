/*
 * proto.c - encoding and checking the coordinator <-> worker messages; see
 * proto.h and docs/protocol.md.  proto-stream.c finds the frames in a byte
 * stream and hands each one here as a msgpack object.
 *
 * Every message body is described by a field table (key, wire type, where
 * the value lives in the C struct).  One walker packs, checks, copies out and
 * frees by that table, so adding a field is one table line.  Decoding is
 * strict: each field must be present once with the right type (unsigned
 * integers as POSITIVE_INTEGER only, enums in range, C strings without NUL
 * bytes); keys the table does not know are skipped.  Strings are copied out
 * because msgpack objects point into the reader's buffer.
 */
#include "proto.h"
#include "proto-internal.h"
#include "util.h"

#include <errno.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- message schemas ---- */

enum proto_field_kind {
	FIELD_U32,         /* uint32_t */
	FIELD_U64,         /* uint64_t */
	FIELD_I64,         /* int64_t */
	FIELD_ENUM,        /* an enum below limit, sent as an unsigned integer */
	FIELD_STR,         /* char *, NUL-terminated, no NUL inside */
	FIELD_BYTES,       /* char * + size_t length; BIN on the wire (STR accepted) */
	FIELD_STR_ARRAY,   /* char ** + size_t count */
	FIELD_U64_ARRAY,   /* uint64_t * + size_t count */
	FIELD_INVOCATIONS, /* struct proto_invocation * + size_t count */
};

struct proto_field {
	const char *key;
	enum proto_field_kind kind;
	size_t off;        /* of the value in its struct */
	size_t count_off;  /* BYTES and arrays: of the size_t length */
	unsigned limit;    /* ENUM: number of valid values */
	unsigned optional; /* PROTO_OPTIONAL (arrays only): may be missing, NULL in the struct,
	                      then not sent; PROTO_DEFAULTED: always sent, but a missing one
	                      decodes as 0 / NULL / empty (keys added after version 3) */
};

#define FIELD(key, kind, type, member) { key, kind, offsetof(type, member), 0, 0, 0 }
#define FIELD_N(key, kind, type, member, count) \
	{ key, kind, offsetof(type, member), offsetof(type, count), 0, 0 }
#define FIELD_E(key, type, member, limit) \
	{ key, FIELD_ENUM, offsetof(type, member), 0, limit, 0 }
#define FIELD_OPT_N(key, kind, type, member, count) \
	{ key, kind, offsetof(type, member), offsetof(type, count), 0, PROTO_OPTIONAL }
#define FIELD_DEF(key, kind, type, member) { key, kind, offsetof(type, member), 0, 0, PROTO_DEFAULTED }
#define FIELD_DEF_N(key, kind, type, member, count) \
	{ key, kind, offsetof(type, member), offsetof(type, count), 0, PROTO_DEFAULTED }

enum { PROTO_REQUIRED = 0, PROTO_OPTIONAL, PROTO_DEFAULTED };

_Static_assert(sizeof(enum outcome) == sizeof(unsigned), "enum stored as unsigned");
_Static_assert(sizeof(enum fault_where) == sizeof(unsigned), "enum stored as unsigned");

static const struct proto_field proto_hello_fields[] = {
	FIELD("version", FIELD_U32, struct proto_hello, version),
	FIELD("worker", FIELD_U32, struct proto_hello, worker_id),
	FIELD("pid", FIELD_I64, struct proto_hello, pid),
};

static const struct proto_field proto_invocation_fields[] = {
	FIELD("binary", FIELD_STR, struct proto_invocation, binary),
	FIELD("framework", FIELD_STR, struct proto_invocation, framework),
	FIELD_N("tests", FIELD_STR_ARRAY, struct proto_invocation, tests, ntests),
	FIELD("preload", FIELD_STR, struct proto_invocation, preload),
	FIELD_OPT_N("timeouts_ms", FIELD_U64_ARRAY, struct proto_invocation, timeouts_ms, ntests),
	FIELD_OPT_N("ordinals", FIELD_U64_ARRAY, struct proto_invocation, ordinals, ntests),
	FIELD_OPT_N("checks", FIELD_U64_ARRAY, struct proto_invocation, checks, ntests),
	FIELD_DEF_N("args", FIELD_STR_ARRAY, struct proto_invocation, args, nargs),
	FIELD_DEF("cwd", FIELD_STR, struct proto_invocation, cwd),
	FIELD_DEF_N("env", FIELD_STR_ARRAY, struct proto_invocation, env, nenv),
	FIELD_DEF("judge", FIELD_U32, struct proto_invocation, judge),
	FIELD_DEF("skip_code", FIELD_I64, struct proto_invocation, skip_code),
	FIELD_DEF_N("pass_regex", FIELD_STR_ARRAY, struct proto_invocation, pass_regex, npass_regex),
	FIELD_DEF_N("fail_regex", FIELD_STR_ARRAY, struct proto_invocation, fail_regex, nfail_regex),
	FIELD_DEF_N("skip_regex", FIELD_STR_ARRAY, struct proto_invocation, skip_regex, nskip_regex),
	FIELD_DEF_N("command", FIELD_STR_ARRAY, struct proto_invocation, command, ncommand),
	FIELD_DEF("results", FIELD_STR, struct proto_invocation, results),
};

static const struct proto_field proto_run_fields[] = {
	FIELD("unit", FIELD_U32, struct proto_run, unit),
	FIELD("timeout_ms", FIELD_U32, struct proto_run, timeout_ms),
	FIELD_N("inv", FIELD_INVOCATIONS, struct proto_run, inv, ninv),
};

static const struct proto_field proto_start_fields[] = {
	FIELD("unit", FIELD_U32, struct proto_start, unit),
	FIELD("test", FIELD_U32, struct proto_start, test),
};

static const struct proto_field proto_result_fields[] = {
	FIELD("unit", FIELD_U32, struct proto_result, unit),
	FIELD("test", FIELD_U32, struct proto_result, test),
	FIELD_E("outcome", struct proto_result, outcome, OUTCOME__WIRE),
	FIELD("duration_us", FIELD_U64, struct proto_result, duration_us),
	FIELD("cpu_us", FIELD_U64, struct proto_result, cpu_us),
	FIELD("rss_kb", FIELD_U64, struct proto_result, rss_kb),
	FIELD("message", FIELD_STR, struct proto_result, message),
	FIELD_N("output", FIELD_BYTES, struct proto_result, output, output_len),
	FIELD("output_dropped", FIELD_U64, struct proto_result, output_dropped),
};

static const struct proto_field proto_fault_fields[] = {
	FIELD("unit", FIELD_U32, struct proto_fault, unit),
	FIELD("inv", FIELD_U32, struct proto_fault, inv),
	FIELD_E("where", struct proto_fault, where, FAULT__COUNT),
	FIELD("group", FIELD_I64, struct proto_fault, group),
	FIELD_E("outcome", struct proto_fault, outcome, OUTCOME__WIRE),
	FIELD("message", FIELD_STR, struct proto_fault, message),
	FIELD_N("output", FIELD_BYTES, struct proto_fault, output, output_len),
	FIELD("output_dropped", FIELD_U64, struct proto_fault, output_dropped),
};

/* overhead_us, errors, inv_wall_us and cpu_us share ninv: the decoder insists they agree. */
static const struct proto_field proto_done_fields[] = {
	FIELD("unit", FIELD_U32, struct proto_done, unit),
	FIELD("wall_us", FIELD_U64, struct proto_done, wall_us),
	FIELD_N("overhead_us", FIELD_U64_ARRAY, struct proto_done, overhead_us, ninv),
	FIELD_N("errors", FIELD_STR_ARRAY, struct proto_done, errors, ninv),
	FIELD_N("inv_wall_us", FIELD_U64_ARRAY, struct proto_done, inv_wall_us, ninv),
	FIELD_N("cpu_us", FIELD_U64_ARRAY, struct proto_done, cpu_us, ninv),
};

struct proto_schema {
	const char *name;   /* the "t" value */
	enum proto_type type;
	const struct proto_field *fields;
	size_t nfields;
};

#define SCHEMA(name, type, fields) { name, type, fields, ARRAY_SIZE(fields) }
static const struct proto_schema proto_schemas[] = {
	SCHEMA("hello", PROTO_HELLO, proto_hello_fields),
	SCHEMA("run", PROTO_RUN, proto_run_fields),
	SCHEMA("start", PROTO_START, proto_start_fields),
	SCHEMA("result", PROTO_RESULT, proto_result_fields),
	SCHEMA("done", PROTO_DONE, proto_done_fields),
	SCHEMA("fault", PROTO_FAULT, proto_fault_fields),
	{ "bye", PROTO_BYE, NULL, 0 },
	SCHEMA("prepare", PROTO_PREPARE, proto_run_fields),
};

static const struct proto_schema *proto_schema_of(enum proto_type type)
{
	for (size_t i = 0; i < ARRAY_SIZE(proto_schemas); i++)
		if (proto_schemas[i].type == type)
			return &proto_schemas[i];
	return NULL;
}

/* Typed access to a field inside the struct at base. */
#define AT(base, f, type) ((type *)((char *)(base) + (f)->off))
#define COUNT(base, f) ((size_t *)((char *)(base) + (f)->count_off))

/* ---- encoding ---- */

static int proto_strbuf_write(void *data, const char *buf, size_t len)
{
	strbuf_add(data, buf, len);
	return 0;
}

static void proto_pack_str(msgpack_packer *pk, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	msgpack_pack_str_with_body(pk, s ? s : "", len);
}

static void proto_pack_record(msgpack_packer *pk, const struct proto_field *fields,
			      size_t nfields, const void *base);

static void proto_pack_value(msgpack_packer *pk, const struct proto_field *f, const void *base)
{
	size_t n = f->count_off ? *COUNT(base, f) : 0;

	switch (f->kind) {
	case FIELD_U32: msgpack_pack_uint32(pk, *AT(base, f, uint32_t)); break;
	case FIELD_U64: msgpack_pack_uint64(pk, *AT(base, f, uint64_t)); break;
	case FIELD_I64: msgpack_pack_int64(pk, *AT(base, f, int64_t)); break;
	case FIELD_ENUM: msgpack_pack_unsigned_int(pk, *AT(base, f, unsigned)); break;
	case FIELD_STR: proto_pack_str(pk, *AT(base, f, char *)); break;
	case FIELD_BYTES:
		msgpack_pack_bin_with_body(pk, n ? *AT(base, f, char *) : "", n);
		break;
	case FIELD_STR_ARRAY:
		msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n; i++)
			proto_pack_str(pk, (*AT(base, f, char **))[i]);
		break;
	case FIELD_U64_ARRAY:
		msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n; i++)
			msgpack_pack_uint64(pk, (*AT(base, f, uint64_t *))[i]);
		break;
	case FIELD_INVOCATIONS:
		msgpack_pack_array(pk, n);
		for (size_t i = 0; i < n; i++)
			proto_pack_record(pk, proto_invocation_fields,
					  ARRAY_SIZE(proto_invocation_fields),
					  &(*AT(base, f, struct proto_invocation *))[i]);
		break;
	}
}

/* An optional field is sent only when it is set. */
static int proto_field_present(const struct proto_field *f, const void *base)
{
	return f->optional != PROTO_OPTIONAL || *AT(base, f, void *) != NULL;
}

static void proto_pack_fields(msgpack_packer *pk, const struct proto_field *fields,
			      size_t nfields, const void *base)
{
	for (size_t i = 0; i < nfields; i++) {
		if (!proto_field_present(&fields[i], base))
			continue;
		proto_pack_str(pk, fields[i].key);
		proto_pack_value(pk, &fields[i], base);
	}
}

static size_t proto_count_present(const struct proto_field *fields, size_t nfields,
				  const void *base)
{
	size_t n = 0;
	for (size_t i = 0; i < nfields; i++)
		n += proto_field_present(&fields[i], base);
	return n;
}

static void proto_pack_record(msgpack_packer *pk, const struct proto_field *fields,
			      size_t nfields, const void *base)
{
	msgpack_pack_map(pk, proto_count_present(fields, nfields, base));
	proto_pack_fields(pk, fields, nfields, base);
}

void proto_encode(struct strbuf *out, const struct proto_msg *m)
{
	const struct proto_schema *s = proto_schema_of(m->type);
	msgpack_packer pk;

	if (!s)
		die("BUG: proto_encode of message type %d", (int)m->type);
	msgpack_packer_init(&pk, out, proto_strbuf_write);
	msgpack_pack_map(&pk, proto_count_present(s->fields, s->nfields, &m->u) + 1);
	proto_pack_str(&pk, "t");
	proto_pack_str(&pk, s->name);
	proto_pack_fields(&pk, s->fields, s->nfields, &m->u);
}

/* ---- freeing ---- */

static void proto_free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void proto_release_record(const struct proto_field *fields, size_t nfields, void *base);

static void proto_free_invocations(struct proto_invocation *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		proto_release_record(proto_invocation_fields,
				     ARRAY_SIZE(proto_invocation_fields), &v[i]);
	free(v);
}

/* Free what the fields own.  A field is either fully set or still NULL. */
static void proto_release_record(const struct proto_field *fields, size_t nfields, void *base)
{
	for (size_t i = 0; i < nfields; i++) {
		const struct proto_field *f = &fields[i];
		size_t n = f->count_off ? *COUNT(base, f) : 0;

		switch (f->kind) {
		case FIELD_STR:
		case FIELD_BYTES:
		case FIELD_U64_ARRAY:
			free(*AT(base, f, void *));
			break;
		case FIELD_STR_ARRAY:
			proto_free_strings(*AT(base, f, char **), n);
			break;
		case FIELD_INVOCATIONS:
			proto_free_invocations(*AT(base, f, struct proto_invocation *), n);
			break;
		default:
			break;
		}
	}
}

void proto_msg_release(struct proto_msg *m)
{
	const struct proto_schema *s = proto_schema_of(m->type);

	if (s)
		proto_release_record(s->fields, s->nfields, &m->u);
	memset(m, 0, sizeof(*m));
}

/* ---- decoding and checking one msgpack object ---- */

struct proto_decoder {
	const char *type;   /* message type name, for error messages */
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int proto_fail(const struct proto_decoder *d, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(d->err, d->errlen, "decoding a '%s' message: ", d->type);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < d->errlen)
		vsnprintf(d->err + n, d->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Copy at most 32 bytes of a wire string, non-printable bytes as '?'. */
static const char *proto_printable(const char *s, size_t len, char out[36])
{
	size_t n = len < 32 ? len : 32;
	for (size_t i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	strcpy(out + n, len > n ? "..." : "");
	return out;
}

static int proto_get_uint(const struct proto_decoder *d, const struct proto_field *f,
			  const msgpack_object *o, uint64_t max, uint64_t *v)
{
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return proto_fail(d, "'%s' is not an unsigned integer", f->key);
	if (o->via.u64 > max)
		return proto_fail(d, "'%s' is out of range (%llu)", f->key,
				  (unsigned long long)o->via.u64);
	*v = o->via.u64;
	return 0;
}

static int proto_get_str(const struct proto_decoder *d, const struct proto_field *f,
			 const msgpack_object *o, char **v)
{
	if (o->type != MSGPACK_OBJECT_STR)
		return proto_fail(d, "'%s' is not a string", f->key);
	if (memchr(o->via.str.ptr, '\0', o->via.str.size))
		return proto_fail(d, "'%s' holds a NUL byte", f->key);
	*v = xstrndup(o->via.str.ptr, o->via.str.size);
	return 0;
}

static int proto_get_bytes(const struct proto_decoder *d, const struct proto_field *f,
			   const msgpack_object *o, char **v, size_t *len)
{
	const char *p;

	if (o->type == MSGPACK_OBJECT_BIN) {
		p = o->via.bin.ptr;
		*len = o->via.bin.size;
	} else if (o->type == MSGPACK_OBJECT_STR) {
		p = o->via.str.ptr;
		*len = o->via.str.size;
	} else {
		return proto_fail(d, "'%s' is not binary or a string", f->key);
	}
	*v = xmalloc(*len + 1);
	memcpy(*v, p, *len);
	(*v)[*len] = '\0';
	return 0;
}

static int proto_decode_record(const struct proto_decoder *d, const struct proto_field *fields,
			       size_t nfields, const msgpack_object *o, void *base);

/* Decode each element of array o into v (elements of size sz); undo on error. */
static int proto_get_array(const struct proto_decoder *d, const struct proto_field *f,
			   const msgpack_object *o, void *base)
{
	size_t n = o->via.array.size, sz;
	void *v;
	int ret = 0;

	sz = f->kind == FIELD_STR_ARRAY ? sizeof(char *) :
	     f->kind == FIELD_U64_ARRAY ? sizeof(uint64_t) : sizeof(struct proto_invocation);
	v = xcalloc(n, sz);
	for (size_t i = 0; i < n && !ret; i++) {
		const msgpack_object *e = &o->via.array.ptr[i];
		if (f->kind == FIELD_STR_ARRAY)
			ret = proto_get_str(d, f, e, &((char **)v)[i]);
		else if (f->kind == FIELD_U64_ARRAY)
			ret = proto_get_uint(d, f, e, UINT64_MAX, &((uint64_t *)v)[i]);
		else
			ret = proto_decode_record(d, proto_invocation_fields,
						  ARRAY_SIZE(proto_invocation_fields), e,
						  &((struct proto_invocation *)v)[i]);
	}
	if (ret) {
		if (f->kind == FIELD_STR_ARRAY)
			proto_free_strings(v, n);
		else if (f->kind == FIELD_INVOCATIONS)
			proto_free_invocations(v, n);
		else
			free(v);
		return -1;
	}
	*AT(base, f, void *) = v;
	*COUNT(base, f) = n;
	return 0;
}

/* shared_count: another array sharing f's count was decoded already. */
static int proto_decode_value(const struct proto_decoder *d, const struct proto_field *f,
			      const msgpack_object *o, void *base, int shared_count)
{
	uint64_t v = 0;

	switch (f->kind) {
	case FIELD_U32:
		if (proto_get_uint(d, f, o, UINT32_MAX, &v))
			return -1;
		*AT(base, f, uint32_t) = (uint32_t)v;
		return 0;
	case FIELD_U64:
		return proto_get_uint(d, f, o, UINT64_MAX, AT(base, f, uint64_t));
	case FIELD_ENUM:
		if (proto_get_uint(d, f, o, f->limit - 1, &v))
			return -1;
		*AT(base, f, unsigned) = (unsigned)v;
		return 0;
	case FIELD_I64:
		if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
			v = (uint64_t)o->via.i64;
		else if (proto_get_uint(d, f, o, INT64_MAX, &v))
			return -1;
		*AT(base, f, int64_t) = (int64_t)v;
		return 0;
	case FIELD_STR:
		return proto_get_str(d, f, o, AT(base, f, char *));
	case FIELD_BYTES:
		return proto_get_bytes(d, f, o, AT(base, f, char *), COUNT(base, f));
	default:
		break;
	}
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return proto_fail(d, "'%s' is not an array", f->key);
	if (shared_count && o->via.array.size != *COUNT(base, f))
		return proto_fail(d, "'%s' has %u entries, not %zu", f->key,
				  o->via.array.size, *COUNT(base, f));
	return proto_get_array(d, f, o, base);
}

static const struct proto_field *proto_find_field(const struct proto_field *fields,
						  size_t nfields, const msgpack_object *key)
{
	size_t n = key->via.str.size;
	char first = n ? key->via.str.ptr[0] : '\0';

	for (size_t i = 0; i < nfields; i++)   /* the first byte rules out most without a strlen */
		if (fields[i].key[0] == first && strlen(fields[i].key) == n &&
		    !memcmp(fields[i].key, key->via.str.ptr, n))
			return &fields[i];
	return NULL;
}

/* 1 if a field other than f with the same count was already seen. */
static int proto_count_seen(const struct proto_field *fields, size_t nfields,
			    const struct proto_field *f, uint32_t seen)
{
	for (size_t i = 0; i < nfields; i++)
		if (&fields[i] != f && f->count_off && fields[i].count_off == f->count_off &&
		    (seen & (1u << i)))
			return 1;
	return 0;
}

/*
 * Fill the struct at base (zeroed by the caller) from map o.  On error the
 * fields set so far stay set: the caller releases the record.
 */
static int proto_decode_record(const struct proto_decoder *d, const struct proto_field *fields,
			       size_t nfields, const msgpack_object *o, void *base)
{
	uint32_t seen = 0;

	if (o->type != MSGPACK_OBJECT_MAP)
		return proto_fail(d, "expected a map, got msgpack type %d", (int)o->type);
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];
		const struct proto_field *f;

		if (kv->key.type != MSGPACK_OBJECT_STR)
			return proto_fail(d, "a key is not a string");
		f = proto_find_field(fields, nfields, &kv->key);
		if (!f)
			continue;   /* unknown keys are for newer peers */
		if (seen & (1u << (f - fields)))
			return proto_fail(d, "'%s' appears twice", f->key);
		if (proto_decode_value(d, f, &kv->val, base,
				       proto_count_seen(fields, nfields, f, seen)))
			return -1;
		seen |= 1u << (f - fields);
	}
	for (size_t i = 0; i < nfields; i++)
		if (!(seen & (1u << i)) && !fields[i].optional)
			return proto_fail(d, "'%s' is missing", fields[i].key);
	return 0;
}

static const struct proto_schema *proto_find_type(const msgpack_object *o, char *err, size_t errlen)
{
	char shown[36];

	if (o->type != MSGPACK_OBJECT_MAP) {
		snprintf(err, errlen, "decoding a message: frame is not a map (msgpack type %d)",
			 (int)o->type);
		return NULL;
	}
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;

		if (k->type != MSGPACK_OBJECT_STR || k->via.str.size != 1 || k->via.str.ptr[0] != 't')
			continue;
		if (v->type != MSGPACK_OBJECT_STR)
			break;
		for (size_t j = 0; j < ARRAY_SIZE(proto_schemas); j++)
			if (strlen(proto_schemas[j].name) == v->via.str.size &&
			    !memcmp(proto_schemas[j].name, v->via.str.ptr, v->via.str.size))
				return &proto_schemas[j];
		snprintf(err, errlen, "decoding a message: unknown type '%s'",
			 proto_printable(v->via.str.ptr, v->via.str.size, shown));
		return NULL;
	}
	snprintf(err, errlen, "decoding a message: no string 't' key");
	return NULL;
}

int proto_decode_object(const msgpack_object *o, struct proto_msg *m, char *err, size_t errlen)
{
	const struct proto_schema *s = proto_find_type(o, err, errlen);
	struct proto_decoder d;

	memset(m, 0, sizeof(*m));
	if (!s)
		return -1;
	d = (struct proto_decoder){ s->name, err, errlen };
	m->type = s->type;
	if (proto_decode_record(&d, s->fields, s->nfields, o, &m->u)) {
		proto_msg_release(m);
		return -1;
	}
	return 0;
}
