// A GoogleTest program registered with CTest three ways: whole, with
// --gtest_filter, and one CTest test per case (gtest_discover_tests).  It
// reads data.txt in its working directory and FIXENV from its environment;
// one case fails on purpose.
#include <gtest/gtest.h>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

TEST(Fast, Pass) { EXPECT_EQ(1, 1); }
TEST(Fast, ReadsDataInCwd) { EXPECT_EQ(access("data.txt", R_OK), 0); }
TEST(Fast, SeesEnv)
{
	const char *e = std::getenv("FIXENV");
	ASSERT_NE(e, nullptr);
	EXPECT_STREQ(e, "yes");
}
TEST(Other, FailsOnPurpose) { EXPECT_EQ(2 + 2, 5); }
TEST(Other, Pass) { SUCCEED(); }
TEST(Other, Skips) { GTEST_SKIP() << "not today"; }
