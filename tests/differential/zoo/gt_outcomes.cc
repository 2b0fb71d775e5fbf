// gt_outcomes - one GoogleTest case per outcome, fixture and parameter kind.
//
// Serial answer (exit 1; the XML report is the oracle):
//   Basic.Pass, Basic.Output                     passed
//   Basic.Fail (EXPECT_EQ), Basic.Fatal (ASSERT) failed
//   Basic.Skip (GTEST_SKIP)                      skipped
//   Basic.Throw (an exception gtest catches)     failed
//   Basic.DISABLED_Off, DISABLED_Suite.On        skipped (disabled: not run)
//   Fix.SetUpFails (SetUp FAILs)                 failed
//   Fix.TearDownFails (TearDown ADD_FAILUREs)    failed
//   Typed/0.Default .. Typed/2.Default           passed
//   Inst/TypedP/0.One (char) passed, Inst/TypedP/1.One (long) failed
//   Nums/Param.IsSmall/0, /1 passed, /2 failed
//   Named/Param.IsSmall/v1                       passed
//   DISABLED_Off/Param.IsSmall/0                 skipped (disabled)
#include <gtest/gtest.h>
#include <cstdio>
#include <stdexcept>
#include <string>

TEST(Basic, Pass) {}
TEST(Basic, Fail) { EXPECT_EQ(1, 2) << "custom message"; }
TEST(Basic, Fatal) { ASSERT_TRUE(false) << "fatal"; }
TEST(Basic, Skip) { GTEST_SKIP() << "not today"; }
TEST(Basic, Output) { printf("out"); fprintf(stderr, "err\n"); }
TEST(Basic, Throw) { throw std::runtime_error("boom"); }
TEST(Basic, DISABLED_Off) { printf("disabled ran\n"); }
TEST(DISABLED_Suite, On) {}

class Fix : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) == "SetUpFails")
      FAIL() << "SetUp failed";
  }
  void TearDown() override {
    if (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) == "TearDownFails")
      ADD_FAILURE() << "TearDown failed";
  }
};
TEST_F(Fix, SetUpFails) {}
TEST_F(Fix, TearDownFails) {}

template <typename T> class Typed : public ::testing::Test {};
using MyTypes = ::testing::Types<int, double, std::string>;
TYPED_TEST_SUITE(Typed, MyTypes);
TYPED_TEST(Typed, Default) { TypeParam t{}; (void)t; }

template <typename T> class TypedP : public ::testing::Test {};
TYPED_TEST_SUITE_P(TypedP);
TYPED_TEST_P(TypedP, One) { EXPECT_EQ(sizeof(TypeParam), 1u); }
REGISTER_TYPED_TEST_SUITE_P(TypedP, One);
using PTypes = ::testing::Types<char, long>;
INSTANTIATE_TYPED_TEST_SUITE_P(Inst, TypedP, PTypes);

class Param : public ::testing::TestWithParam<int> {};
TEST_P(Param, IsSmall) { EXPECT_LT(GetParam(), 3); }
INSTANTIATE_TEST_SUITE_P(Nums, Param, ::testing::Values(1, 2, 3));
INSTANTIATE_TEST_SUITE_P(Named, Param, ::testing::Values(1),
    [](const ::testing::TestParamInfo<int> &i) { return "v" + std::to_string(i.param); });
INSTANTIATE_TEST_SUITE_P(DISABLED_Off, Param, ::testing::Values(0));
