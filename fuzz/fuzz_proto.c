/*
 * fuzz_proto.c - libFuzzer target for the protocol reader (common/proto.c,
 * common/proto-stream.c).
 *
 * The input is treated as a byte stream from a hostile peer.  It is fed to a
 * reader in pieces whose sizes come from a hash of the input (so every input
 * has one reproducible split, and mutations explore others), taking messages
 * out after every piece.  Each message that decodes is encoded again and
 * decoded from the new bytes, which must give the same encoding back.  An
 * error must come with a one-line message and leave the reader failed.
 * ASan/UBSan and libFuzzer's leak and memory checks catch the rest.
 *
 * Build: CC=clang cmake -DBALRUN_FUZZ=ON ...; run: fuzz_proto fuzz/corpus/proto
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

static uint64_t fuzz_hash(const uint8_t *data, size_t size)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ull;
	return h;
}

/* decode(encode(m)) must encode to the same bytes. */
static void fuzz_check_roundtrip(const struct proto_msg *m)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct proto_reader *r = proto_reader_new();
	struct proto_msg again;
	char err[256];

	proto_encode(&a, m);
	CHECK(proto_reader_feed(r, a.buf, a.len, err, sizeof(err)) == PROTO_OK);
	CHECK(proto_reader_next(r, &again, err, sizeof(err)) == PROTO_OK);
	proto_encode(&b, &again);
	CHECK(a.len == b.len && !memcmp(a.buf, b.buf, a.len));
	proto_msg_release(&again);
	proto_reader_free(r);
	strbuf_release(&a);
	strbuf_release(&b);
}

/* Take out every whole message; 0 to go on, -1 once the stream failed. */
static int fuzz_drain(struct proto_reader *r)
{
	struct proto_msg m;
	char err[256];
	enum proto_status st;

	while ((st = proto_reader_next(r, &m, err, sizeof(err))) == PROTO_OK) {
		fuzz_check_roundtrip(&m);
		proto_msg_release(&m);
	}
	if (st == PROTO_ERROR)
		CHECK(err[0] && !strchr(err, '\n'));
	return st == PROTO_ERROR ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_reader *r = proto_reader_new();
	uint64_t h = fuzz_hash(data, size);
	char err[256];

	for (size_t off = 0; off < size;) {
		size_t n = 1 + (h >> 33) % 64;
		h = h * 6364136223846793005ull + 1442695040888963407ull;
		if (n > size - off)
			n = size - off;
		if (proto_reader_feed(r, data + off, n, err, sizeof(err)) != PROTO_OK) {
			CHECK(err[0] && !strchr(err, '\n'));
			break;
		}
		off += n;
		if (fuzz_drain(r) < 0)
			break;
	}
	proto_reader_free(r);
	return 0;
}
