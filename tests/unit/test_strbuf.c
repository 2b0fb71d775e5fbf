/*
 * test_strbuf.c - unit tests of the shared helpers: common/strbuf.c,
 * common/strset.c and common/util.c.
 *
 * The buffer is checked at its edges (empty, growth across the allocation
 * boundary, NUL bytes inside, formatting longer than the current room,
 * overflow), and the util helpers for what their header promises, including
 * that die() exits with status 3.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strbuf.h"
#include "strset.h"
#include "util.h"

Test(strbuf, empty_buffer_is_a_valid_string)
{
	struct strbuf sb = STRBUF_INIT;

	cr_assert_str_eq(sb.buf, "");
	cr_assert_eq(sb.len, 0);
	strbuf_reset(&sb);
	strbuf_add(&sb, "", 0);
	cr_assert_eq(sb.alloc, 0, "adding nothing allocated");
	strbuf_release(&sb);
	cr_assert_eq(sb.buf, strbuf_empty);
}

Test(strbuf, grows_and_stays_nul_terminated)
{
	struct strbuf sb = STRBUF_INIT;
	char expect[1000];

	for (int i = 0; i < 1000; i++) {
		strbuf_addch(&sb, 'a' + i % 26);
		expect[i] = (char)('a' + i % 26);
		cr_assert_eq(sb.buf[sb.len], '\0');
		cr_assert_gt(sb.alloc, sb.len);
	}
	cr_assert_eq(sb.len, 1000);
	cr_assert(!memcmp(sb.buf, expect, 1000));
	strbuf_release(&sb);
}

Test(strbuf, holds_nul_bytes)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_add(&sb, "a\0b", 3);
	strbuf_adds(&sb, "c");
	cr_assert_eq(sb.len, 4);
	cr_assert(!memcmp(sb.buf, "a\0bc", 5));
	strbuf_release(&sb);
}

Test(strbuf, addf_longer_than_the_room_left)
{
	struct strbuf sb = STRBUF_INIT;
	char big[300];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_addf(&sb, "%d-", 42);
	strbuf_addf(&sb, "%s|%s", big, "end");
	cr_assert_eq(sb.len, 3 + 299 + 4);
	cr_assert(!strncmp(sb.buf, "42-xxx", 6));
	cr_assert_str_eq(sb.buf + sb.len - 4, "|end");
	strbuf_addf(&sb, "%s", "");
	cr_assert_eq(sb.len, 3 + 299 + 4);
	strbuf_release(&sb);
}

Test(strbuf, addf_exactly_filling_the_room)
{
	struct strbuf sb;

	strbuf_init(&sb, 10);
	size_t room = sb.alloc - 1;
	char *fill = xmalloc(room + 1);
	memset(fill, 'y', room);
	fill[room] = '\0';
	strbuf_addf(&sb, "%s", fill);
	cr_assert_eq(sb.len, room);
	cr_assert_str_eq(sb.buf, fill);
	strbuf_addf(&sb, "%c", 'z');
	cr_assert_eq(sb.len, room + 1);
	cr_assert_eq(sb.buf[room], 'z');
	free(fill);
	strbuf_release(&sb);
}

Test(strbuf, setlen_reset_and_remove_front)
{
	struct strbuf sb = STRBUF_INIT;
	size_t alloc;

	strbuf_adds(&sb, "hello world");
	strbuf_remove_front(&sb, 6);
	cr_assert_str_eq(sb.buf, "world");
	strbuf_setlen(&sb, 3);
	cr_assert_str_eq(sb.buf, "wor");
	strbuf_remove_front(&sb, 3);
	cr_assert_str_eq(sb.buf, "");
	alloc = sb.alloc;
	strbuf_adds(&sb, "again");
	strbuf_reset(&sb);
	cr_assert_eq(sb.len, 0);
	cr_assert_eq(sb.alloc, alloc, "reset freed the memory");
	strbuf_release(&sb);
}

Test(strbuf, detach_gives_a_freeable_string)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 99;
	char *s = strbuf_detach(&sb, &len);

	cr_assert_str_eq(s, "");
	cr_assert_eq(len, 0);
	cr_assert_neq(s, strbuf_empty);
	free(s);
	strbuf_adds(&sb, "kept");
	s = strbuf_detach(&sb, &len);
	cr_assert_str_eq(s, "kept");
	cr_assert_eq(len, 4);
	cr_assert_eq(sb.alloc, 0);
	cr_assert_eq(sb.len, 0);
	free(s);
}

Test(strbuf, setlen_beyond_length_is_a_bug, .exit_code = 3)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "ab");
	strbuf_setlen(&sb, 3);
}

Test(strbuf, grow_overflow_dies_even_when_empty, .exit_code = 3)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_grow(&sb, SIZE_MAX);
}

Test(strbuf, grow_overflow_dies_with_content, .exit_code = 3)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "abc");
	strbuf_grow(&sb, SIZE_MAX - 2);
}

/* ---- util ---- */

Test(util, string_duplicates)
{
	char *a = xstrdup("abc"), *b = xstrndup("abcdef", 3), *c = xstrndup("ab", 10);
	char *d = xasprintf("%s=%d", "n", -5);

	cr_assert_str_eq(a, "abc");
	cr_assert_str_eq(b, "abc");
	cr_assert_str_eq(c, "ab");
	cr_assert_str_eq(d, "n=-5");
	free(a);
	free(b);
	free(c);
	free(d);
}

Test(util, zero_sized_allocations_are_not_null)
{
	void *a = xmalloc(0), *b = xcalloc(0, 8), *c = xrealloc(NULL, 0);

	cr_assert(a && b && c);
	free(a);
	free(b);
	free(c);
}

Test(util, alloc_grow_keeps_items)
{
	int *v = NULL;
	size_t nr = 0, alloc = 0;

	for (int i = 0; i < 1000; i++) {
		ALLOC_GROW(v, nr + 1, alloc);
		cr_assert_geq(alloc, nr + 1);
		v[nr++] = i;
	}
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(v[i], i);
	ALLOC_GROW(v, 5000, alloc);
	cr_assert_geq(alloc, 5000);
	free(v);
}

Test(util, alloc_grow_overflow_dies, .exit_code = 3)
{
	uint64_t *v = NULL;
	size_t alloc = 0;
	ALLOC_GROW(v, SIZE_MAX / 4, alloc);
	free(v);
}

Test(util, die_exits_3, .exit_code = 3)
{
	die("testing %s", "die");
}

Test(util, clocks_move_forward)
{
	uint64_t a = now_ns(), b = now_ns();

	cr_assert_leq(a, b);
	cr_assert_gt(a, 0);
	cr_assert_gt(wall_time_s(), 1600000000);   /* after 2020 */
}

Test(util, write_full_and_read_retry_through_a_pipe)
{
	static char data[200000];
	char back[sizeof(data)];
	size_t got = 0;
	int fds[2], status = -1;
	pid_t pid;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	cr_assert_eq(pipe(fds), 0);
	pid = fork();   /* the pipe holds less than data: a reader must run meanwhile */
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		_exit(write_full(fds[1], data, sizeof(data)) ? 1 : 0);
	}
	close(fds[1]);
	for (ssize_t n; (n = read_retry(fds[0], back + got, sizeof(back) - got)) > 0;)
		got += (size_t)n;
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(status, 0, "write_full failed in the writer");
	cr_assert_eq(got, sizeof(data));
	cr_assert(!memcmp(back, data, sizeof(data)));
}

Test(util, fd_flags_set_and_clear)
{
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(set_nonblock(fds[0], 1), 0);
	cr_assert(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
	cr_assert_eq(set_nonblock(fds[0], 0), 0);
	cr_assert_not(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
	cr_assert_eq(set_cloexec(fds[1], 1), 0);
	cr_assert(fcntl(fds[1], F_GETFD) & FD_CLOEXEC);
	cr_assert_eq(set_cloexec(fds[1], 0), 0);
	cr_assert_not(fcntl(fds[1], F_GETFD) & FD_CLOEXEC);
	close(fds[0]);
	close(fds[1]);
	cr_assert_eq(set_nonblock(fds[0], 1), -1);
	cr_assert_eq(errno, EBADF);
}

Test(util, starts_with)
{
	cr_assert(starts_with("suite/name", "suite/"));
	cr_assert(starts_with("abc", ""));
	cr_assert_not(starts_with("ab", "abc"));
	cr_assert_not(starts_with("xabc", "abc"));
}

/* strset.h: whole keys count (names alike in their first bytes), growth keeps every key. */
Test(strset, whole_keys_many_alike_and_growth)
{
	struct strset s = STRSET_INIT;
	enum { N = 50000 };
	char **keys = calloc(N, sizeof(*keys));

	cr_assert_null(strset_find(&s, "x"), "an empty set finds nothing");
	for (int i = 0; i < N; i++) {
		cr_assert(asprintf(&keys[i], "a_long_common_group_name/test_%d", i) > 0);
		cr_assert_eq(strset_add(&s, keys[i]), 1, "%s", keys[i]);
	}
	cr_assert_eq(s.n, N);
	cr_assert_geq(s.cap, 2 * s.n, "at most half full");
	for (int i = 0; i < N; i++) {
		char copy[64];

		snprintf(copy, sizeof(copy), "a_long_common_group_name/test_%d", i);
		cr_assert_eq(strset_find(&s, copy), keys[i], "an equal key finds the one added");
		cr_assert_eq(strset_add(&s, copy), 0, "an equal key is not added twice");
	}
	cr_assert_null(strset_find(&s, "a_long_common_group_name/test_"));
	cr_assert_null(strset_find(&s, "a_long_common_group_name/test_50000"));
	cr_assert_eq(strset_add(&s, ""), 1, "the empty string is a key like any other");
	cr_assert_not_null(strset_find(&s, ""));
	strset_release(&s);
	cr_assert_null(strset_find(&s, "a_long_common_group_name/test_1"));
	for (int i = 0; i < N; i++)
		free(keys[i]);
	free(keys);
}
