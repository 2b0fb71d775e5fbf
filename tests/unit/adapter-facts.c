/*
 * adapter-facts.c - binary facts for the adapter unit tests; see
 * adapter-facts.h.
 */
#include "adapter-facts.h"

void test_facts(struct binary_facts *f, const char *needed, const char *const *defined,
		const char *const *referenced)
{
	facts_init(f);
	f->is_elf = 1;
	if (needed)
		strvec_push(&f->needed, needed);
	for (; defined && *defined; defined++)
		facts_add_symbol(f, *defined, 1);
	for (; referenced && *referenced; referenced++)
		facts_add_symbol(f, *referenced, 0);
	facts_sort(f);
}

const char *test_recognised(struct binary_facts *f, struct strbuf *notes)
{
	struct strbuf own = STRBUF_INIT;
	const struct adapter *a = adapter_recognise(f, "bin/t", notes ? notes : &own);

	facts_release(f);
	strbuf_release(&own);
	return a ? a->name : "(none)";
}
