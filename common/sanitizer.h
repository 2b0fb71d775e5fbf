/*
 * sanitizer.h - reading a sanitizer's report in a test's output.
 *
 * AddressSanitizer, LeakSanitizer, ThreadSanitizer, MemorySanitizer and
 * HWASan open a report with a line "==PID==ERROR: AddressSanitizer: ..."
 * (TSan: "WARNING: ThreadSanitizer: ...") and close it with
 * "SUMMARY: AddressSanitizer: heap-buffer-overflow f.c:15 in fn";
 * UndefinedBehaviorSanitizer writes "f.c:9:12: runtime error: ...".  A
 * test whose output holds one failed, whatever its framework says
 * afterwards (TSan and UBSan without halt_on_error let the test go on and
 * pass).  Pure text: what to do with a report is the caller's.
 */
#ifndef BALRUN_SANITIZER_H
#define BALRUN_SANITIZER_H

#include <stddef.h>

#include "strbuf.h"

/*
 * 1 if buf[0..len) holds a sanitizer report, else 0.  With msg non-NULL
 * its one-line description is appended to msg: the first report's SUMMARY
 * text ("AddressSanitizer: heap-buffer-overflow f.c:15 in fn"), else its
 * opening line from "AddressSanitizer:" on, or UBSan's "f.c:9:12: runtime
 * error: ..." line.
 */
int sanitizer_report(const char *buf, size_t len, struct strbuf *msg);

#endif
