// gt_dtor_abort - a static destructor aborts after gtest's run ended (and
// after its XML report was written), in every process, --gtest_list_tests
// included.
//
// Serial answer (killed by SIGABRT): 2 passed; evidence "[after tests]".
#include <gtest/gtest.h>
#include <cstdlib>

static struct AbortAtExit {
  ~AbortAtExit() { abort(); }
} abort_at_exit;

TEST(Dtor, A) {}
TEST(Dtor, B) {}
