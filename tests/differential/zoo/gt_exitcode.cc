// gt_exitcode - every GoogleTest case passes, then main() returns 2.
//
// Serial answer (exit 2): 2 passed; evidence "[after tests]".
#include <gtest/gtest.h>

TEST(Code, A) {}
TEST(Code, B) {}

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS() == 0 ? 2 : 1;
}
