/*
 * status.c - the live status line and per-test lines; see status.h.
 */
#include "status.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "colour.h"
#include "strbuf.h"
#include "util.h"

struct status {
	struct status_opts o;
	int tty, color;
	size_t total, done, failed;   /* total: tests of the run in progress */
	unsigned workers, running;
	double elapsed, remaining;
	const char *last;      /* id of the last test that started (its test's; NULL after a run) */
	int line_shown;        /* a live line is on the screen */
	uint64_t last_draw;
	/* not a terminal, default verbosity: passing lines stop above STATUS_MAX_RATE a second */
	uint64_t window_ns;    /* start of the current second */
	size_t window_lines;   /* passing lines printed in it */
	int quiet_passes;      /* no more lines for tests that pass or skip */
	uint64_t progress_ns;  /* last progress line while quiet_passes */
};

/* More passing lines than this in a second, and they stop (a log cannot show a million tests). */
#define STATUS_MAX_RATE 200
/* Then a progress line this often. */
#define STATUS_PROGRESS_NS 10000000000u

static int term_width(FILE *f)
{
	struct winsize ws;
	if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

struct status *status_new(const struct status_opts *o)
{
	struct status *s = xcalloc(1, sizeof(*s));
	const char *term = getenv("TERM");
	s->o = *o;
	s->tty = isatty(fileno(o->out)) && !(term && !strcmp(term, "dumb"));
	s->color = colour_wanted(o->color, s->tty);
	return s;
}

int status_color(const struct status *s)
{
	return s->color;
}

const char *status_elide_middle(const char *s, size_t width, char *buf, size_t len)
{
	size_t n = strlen(s);
	if (n <= width || width < 5) {
		snprintf(buf, len, "%s", s);
		return buf;
	}
	size_t keep = width - 3, head = keep / 2, tail = keep - head;
	snprintf(buf, len, "%.*s...%s", (int)head, s, s + n - tail);
	return buf;
}

static void clear_line(struct status *s)
{
	if (s->line_shown) {
		fputs("\r\033[K", s->o.out);
		s->line_shown = 0;
	}
}

static void format_eta(double secs, char *buf, size_t len)
{
	long t = (long)(secs + 0.5);
	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

static void draw(struct status *s)
{
	struct strbuf sb = STRBUF_INIT;
	char eta[32], name[512];
	int width = term_width(s->o.out);

	if (!s->tty)
		return;
	struct strbuf shown = STRBUF_INIT;
	format_eta(s->remaining / (s->workers ? s->workers : 1), eta, sizeof(eta));
	strbuf_addf(&sb, "[%zu/%zu] %u running, %s%zu failed%s, ETA %s",
		    s->done, s->total, s->running,
		    s->failed ? colour_outcome(OUTCOME_FAIL, s->color) : "", s->failed,
		    s->failed ? colour_reset(s->color) : "", eta);
	if (s->last) {
		int room = width - 3 - (int)sb.len + (s->failed && s->color ? 11 : 0);
		if (room > 10)
			strbuf_addf(&sb, " | %s", status_elide_middle(run_display(s->last, &shown), (size_t)room,
								       name, sizeof(name)));
	}
	fprintf(s->o.out, "\r%s\033[K", sb.buf);
	fflush(s->o.out);
	s->line_shown = 1;
	s->last_draw = now_ns();
	strbuf_release(&sb);
	strbuf_release(&shown);
}

/* Redraw the live line at most every 50 ms. */
static void draw_soon(struct status *s)
{
	if (s->tty && now_ns() - s->last_draw > 50000000u)
		draw(s);
}

/* A run starts (the main one, or a run after it): the counts start again. */
static void on_run_started(void *data, size_t tests, unsigned workers)
{
	struct status *s = data;

	s->total = tests;
	s->workers = workers;
	s->done = s->failed = 0;
	s->running = 0;
	s->last = NULL;
}

static void on_started(void *data, const struct test_case *t, unsigned worker)
{
	struct status *s = data;

	(void)worker;
	s->last = t->id;
	s->running++;
	draw_soon(s);
}

/* retry: the attempt failed and the test runs again (--retries): "RETRY ...: failed: message". */
static void print_test_line(struct status *s, const struct test_case *t, int retry)
{
	const char *c = colour_outcome(retry ? OUTCOME_FLAKY : t->outcome, s->color);
	fprintf(s->o.out, "%s%-7s%s %7.2fs  ", c, retry ? "RETRY" : outcome_tag(t->outcome),
		colour_reset(s->color), t->duration);
	if (t->worker >= 0)
		fprintf(s->o.out, "w%-2d ", t->worker);
	else
		fputs("    ", s->o.out);
	struct strbuf shown = STRBUF_INIT;
	fputs(run_display(t->id, &shown), s->o.out);
	strbuf_release(&shown);
	if (retry)
		fprintf(s->o.out, ": attempt %zu %s, running it again", (size_t)test_ntries(t) + 1, outcome_name(t->outcome));
	if (t->message && t->outcome != OUTCOME_PASS)
		fprintf(s->o.out, ": %s", t->message);
	fputc('\n', s->o.out);
}

/*
 * Not a terminal, default verbosity: is this passing line one too many?
 * Above STATUS_MAX_RATE passing lines in a second they stop for the rest
 * of the run, saying so once; a progress line follows every 10 s.
 */
static int too_many_lines(struct status *s, const struct test_case *t)
{
	uint64_t now;

	if (s->tty || s->o.verbose != 0 || outcome_is_failure(t->outcome) || t->outcome == OUTCOME_NOTRUN)
		return 0;
	now = now_ns();
	if (s->quiet_passes) {
		if (now - s->progress_ns >= STATUS_PROGRESS_NS) {
			fprintf(s->o.out, "balrun: [%zu/%zu] %zu failed\n", s->done, s->total, s->failed);
			s->progress_ns = now;
		}
		return 1;
	}
	if (now - s->window_ns >= 1000000000u) {
		s->window_ns = now;
		s->window_lines = 0;
	}
	if (++s->window_lines <= STATUS_MAX_RATE)
		return 0;
	s->quiet_passes = 1;
	s->progress_ns = now;
	fprintf(s->o.out, "balrun: more than %d tests a second: no more lines for tests that pass or skip "
		"(failures still print; -v prints every test)\n", STATUS_MAX_RATE);
	return 1;
}

static void on_finished(void *data, const struct test_case *t)
{
	struct status *s = data;
	int show;

	s->done += !t->fault;	/* a failure outside the tests is no test of the total */
	if (s->running && t->worker >= 0 && t->outcome != OUTCOME_NOTRUN && !t->fault)
		s->running--;
	s->failed += outcome_is_failure(t->outcome);
	if (s->o.verbose < -1)
		show = 0;
	else if (s->tty)
		show = outcome_is_failure(t->outcome) || s->o.verbose > 0;
	else
		show = (s->o.verbose >= 0 || outcome_is_failure(t->outcome)) && !too_many_lines(s, t);
	if (show) {
		clear_line(s);
		print_test_line(s, t, 0);
		draw(s);
	} else {
		draw_soon(s);
	}
}

/* Not finished: it goes back to the queue, so it is not counted as done or failed. */
static void on_retried(void *data, const struct test_case *t)
{
	struct status *s = data;

	if (s->running && t->worker >= 0)
		s->running--;
	if (s->o.verbose >= 0) {
		clear_line(s);
		print_test_line(s, t, 1);
	}
	draw(s);
}

static void on_tick(void *data, double elapsed, double remaining, unsigned running)
{
	struct status *s = data;
	s->elapsed = elapsed;
	s->remaining = remaining;
	s->running = running;
	if (now_ns() - s->last_draw > 200000000u)
		draw(s);
}

void status_line(struct status *s, const char *line)
{
	clear_line(s);
	fprintf(s->o.out, "balrun: %s\n", line);
	fflush(s->o.out);
}

static void on_note(void *data, const char *line)
{
	status_line(data, line);
}

void status_observer(struct status *s, struct run_observer *obs)
{
	obs->run_started = on_run_started;
	obs->test_started = on_started;
	obs->test_finished = on_finished;
	obs->test_retried = on_retried;
	obs->tick = on_tick;
	obs->note = on_note;
	obs->data = s;
}

void status_done(struct status *s)
{
	clear_line(s);
	fflush(s->o.out);
}

void status_free(struct status *s)
{
	if (!s)
		return;
	free(s);
}
