/*
 * make_corpus.c - writes the seed corpus of fuzz_proto: one file per message
 * type, plus one stream of several frames, into the directory given.
 *
 *   make_corpus fuzz/corpus/proto
 */
#include <stdio.h>

#include "proto.h"

static int write_file(const char *dir, const char *name, const struct strbuf *sb)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(sb->buf, 1, sb->len, f) != sb->len || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char *tests[] = { "suite/a", "suite/b" }, *errors[] = { "", "exit 3" };
	uint64_t overhead[] = { 120, 0 };
	uint64_t inv_wall[] = { 5000, 4000 }, cpu[] = { 1200, 0 };
	struct proto_invocation inv[] = {
		{ .binary = "/bin/crit", .framework = "criterion", .tests = tests, .ntests = 2, .preload = "" },
		{ .binary = "/bin/cm", .framework = "cmocka", .tests = tests, .ntests = 1,
		  .preload = "/lib/balrun-preload.so" },
	};
	struct proto_msg msgs[] = {
		{ .type = PROTO_HELLO, .u.hello = { PROTO_VERSION, 3, 4242 } },
		{ .type = PROTO_RUN, .u.run = { 7, 5000, inv, 2 } },
		{ .type = PROTO_START, .u.start = { 7, 1 } },
		{ .type = PROTO_RESULT, .u.result = { 7, 1, OUTCOME_CRASH, 1500, 900, 2048,
			"killed by SIGSEGV", "out\0put", 7, 3 } },
		{ .type = PROTO_DONE, .u.done = { 7, 9000, overhead, errors, 2, inv_wall, cpu } },
		{ .type = PROTO_BYE },
		{ .type = PROTO_PREPARE, .u.run = { 0, 5000, &inv[0], 1 } },
	};
	const char *names[] = { "hello", "run", "start", "result", "done", "bye", "prepare" };
	struct strbuf all = STRBUF_INIT;

	if (argc != 2) {
		fprintf(stderr, "usage: make_corpus DIR\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		struct strbuf one = STRBUF_INIT;
		proto_encode(&one, &msgs[i]);
		strbuf_add(&all, one.buf, one.len);
		if (write_file(argv[1], names[i], &one))
			return 1;
		strbuf_release(&one);
	}
	return write_file(argv[1], "stream", &all) ? 1 : 0;
}
