/*
 * report-timeline.c - a picture of the run (--timeline FILE.html); see
 * report.h and docs/report-timeline.md.
 *
 * One self-contained XHTML file: no network, no fonts or scripts from
 * elsewhere.  An inline SVG Gantt chart has a lane per worker and a bar per
 * test from its start to its end, coloured by outcome; hovering a bar shows
 * its id, outcome, duration, message and the head of its output (an SVG
 * <title>), clicking it copies the same into the panel below.  Vertical
 * lines mark the lower bound (max(longest test, test time / workers)), the
 * predicted makespan when there was a prediction, and the end of the run:
 * what lies between the bars is idle time, and the tail shows as bars
 * alone at the right.  Written with libxml2's xmlTextWriter (so every text
 * is escaped), to FILE.tmp renamed over FILE.
 */
#include "report.h"

#include <errno.h>
#include <libxml/xmlwriter.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "report-internal.h"
#include "util.h"

#define TL_LEFT 90.0          /* lane labels */
#define TL_PLOT 1000.0        /* the time axis, pixels */
#define TL_LANE 26.0          /* a worker's lane */
#define TL_TOP 40.0           /* room for the lines' labels */
#define TL_OUTPUT_HEAD 600u   /* bytes of output in a bar's tooltip */

struct tl {
	xmlTextWriterPtr w;
	const struct report_opts *o;
	struct strbuf text;
	double scale;         /* pixels per second */
	int failed;
};

static const char *tl_outcome_colour(enum outcome o)
{
	switch (o) {
	case OUTCOME_PASS: return "#43a047";
	case OUTCOME_FLAKY: return "#c0ca33";
	case OUTCOME_ORDERDEP: return "#29b6f6";
	case OUTCOME_FAIL: return "#e53935";
	case OUTCOME_CRASH: return "#8e24aa";
	case OUTCOME_TIMEOUT: return "#fb8c00";
	case OUTCOME_SKIP: return "#9e9e9e";
	default: return "#616161";
	}
}

static const char *tl_colour(const struct report_opts *o, const struct test_case *c)
{
	if (o->planned)
		return c->est_known ? "#5c6bc0" : "#b0bec5";
	return tl_outcome_colour(c->outcome);
}

static void tl_start(struct tl *t, const char *element)
{
	t->failed |= xmlTextWriterStartElement(t->w, BAD_CAST element) < 0;
}

static void tl_end(struct tl *t)
{
	t->failed |= xmlTextWriterEndElement(t->w) < 0;
}

static void tl_attr(struct tl *t, const char *name, const char *value)
{
	t->failed |= xmlTextWriterWriteAttribute(t->w, BAD_CAST name, BAD_CAST value) < 0;
}

static void tl_attrf(struct tl *t, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tl_attrf(struct tl *t, const char *name, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tl_attr(t, name, buf);
}

static void tl_string(struct tl *t, const char *s, size_t n)
{
	const char *text = report_xml_text(&t->text, s, n, 1u << 20);

	t->failed |= xmlTextWriterWriteString(t->w, BAD_CAST text) < 0;
}

static void tl_text(struct tl *t, double x, double y, const char *cls, const char *s)
{
	tl_start(t, "text");
	tl_attrf(t, "x", "%.1f", x);
	tl_attrf(t, "y", "%.1f", y);
	tl_attr(t, "class", cls);
	tl_string(t, s, strlen(s));
	tl_end(t);
}

/* A vertical line at time s across every lane, labelled. */
static void tl_marker(struct tl *t, double s, unsigned lanes, const char *cls, const char *label, int row)
{
	double x = TL_LEFT + s * t->scale;
	char buf[96];

	tl_start(t, "line");
	tl_attr(t, "class", cls);
	tl_attrf(t, "x1", "%.1f", x);
	tl_attrf(t, "x2", "%.1f", x);
	tl_attrf(t, "y1", "%.1f", TL_TOP - 4 - 12.0 * row);
	tl_attrf(t, "y2", "%.1f", TL_TOP + lanes * TL_LANE);
	tl_end(t);
	snprintf(buf, sizeof(buf), "%s %.2fs", label, s);
	tl_text(t, x + 3, TL_TOP - 6 - 12.0 * row, cls, buf);
}

static double tl_end_of(const struct test_case *c)
{
	return c->end > c->start ? c->end : c->start + c->duration;
}

static void tl_bar(struct tl *t, const struct test_case *c)
{
	double w = (tl_end_of(c) - c->start) * t->scale;
	struct strbuf tip = STRBUF_INIT;

	tl_start(t, "rect");
	tl_attr(t, "class", "test");
	tl_attrf(t, "x", "%.2f", TL_LEFT + c->start * t->scale);
	tl_attrf(t, "y", "%.1f", TL_TOP + c->worker * TL_LANE + 4);
	tl_attrf(t, "width", "%.2f", w < 1 ? 1 : w);
	tl_attrf(t, "height", "%.1f", TL_LANE - 8);
	tl_attr(t, "fill", tl_colour(t->o, c));
	tl_start(t, "title");
	if (t->o->planned)
		strbuf_addf(&tip, "%s\n%s %.3fs, worker %d\n", c->id, c->est_known ? "timed" : "estimated",
			    c->duration, c->worker);
	else
		strbuf_addf(&tip, "%s\n%s, %.3fs, worker %d\n", c->id, outcome_name(c->outcome), c->duration,
			    c->worker);
	if (c->message)
		strbuf_addf(&tip, "%s\n", c->message);
	if (c->output_len)
		strbuf_add(&tip, c->output, c->output_len < TL_OUTPUT_HEAD ? c->output_len : TL_OUTPUT_HEAD);
	tl_string(t, tip.buf, tip.len);
	tl_end(t);
	tl_end(t);
	strbuf_release(&tip);
}

/* A batch: an outline around the tests of one unit, tests[0..n) of a lane in start order. */
static void tl_batch(struct tl *t, const struct test_case *const *tests, size_t n)
{
	double start = tests[0]->start, end = tl_end_of(tests[n - 1]);
	char tip[96];

	tl_start(t, "rect");
	tl_attr(t, "class", "batch");
	tl_attrf(t, "x", "%.2f", TL_LEFT + start * t->scale);
	tl_attrf(t, "y", "%.1f", TL_TOP + tests[0]->worker * TL_LANE + 2);
	tl_attrf(t, "width", "%.2f", (end - start) * t->scale);
	tl_attrf(t, "height", "%.1f", TL_LANE - 4);
	tl_start(t, "title");
	snprintf(tip, sizeof(tip), "batch of %zu tests, %.3fs", n, end - start);
	tl_string(t, tip, strlen(tip));
	tl_end(t);
	tl_end(t);
}

static int tl_by_start(const void *a, const void *b)
{
	const struct test_case *x = *(const struct test_case *const *)a, *y = *(const struct test_case *const *)b;

	return (x->start > y->start) - (x->start < y->start);
}

/*
 * The bars of worker w: first an outline for every batch (consecutive
 * tests of one unit), then the tests over them.
 */
static void tl_lane_bars(struct tl *t, const struct run *r, unsigned w)
{
	const struct test_case **lane = xcalloc(r->ntests + 1, sizeof(*lane));
	size_t n = 0;

	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].selected && r->tests[i].worker == (int)w)
			lane[n++] = &r->tests[i];
	qsort(lane, n, sizeof(*lane), tl_by_start);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && lane[i]->unit && lane[j]->unit == lane[i]->unit; j++)
			;
		if (j - i > 1)
			tl_batch(t, lane + i, j - i);
	}
	for (size_t i = 0; i < n; i++)
		tl_bar(t, lane[i]);
	free(lane);
}

static void tl_axis(struct tl *t, double span, unsigned lanes)
{
	static const double steps[] = { 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600 };
	double step = steps[ARRAY_SIZE(steps) - 1];
	char buf[32];

	for (size_t i = 0; i < ARRAY_SIZE(steps); i++)
		if (span / steps[i] <= 12) {
			step = steps[i];
			break;
		}
	for (double s = 0; s <= span + 1e-9; s += step) {
		double x = TL_LEFT + s * t->scale, y = TL_TOP + lanes * TL_LANE;

		tl_start(t, "line");
		tl_attr(t, "class", "tick");
		tl_attrf(t, "x1", "%.1f", x);
		tl_attrf(t, "x2", "%.1f", x);
		tl_attrf(t, "y1", "%.1f", TL_TOP);
		tl_attrf(t, "y2", "%.1f", y + 4);
		tl_end(t);
		snprintf(buf, sizeof(buf), "%gs", s);
		tl_text(t, x - 8, y + 16, "axis", buf);
	}
}

static void tl_svg(struct tl *t, const struct run *r, const struct dispatch_stats *st,
		   const struct report_opts *o, double lb)
{
	unsigned lanes = o->workers ? o->workers : 1;
	double span = st->wall > lb ? st->wall : lb;
	char label[32];

	if (o->predicted > span)
		span = o->predicted;
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].selected && r->tests[i].end > span)
			span = r->tests[i].end;
	t->scale = TL_PLOT / (span > 0 ? span : 1);
	tl_start(t, "svg");
	tl_attr(t, "xmlns", "http://www.w3.org/2000/svg");
	tl_attrf(t, "width", "%.0f", TL_LEFT + TL_PLOT + 120);
	tl_attrf(t, "height", "%.0f", TL_TOP + lanes * TL_LANE + 30);
	for (unsigned w = 0; w < lanes; w++) {
		tl_start(t, "g");
		tl_attr(t, "class", "lane");
		tl_attrf(t, "data-worker", "%u", w);
		tl_start(t, "rect");
		tl_attr(t, "class", "lane-bg");
		tl_attrf(t, "x", "%.1f", TL_LEFT);
		tl_attrf(t, "y", "%.1f", TL_TOP + w * TL_LANE + 1);
		tl_attrf(t, "width", "%.1f", span * t->scale);
		tl_attrf(t, "height", "%.1f", TL_LANE - 2);
		tl_end(t);
		snprintf(label, sizeof(label), "worker %u", w);
		tl_text(t, 4, TL_TOP + w * TL_LANE + TL_LANE * 0.65, "label", label);
		tl_lane_bars(t, r, w);
		tl_end(t);
	}
	tl_axis(t, span, lanes);
	tl_marker(t, lb, lanes, "bound", "lower bound", 0);
	if (o->predicted > 0)
		tl_marker(t, o->predicted, lanes, "predicted", "predicted", 1);
	if (!o->planned)
		tl_marker(t, st->wall, lanes, "wall", "end", 2);
	tl_end(t);
}

static const char tl_style[] =
	"body{font:13px sans-serif;margin:16px}svg text{font:11px sans-serif}"
	".lane-bg{fill:#eceff1}.test{stroke:#fff;stroke-width:0.5;cursor:pointer}"
	".batch{fill:#cfd8dc;stroke:#546e7a;stroke-width:1}"
	".tick{stroke:#cfd8dc}line.bound{stroke:#1e88e5;stroke-dasharray:6 3}text.bound{fill:#1e88e5}"
	"line.predicted{stroke:#6d4c41;stroke-dasharray:2 3}text.predicted{fill:#6d4c41}"
	"line.wall{stroke:#212121}text.wall{fill:#212121}"
	"#detail{background:#f5f5f5;padding:8px;white-space:pre-wrap;max-height:20em;overflow:auto}"
	".key span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}";

/* No '<', '>' or '&': the same text is valid XML and valid HTML. */
static const char tl_script[] =
	"document.querySelectorAll('rect.test').forEach(function (r) {"
	" r.addEventListener('click', function () {"
	" document.getElementById('detail').textContent = r.querySelector('title').textContent; }); });";

static void tl_key_entry(struct tl *t, const char *colour, size_t count, const char *what)
{
	char buf[64];

	tl_start(t, "span");
	tl_attrf(t, "style", "background:%s", colour);
	tl_string(t, " ", 1);
	tl_end(t);
	snprintf(buf, sizeof(buf), "%zu %s", count, what);
	tl_string(t, buf, strlen(buf));
}

/* The legend: counts by outcome, or for a plan by where the estimate came from. */
static void tl_key(struct tl *t, const struct run *r, const size_t counts[OUTCOME__COUNT])
{
	size_t timed = 0, guessed = 0;

	tl_start(t, "p");
	tl_attr(t, "class", "key");
	for (size_t i = 0; t->o->planned && i < r->ntests; i++)
		if (r->tests[i].selected && r->tests[i].worker >= 0)
			*(r->tests[i].est_known ? &timed : &guessed) += 1;
	if (timed)
		tl_key_entry(t, "#5c6bc0", timed, "timed");
	if (guessed)
		tl_key_entry(t, "#b0bec5", guessed, "estimated");
	for (int i = 0; !t->o->planned && i < OUTCOME__COUNT; i++)
		if (counts[i])
			tl_key_entry(t, tl_outcome_colour((enum outcome)i), counts[i], outcome_name((enum outcome)i));
	tl_end(t);
}

static void tl_document(struct tl *t, const struct run *r, const struct dispatch_stats *st,
			const struct report_opts *o)
{
	size_t counts[OUTCOME__COUNT];
	double sum, longest, lb;
	char buf[256];

	report_counts(r, counts);
	report_totals(r, &sum, &longest);
	lb = sum / (o->workers ? o->workers : 1);
	lb = longest > lb ? longest : lb;
	t->failed |= xmlTextWriterWriteDTD(t->w, BAD_CAST "html", NULL, NULL, NULL) < 0;
	tl_start(t, "html");
	tl_attr(t, "xmlns", "http://www.w3.org/1999/xhtml");
	tl_start(t, "head");
	tl_start(t, "meta");
	tl_attr(t, "charset", "utf-8");
	tl_end(t);
	t->failed |= xmlTextWriterWriteElement(t->w, BAD_CAST "title", BAD_CAST "balrun timeline") < 0;
	t->failed |= xmlTextWriterWriteElement(t->w, BAD_CAST "style", BAD_CAST tl_style) < 0;
	tl_end(t);
	tl_start(t, "body");
	if (o->planned)
		snprintf(buf, sizeof(buf), "balrun plan: %.2fs of tests on %u workers, predicted %.2fs "
			 "(lower bound %.2fs, %.0f%%)", sum, o->workers, o->predicted, lb,
			 o->predicted > 0 ? 100 * lb / o->predicted : 100);
	else
		snprintf(buf, sizeof(buf), "balrun: %.2fs of tests on %u workers in %.2fs (lower bound %.2fs, %.0f%%)",
			 sum, o->workers, st->wall, lb, st->wall > 0 ? 100 * lb / st->wall : 100);
	t->failed |= xmlTextWriterWriteElement(t->w, BAD_CAST "h3", BAD_CAST buf) < 0;
	tl_key(t, r, counts);
	tl_svg(t, r, st, o, lb);
	tl_start(t, "pre");
	tl_attr(t, "id", "detail");
	tl_string(t, "Hover over a bar, or click it to show it here.", 46);
	tl_end(t);
	tl_start(t, "script");
	t->failed |= xmlTextWriterWriteRaw(t->w, BAD_CAST tl_script) < 0;
	tl_end(t);
	tl_end(t);
	tl_end(t);
	t->failed |= xmlTextWriterEndDocument(t->w) < 0;
}

int report_timeline(const struct run *r, const struct dispatch_stats *st, const struct report_opts *o,
		    const char *path, struct strbuf *err)
{
	char *tmp = xasprintf("%s.tmp", path);
	struct tl t = { xmlNewTextWriterFilename(tmp, 0), o, STRBUF_INIT, 1, 0 };
	int ret = 0;

	if (!t.w) {
		strbuf_addf(err, "cannot write the timeline '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	tl_document(&t, r, st, o);
	xmlFreeTextWriter(t.w);
	if (t.failed || rename(tmp, path)) {
		strbuf_addf(err, "cannot write the timeline '%s': %s", path,
			    t.failed ? "write failed" : strerror(errno));
		unlink(tmp);
		ret = -1;
	}
	strbuf_release(&t.text);
	free(tmp);
	return ret;
}
