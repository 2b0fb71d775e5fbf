/*
 * budget.c - which jobserver a run takes its slots from; see budget.h.
 */
#include "budget.h"

#include <stdlib.h>

#include "jobserver-machine.h"
#include "workers.h"

/* The machine's budget of share slots (0: the CPUs).  1, or -1 with err. */
static int budget_machine(struct jobserver *js, int share, struct strbuf *warn, struct strbuf *note,
			  struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT;
	unsigned size = share > 0 ? (unsigned)share : (unsigned)workers_auto("/sys/fs/cgroup", NULL);
	int ret = -1;

	if (!jobserver_machine_dir(&dir, err) && !jobserver_machine_join(js, dir.buf, size, warn, err)) {
		strbuf_addf(note, "sharing %s with the other runs there\n", js->name);
		ret = 1;
	}
	if (ret < 0)
		jobserver_close(js);
	strbuf_release(&dir);
	return ret;
}

int budget_open(struct jobserver *js, int share, struct strbuf *warn, struct strbuf *note,
		struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	enum jobserver_status st = jobserver_from_make(js, getenv("MAKEFLAGS"), &why);
	int ret = 1;

	switch (st) {
	case JOBSERVER_OK:
		strbuf_addf(note, "taking a slot of %s for each test beyond the first\n", js->name);
		break;
	case JOBSERVER_UNAVAILABLE:
		strbuf_addf(warn, "%s is unavailable: %s; %s\n", js->name, why.buf, share >= 0 ?
			    "sharing the machine's budget instead" :
			    "running one test at a time (add '+' to the make rule that runs balrun)");
		if (share >= 0) {
			jobserver_close(js);
			ret = budget_machine(js, share, warn, note, err);
		}
		break;
	case JOBSERVER_NONE:
		ret = share >= 0 ? budget_machine(js, share, warn, note, err) : 0;
		break;
	}
	strbuf_release(&why);
	return ret;
}
