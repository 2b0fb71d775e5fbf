// gt_odd - GoogleTest cases registered at run time (testing::RegisterTest)
// under names a --gtest_filter cannot select one by one: balrun runs each
// alone through gtest's sharding.
//
// Serial answer (exit 1):
//   Plain.T                                    passed
//   Odd.with space, Odd.colon:minus-, Odd.star*q?, Odd.hash#1, Odd.été,
//   Odd.new<newline>line, Odd Suite.x          passed
//   Odd.dup (the first)                        passed
//   Odd.dup#2 (the same name again)            failed
#include <gtest/gtest.h>

class Dyn : public ::testing::Test {
 public:
  explicit Dyn(int v) : v_(v) {}
  void TestBody() override { EXPECT_NE(v_, 99); }

 private:
  int v_;
};

TEST(Plain, T) {}

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  static const struct { const char *suite, *name; int v; } dyn[] = {
      {"Odd", "with space", 1}, {"Odd", "colon:minus-", 2}, {"Odd", "star*q?", 3},
      {"Odd", "dup", 4},        {"Odd", "dup", 99},         {"Odd", "hash#1", 5},
      {"Odd", "\xc3\xa9t\xc3\xa9", 6}, {"Odd", "new\nline", 7}, {"Odd Suite", "x", 8},
  };
  for (const auto &d : dyn) {
    int v = d.v;
    ::testing::RegisterTest(d.suite, d.name, nullptr, nullptr, __FILE__, __LINE__,
                            [v]() -> ::testing::Test * { return new Dyn(v); });
  }
  return RUN_ALL_TESTS();
}
