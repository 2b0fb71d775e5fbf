/*
 * gtest.c - the GoogleTest adapter: recognising a gtest binary and listing
 * its cases.  Reading the listing is gtest-listing.c, a registered
 * command's own choice of cases gtest-filter.c, running a batch
 * gtest-run.c (and gtest-lines.c).
 *
 * A gtest binary is a C++ program with gtest inside it (Debian ships
 * libgtest.a only) or linked to libgtest.so: it needs libgtest.so, or its
 * symbols name testing::internal::MakeAndRegisterTestInfo (every TEST
 * calls it), testing::InitGoogleTest or testing::UnitTest::Run.  A
 * stripped binary keeps none of them: it runs as one plain test.
 *
 * Its main() (gtest_main's, or the program's own calling
 * InitGoogleTest) reads gtest's flags: the listing is
 *
 *   BIN [registered arguments] --gtest_list_tests --gtest_filter=*
 *       --gtest_output=json:/dev/fd/<the event fd>
 *
 * which runs no test; "*" lists every case whatever the command's own
 * filter (adopt_command leaves out what that would not run), and the JSON
 * list on the event pipe names them exactly.  Cases are "Suite.Name" in
 * the order a serial run runs them; a case is disabled as gtest decides
 * (DISABLED_ in the suite or the name): balrun reports it skipped without
 * running it, as gtest reports it.
 */
#include "adapter.h"
#include "gtest-internal.h"
#include "preload.h"
#include "util.h"

#include <string.h>

static int gtest_recognise(const struct binary_facts *f, const char *id, struct strbuf *note)
{
	(void)id;
	(void)note;
	return facts_needs(f, "libgtest.so") ||
	       facts_symbol_prefix(f, "_ZN7testing8internal23MakeAndRegisterTestInfo") ||
	       facts_symbol_prefix(f, "_ZN7testing14InitGoogleTest") ||
	       facts_symbol(f, "_ZN7testing8UnitTest3RunEv");
}

static void gtest_list_command(struct strvec *argv, struct strvec *env)
{
	(void)env;
	strvec_push(argv, "--gtest_list_tests");
	strvec_push(argv, "--gtest_filter=*");
	strvec_pushf(argv, "--gtest_output=json:/dev/fd/%d", PRELOAD_EVENT_FD);
}

/* The JSON list if it came, else the text one.  0, or -1 with why. */
static int gtest_read(const struct listing_output *o, struct listing *l, struct strbuf *why)
{
	if (o->events_len)
		return gtest_parse_json(o->events, l, why);
	if (strstr(o->out, "This program contains tests written using Google Test")) {
		strbuf_adds(why, "it printed gtest's help instead of its tests (does the command "
			    "have a --gtest_ flag this gtest does not know?)");
		return -1;
	}
	return gtest_parse_text(o->out, l, why);
}

static int gtest_parse_listing(const struct listing_output *o, struct listing *l,
			       struct strbuf *why, struct strbuf *notes)
{
	if (gtest_read(o, l, why))
		return -1;
	if (!o->exited_zero && !l->n) {
		strbuf_addf(why, "its --gtest_list_tests ended with %s and listed nothing", o->status);
		return -1;
	}
	if (!o->exited_zero)
		strbuf_addf(notes, "'%s': its --gtest_list_tests ended with %s after listing its tests; "
			    "running them all the same\n", o->id, o->status);
	gtest_set_checks(l);
	return 0;
}

const struct adapter adapter_gtest = {
	.name = "gtest",
	.flags = ADAPTER_CHECKS,
	.recognise = gtest_recognise,
	.list_command = gtest_list_command,
	.parse_listing = gtest_parse_listing,
	.adopt_command = gtest_adopt,
	.run_batch = gtest_run_batch,
};
