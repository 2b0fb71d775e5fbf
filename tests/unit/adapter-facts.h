/*
 * adapter-facts.h - binary facts as the ELF probe would fill them, for the
 * adapter unit tests (test_adapters.c, test_adapter_glib.c,
 * test_adapter_check.c).
 */
#ifndef BALRUN_ADAPTER_FACTS_H
#define BALRUN_ADAPTER_FACTS_H

#include "adapter.h"

/*
 * An ELF executable that needs library needed (NULL: none, a static
 * binary), defines the NULL-terminated defined and references referenced
 * (either may be NULL).  Release with facts_release().
 */
void test_facts(struct binary_facts *f, const char *needed, const char *const *defined,
		const char *const *referenced);

/* The name of the adapter that recognises f ("(none)"), notes added to notes (may be NULL); releases f. */
const char *test_recognised(struct binary_facts *f, struct strbuf *notes);

#endif
