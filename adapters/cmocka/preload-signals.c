/*
 * preload-signals.c - the part of balrun-preload.so that makes cmocka's
 * per-test signal handlers cost no system calls (see shim.h).
 *
 * cmocka 1.1.5 installs its exception handler for SIGFPE, SIGILL, SIGSEGV,
 * SIGBUS and SIGSYS with signal() before each setup, test body and teardown
 * it calls, and puts the old handlers back after: ten rt_sigaction calls per
 * call, thirty per test once the shim wraps every test's setup and
 * teardown.  At about half a microsecond each that was most of what a
 * trivial test cost under balrun.
 *
 * While a group runs (shim_signals_begin .. shim_signals_end), signal() for
 * those five signals is virtual: the first call installs one dispatcher for
 * the signal (the only real sigaction), and every call after that only
 * swaps the handler the dispatcher calls and returns the one before, as
 * signal() would; SIG_IGN is set for real (an ignored signal stays ignored
 * across exec, where a caught one falls back to SIG_DFL, as the virtual
 * SIG_DFL and function handlers do).  The dispatcher calls a function handler as the kernel
 * would have (same mask and flags as signal() gives: the signal blocked,
 * SA_RESTART); for SIG_DFL it installs SIG_DFL for real and raises the
 * signal again, so a crash ends the process by the same signal as before.  shim_signals_end installs the handler the program last
 * asked for, so after the group the process is as it would have been.
 *
 * A program that goes around signal() for one of those signals (sigaction,
 * sigset, sysv_signal, bsd_signal) gets the real call; the signal stops
 * being virtual until the group ends, and a query sees the virtual handler
 * as the handler.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stddef.h>

#include "shim.h"

typedef sighandler_t (*shim_signal_fn)(int sig, sighandler_t handler);
typedef int (*shim_sigaction_fn)(int sig, const struct sigaction *act, struct sigaction *old);

static const int shim_virtual_signals[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGSYS };

static struct {
	int active;
	shim_signal_fn real_signal;
	volatile sig_atomic_t installed[NSIG];   /* the dispatcher is the real handler */
	sighandler_t volatile handler[NSIG];     /* what the program last asked for */
} shim_sig;

static int shim_sig_virtual(int sig)
{
	size_t i;

	if (!shim_sig.active)
		return 0;
	for (i = 0; i < sizeof(shim_virtual_signals) / sizeof(shim_virtual_signals[0]); i++)
		if (shim_virtual_signals[i] == sig)
			return 1;
	return 0;
}

static void shim_sig_dispatch(int sig)
{
	sighandler_t h = shim_sig.handler[sig];

	if (h != SIG_DFL) {   /* never SIG_IGN: signal() sets that for real */
		h(sig);
		return;
	}
	shim_sig.installed[sig] = 0;
	shim_sig.real_signal(sig, SIG_DFL);
	raise(sig);   /* pending until this handler returns: then the default action */
}

static shim_signal_fn shim_real_signal(void)
{
	if (!shim_sig.real_signal)
		shim_sig.real_signal = (shim_signal_fn)dlsym(RTLD_NEXT, "signal");
	return shim_sig.real_signal;
}

static void shim_sig_leave(int sig, int setting, sighandler_t *seen);

sighandler_t signal(int sig, sighandler_t handler)
{
	sighandler_t old;

	if (!shim_sig_virtual(sig) || handler == SIG_IGN) {
		shim_signal_fn real = shim_real_signal();

		if (!real)
			return SIG_ERR;
		/* SIG_IGN for real: an ignored signal stays ignored across exec, a caught one does not */
		old = real(sig, handler);
		shim_sig_leave(sig, old != SIG_ERR, &old);
		return old;
	}
	if (!shim_sig.installed[sig]) {
		shim_sig.handler[sig] = handler;   /* before the dispatcher can run */
		old = shim_sig.real_signal(sig, shim_sig_dispatch);
		if (old == SIG_ERR)
			return SIG_ERR;
		shim_sig.installed[sig] = 1;
		return old;
	}
	old = shim_sig.handler[sig];
	shim_sig.handler[sig] = handler;
	return old;
}

/* The program sets or asks the real handler: it stops being virtual (a query sees the virtual one). */
static void shim_sig_leave(int sig, int setting, sighandler_t *seen)
{
	if (!shim_sig_virtual(sig) || !shim_sig.installed[sig])
		return;
	if (seen && *seen == shim_sig_dispatch)
		*seen = shim_sig.handler[sig];
	if (setting)
		shim_sig.installed[sig] = 0;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	static shim_sigaction_fn real;
	int rc;

	if (!real)
		real = (shim_sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
	if (!real)
		return -1;
	rc = real(sig, act, old);
	if (rc == 0 && sig > 0 && sig < NSIG)
		shim_sig_leave(sig, act != NULL, old ? &old->sa_handler : NULL);
	return rc;
}

/* Other ways to set a handler: the real call, and the signal is no longer virtual. */
#define SHIM_SIG_PASS(name)                                                   \
	sighandler_t name(int sig, sighandler_t handler)                      \
	{                                                                     \
		shim_signal_fn real = (shim_signal_fn)dlsym(RTLD_NEXT, #name); \
		sighandler_t old;                                             \
                                                                              \
		if (!real)                                                    \
			return SIG_ERR;                                       \
		old = real(sig, handler);                                     \
		if (old != SIG_ERR && sig > 0 && sig < NSIG)                  \
			shim_sig_leave(sig, 1, &old);                         \
		return old;                                                   \
	}
SHIM_SIG_PASS(sigset)
SHIM_SIG_PASS(sysv_signal)
SHIM_SIG_PASS(bsd_signal)

int shim_signals_begin(void)
{
	if (!shim_real_signal())
		return -1;
	shim_sig.active = 1;
	return 0;
}

void shim_signals_end(void)
{
	size_t i;

	if (!shim_sig.active)
		return;
	for (i = 0; i < sizeof(shim_virtual_signals) / sizeof(shim_virtual_signals[0]); i++) {
		int sig = shim_virtual_signals[i];

		if (shim_sig.installed[sig]) {
			shim_sig.installed[sig] = 0;
			shim_sig.real_signal(sig, shim_sig.handler[sig]);
		}
	}
	shim_sig.active = 0;
}
