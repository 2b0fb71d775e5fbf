/*
 * proto-stream.c - frames on a byte stream: the incremental reader of
 * proto.h, and proto_send (encode, then write all of it).
 *
 * A small scanner walks the msgpack headers of the bytes as they arrive and
 * finds where each frame ends, checking declared lengths and counts against
 * PROTO_MAX_FRAME and PROTO_MAX_ITEMS before anything is allocated:
 * msgpack-c's own streaming unpacker allocates an array as soon as it sees
 * the array's header, so five bytes could make it ask for 128 GB.  Only whole
 * frames are handed to msgpack_unpack_next(), and proto.c checks the object
 * against the message tables and copies it out.
 *
 * Buffer layout, head <= whole <= scan <= buf.len:
 *   [0, head)        frames already decoded (dropped at the next compaction)
 *   [head, whole)    whole frames not yet decoded
 *   [whole, scan)    the scanned part of the frame in progress
 *   [scan, buf.len)  bytes not scanned yet (a header or payload cut short)
 * The scanner keeps, for each container open at scan, how many items it still
 * expects; the frame is whole when the last one closes.  Any error marks the
 * reader failed: the stream cannot be resynchronised.
 */
#include "proto.h"
#include "proto-internal.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Containers nested deeper than this are an error (the messages use 4). */
#define PROTO_MAX_DEPTH 16
/* How much proto_reader_fill asks read() for at once. */
#define PROTO_READ_CHUNK 65536

enum proto_scan_what {
	SCAN_BAD = 0,  /* 0xc1: never used */
	SCAN_SCALAR,   /* the header is the whole item */
	SCAN_PAYLOAD,  /* a length follows, then that many bytes (+ fixed) */
	SCAN_ARRAY,    /* a count follows, then that many items */
	SCAN_MAP,      /* a count follows, then twice that many items */
};

/* Headers 0xc0..0xdf: size (with type byte and length), length bytes, what. */
static const struct {
	unsigned char hdr, lenbytes, what, fixed;
} proto_scan_rules[32] = {
	[0x00] = { 1, 0, SCAN_SCALAR, 0 },   /* nil */
	[0x02] = { 1, 0, SCAN_SCALAR, 0 },   /* false */
	[0x03] = { 1, 0, SCAN_SCALAR, 0 },   /* true */
	[0x04] = { 2, 1, SCAN_PAYLOAD, 0 },  /* bin 8/16/32 */
	[0x05] = { 3, 2, SCAN_PAYLOAD, 0 },
	[0x06] = { 5, 4, SCAN_PAYLOAD, 0 },
	[0x07] = { 3, 1, SCAN_PAYLOAD, 0 },  /* ext 8/16/32: length, type, data */
	[0x08] = { 4, 2, SCAN_PAYLOAD, 0 },
	[0x09] = { 6, 4, SCAN_PAYLOAD, 0 },
	[0x0a] = { 5, 0, SCAN_SCALAR, 0 },   /* float 32/64 */
	[0x0b] = { 9, 0, SCAN_SCALAR, 0 },
	[0x0c] = { 2, 0, SCAN_SCALAR, 0 },   /* uint 8/16/32/64 */
	[0x0d] = { 3, 0, SCAN_SCALAR, 0 },
	[0x0e] = { 5, 0, SCAN_SCALAR, 0 },
	[0x0f] = { 9, 0, SCAN_SCALAR, 0 },
	[0x10] = { 2, 0, SCAN_SCALAR, 0 },   /* int 8/16/32/64 */
	[0x11] = { 3, 0, SCAN_SCALAR, 0 },
	[0x12] = { 5, 0, SCAN_SCALAR, 0 },
	[0x13] = { 9, 0, SCAN_SCALAR, 0 },
	[0x14] = { 2, 0, SCAN_PAYLOAD, 1 },  /* fixext 1/2/4/8/16: type, data */
	[0x15] = { 2, 0, SCAN_PAYLOAD, 2 },
	[0x16] = { 2, 0, SCAN_PAYLOAD, 4 },
	[0x17] = { 2, 0, SCAN_PAYLOAD, 8 },
	[0x18] = { 2, 0, SCAN_PAYLOAD, 16 },
	[0x19] = { 2, 1, SCAN_PAYLOAD, 0 },  /* str 8/16/32 */
	[0x1a] = { 3, 2, SCAN_PAYLOAD, 0 },
	[0x1b] = { 5, 4, SCAN_PAYLOAD, 0 },
	[0x1c] = { 3, 2, SCAN_ARRAY, 0 },    /* array 16/32 */
	[0x1d] = { 5, 4, SCAN_ARRAY, 0 },
	[0x1e] = { 3, 2, SCAN_MAP, 0 },      /* map 16/32 */
	[0x1f] = { 5, 4, SCAN_MAP, 0 },
};

struct proto_item {
	size_t hdr;        /* header bytes */
	uint64_t payload;  /* bytes after the header */
	uint64_t items;    /* nested items that follow (arrays, maps) */
	int what;
};

/* Read the header at p: 1 done, 0 needs more bytes, -1 invalid byte. */
static int proto_scan_header(const unsigned char *p, size_t avail, struct proto_item *it)
{
	unsigned b = p[0];
	uint64_t len = 0;

	*it = (struct proto_item){ 1, 0, 0, SCAN_SCALAR };
	if (b <= 0x7f || b >= 0xe0)
		return 1;  /* fixint */
	if (b <= 0x8f) {
		*it = (struct proto_item){ 1, 0, 2 * (b & 0x0f), SCAN_MAP };   /* fixmap */
		return 1;
	}
	if (b <= 0x9f) {
		*it = (struct proto_item){ 1, 0, b & 0x0f, SCAN_ARRAY };       /* fixarray */
		return 1;
	}
	if (b <= 0xbf) {
		*it = (struct proto_item){ 1, b & 0x1f, 0, SCAN_PAYLOAD };     /* fixstr */
		return 1;
	}
	it->hdr = proto_scan_rules[b - 0xc0].hdr;
	it->what = proto_scan_rules[b - 0xc0].what;
	if (it->what == SCAN_BAD)
		return -1;
	if (avail < it->hdr)
		return 0;
	for (unsigned i = 0; i < proto_scan_rules[b - 0xc0].lenbytes; i++)
		len = len << 8 | p[1 + i];
	if (it->what == SCAN_PAYLOAD)
		it->payload = len + proto_scan_rules[b - 0xc0].fixed;
	else if (it->what != SCAN_SCALAR)
		it->items = it->what == SCAN_MAP ? 2 * len : len;
	return 1;
}

struct proto_reader {
	struct strbuf buf;
	size_t head, whole, scan;           /* see the layout at the top */
	unsigned depth;                     /* containers open at scan */
	uint64_t left[PROTO_MAX_DEPTH];     /* items still due in each of them */
	int failed;                         /* an error was reported */
};

struct proto_reader *proto_reader_new(void)
{
	struct proto_reader *r = xcalloc(1, sizeof(*r));
	strbuf_init(&r->buf, 0);
	return r;
}

void proto_reader_free(struct proto_reader *r)
{
	if (!r)
		return;
	strbuf_release(&r->buf);
	free(r);
}

static enum proto_status proto_reader_fail(struct proto_reader *r, char *err, size_t errlen,
					   const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum proto_status proto_reader_fail(struct proto_reader *r, char *err, size_t errlen,
					   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	r->failed = 1;
	return PROTO_ERROR;
}

/* One item of the frame in progress is complete: close finished containers. */
static void proto_reader_item_done(struct proto_reader *r)
{
	while (r->depth && --r->left[r->depth - 1] == 0)
		r->depth--;
	if (!r->depth)
		r->whole = r->scan;
}

/* Walk the unscanned bytes as far as whole items go. */
static enum proto_status proto_reader_scan(struct proto_reader *r, char *err, size_t errlen)
{
	const unsigned char *p = (const unsigned char *)r->buf.buf;
	struct proto_item it;

	while (r->scan < r->buf.len) {
		size_t avail = r->buf.len - r->scan;
		int ret = proto_scan_header(p + r->scan, avail, &it);

		if (ret < 0)
			return proto_reader_fail(r, err, errlen,
						 "reading a frame: invalid msgpack byte 0x%02x",
						 p[r->scan]);
		if (!ret)
			break;
		if (r->scan - r->whole + it.hdr + it.payload > PROTO_MAX_FRAME)
			return proto_reader_fail(r, err, errlen,
						 "reading a frame: larger than the %u byte limit",
						 PROTO_MAX_FRAME);
		if (it.items > 2 * (uint64_t)PROTO_MAX_ITEMS)
			return proto_reader_fail(r, err, errlen,
						 "reading a frame: %llu entries, more than the limit of %u",
						 (unsigned long long)it.items, PROTO_MAX_ITEMS);
		if (avail < it.hdr + it.payload)
			break;
		r->scan += it.hdr + it.payload;
		if (!it.items) {
			proto_reader_item_done(r);
			continue;
		}
		if (r->depth == PROTO_MAX_DEPTH)
			return proto_reader_fail(r, err, errlen,
						 "reading a frame: nested deeper than %d levels",
						 PROTO_MAX_DEPTH);
		r->left[r->depth++] = it.items;
	}
	return PROTO_OK;
}

/* Drop decoded frames from the front once they are most of the buffer. */
static void proto_reader_compact(struct proto_reader *r)
{
	if (r->head < r->buf.len - r->head)
		return;
	strbuf_remove_front(&r->buf, r->head);
	r->whole -= r->head;
	r->scan -= r->head;
	r->head = 0;
}

enum proto_status proto_reader_feed(struct proto_reader *r, const void *buf, size_t len,
				    char *err, size_t errlen)
{
	if (r->failed)
		return proto_reader_fail(r, err, errlen, "reading a frame: the stream failed before");
	proto_reader_compact(r);
	strbuf_add(&r->buf, buf, len);
	return proto_reader_scan(r, err, errlen);
}

enum proto_status proto_reader_fill(struct proto_reader *r, int fd, char *err, size_t errlen)
{
	ssize_t n;

	if (r->failed)
		return proto_reader_fail(r, err, errlen, "reading a frame: the stream failed before");
	proto_reader_compact(r);
	strbuf_grow(&r->buf, PROTO_READ_CHUNK);
	n = read_retry(fd, r->buf.buf + r->buf.len, PROTO_READ_CHUNK);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return PROTO_AGAIN;
	if (n < 0)
		return proto_reader_fail(r, err, errlen, "reading a frame: %s", strerror(errno));
	if (n == 0) {
		if (r->head == r->buf.len)
			return PROTO_EOF;
		if (r->whole > r->head)
			return PROTO_OK;   /* whole frames left to take first */
		return proto_reader_fail(r, err, errlen,
					 "reading a frame: end of stream after %zu bytes of it",
					 r->buf.len - r->head);
	}
	r->buf.len += (size_t)n;   /* read into the room strbuf_grow made */
	r->buf.buf[r->buf.len] = '\0';
	return proto_reader_scan(r, err, errlen);
}

enum proto_status proto_reader_next(struct proto_reader *r, struct proto_msg *m,
				    char *err, size_t errlen)
{
	msgpack_unpacked obj;
	msgpack_unpack_return ret;
	size_t off = 0;
	int bad;

	memset(m, 0, sizeof(*m));
	if (r->failed)
		return proto_reader_fail(r, err, errlen, "reading a frame: the stream failed before");
	if (r->head == r->whole)
		return PROTO_AGAIN;
	msgpack_unpacked_init(&obj);
	ret = msgpack_unpack_next(&obj, r->buf.buf + r->head, r->whole - r->head, &off);
	if (ret != MSGPACK_UNPACK_SUCCESS && ret != MSGPACK_UNPACK_EXTRA_BYTES) {
		msgpack_unpacked_destroy(&obj);
		return proto_reader_fail(r, err, errlen, "reading a frame: malformed msgpack");
	}
	r->head += off;
	bad = proto_decode_object(&obj.data, m, err, errlen);
	msgpack_unpacked_destroy(&obj);
	if (bad) {
		r->failed = 1;
		return PROTO_ERROR;
	}
	return PROTO_OK;
}

/* ---- sending ---- */

/* write() all of it; on a non-blocking fd, wait in poll() for room. */
int proto_write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };

		if (n >= 0) {
			p += n;
			len -= (size_t)n;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -1;
		} else if (errno != EINTR) {
			return -1;
		}
	}
	return 0;
}

int proto_send(int fd, const struct proto_msg *m)
{
	struct strbuf sb = STRBUF_INIT;
	int ret, saved;

	proto_encode(&sb, m);
	ret = proto_write_all(fd, sb.buf, sb.len);
	saved = errno;
	strbuf_release(&sb);
	errno = saved;
	return ret;
}
