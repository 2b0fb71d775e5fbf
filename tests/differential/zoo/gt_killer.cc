// gt_killer - a GoogleTest case that ends the whole process, between
// innocent cases.  One source, four binaries; the name picks the killer:
//   gt_kill_segv    Kill.Killer dereferences NULL   (killed by SIGSEGV)
//   gt_kill_abort   Kill.Killer calls abort()       (killed by SIGABRT)
//   gt_kill_exit0   Kill.Killer calls exit(0)       (exit status 0: gtest skips the rest silently)
//   gt_kill_exit3   Kill.Killer calls exit(3)
//
// Serial answer (no XML report; stdout is the oracle):
//   Kill.Before           passed
//   Kill.Killer           crashed (a signal) or failed (exit)
//   Kill.After, Later.T   unknown (never reached serially)
#include <gtest/gtest.h>
#include <cstdlib>
#include <cstring>

static const char *how = "segv";

TEST(Kill, Before) {}
TEST(Kill, Killer) {
  if (!strcmp(how, "segv")) *(volatile int *)nullptr = 1;
  if (!strcmp(how, "abort")) abort();
  exit(!strcmp(how, "exit0") ? 0 : 3);
}
TEST(Kill, After) {}
TEST(Later, T) {}

int main(int argc, char **argv) {
  const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  if (!strncmp(name, "gt_kill_", 8)) how = name + 8;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
