// gt_suitefix - GoogleTest suite fixtures that fail.
//
// Serial answer (exit 1, nothing failed):
//   SetupFails.A, SetupFails.B   skipped (gtest skips a suite whose SetUpTestSuite failed)
//   TeardownFails.A              passed
//   Fine.A                       passed
//   evidence: "SetupFails [group setup]", "TeardownFails [group teardown]"
#include <gtest/gtest.h>

class SetupFails : public ::testing::Test {
 public:
  static void SetUpTestSuite() { ADD_FAILURE() << "setup failed"; }
};
TEST_F(SetupFails, A) {}
TEST_F(SetupFails, B) {}

class TeardownFails : public ::testing::Test {
 public:
  static void TearDownTestSuite() { ADD_FAILURE() << "teardown failed"; }
};
TEST_F(TeardownFails, A) {}

TEST(Fine, A) {}
