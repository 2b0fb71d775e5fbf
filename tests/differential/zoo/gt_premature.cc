// gt_premature - a TearDownTestSuite() calls exit(0): the process ends
// with status 0 before gtest's run ended, so gtest's
// TEST_PREMATURE_EXIT_FILE is still there; the suites after it never run.
//
// Serial answer (exit 0, no XML report):
//   First.A     passed
//   Second.A    unknown (never reached serially)
//   evidence: "[after tests]" (the premature exit)
#include <gtest/gtest.h>
#include <cstdlib>

class First : public ::testing::Test {
 public:
  static void TearDownTestSuite() { exit(0); }
};
TEST_F(First, A) {}
TEST(Second, A) {}
