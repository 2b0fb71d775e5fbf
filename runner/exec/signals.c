/*
 * signals.c - the dispatch loop's signal state, saved and restored as a
 * pair; see signals.h.  The handler only stores into two sig_atomic_t.
 */
#include "signals.h"

#include <stddef.h>

static const int caught[3] = { SIGINT, SIGTERM, SIGHUP };
static volatile sig_atomic_t pending_signal, signal_count;

static void on_signal(int sig)
{
	pending_signal = sig;
	signal_count++;
}

void signals_catch(struct signals *s)
{
	struct sigaction sa = { .sa_handler = on_signal }, ign = { .sa_handler = SIG_IGN };

	pending_signal = signal_count = 0;
	sigemptyset(&s->blocked);
	for (int i = 0; i < 3; i++) {
		sigaddset(&s->blocked, caught[i]);
		sigaction(caught[i], &sa, &s->old[i]);
	}
	sigaction(SIGPIPE, &ign, &s->oldpipe);
	sigprocmask(SIG_BLOCK, &s->blocked, &s->waitmask);
	for (int i = 0; i < 3; i++)
		sigdelset(&s->waitmask, caught[i]);
}

void signals_restore(struct signals *s)
{
	sigprocmask(SIG_UNBLOCK, &s->blocked, NULL);
	for (int i = 0; i < 3; i++)
		sigaction(caught[i], &s->old[i], NULL);
	sigaction(SIGPIPE, &s->oldpipe, NULL);
}

int signals_pending(void)
{
	return pending_signal;
}

int signals_count(void)
{
	return signal_count;
}
