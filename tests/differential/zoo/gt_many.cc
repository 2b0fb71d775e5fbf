// gt_many - 500 GoogleTest cases in one suite, Many.T000 .. Many.T499: long
// --gtest_filter batches.  T042, T142, T242, T342 and T442 fail.
//
// Serial answer (exit 1): 495 passed, 5 failed.
#include <gtest/gtest.h>

#define T1(n) TEST(Many, T##n) { EXPECT_NE(1##n % 100, 42) << "fails on purpose"; }
#define T10(n) T1(n##0) T1(n##1) T1(n##2) T1(n##3) T1(n##4) T1(n##5) T1(n##6) T1(n##7) T1(n##8) T1(n##9)
#define T100(n) T10(n##0) T10(n##1) T10(n##2) T10(n##3) T10(n##4) T10(n##5) T10(n##6) T10(n##7) T10(n##8) T10(n##9)
T100(0) T100(1) T100(2) T100(3) T100(4)
