/*
 * report-cmd.h - `balrun report RUN.json [--timeline FILE] [--junit FILE]
 * [--trace FILE]`: the reports of a run drawn again from its --json report
 * (docs/reports.md).  It prints the run's balance and counts line, and
 * writes each file asked for.
 *
 * main() hands over argv from the word "report" on.  Exit codes: 0 done,
 * 3 a file could not be written, 4 usage error (a bad option, a report that
 * cannot be read or is not one, an output path that cannot be written).
 */
#ifndef BALRUN_REPORT_CMD_H
#define BALRUN_REPORT_CMD_H

/* 1 if the command line is "balrun report ...". */
int report_cmd_wanted(int argc, char **argv);
/* Run it; argv[0] is "report".  Returns the exit code. */
int report_cmd_main(int argc, char **argv);

#endif
