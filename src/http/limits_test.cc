#include "http/limits.h"

#include <gtest/gtest.h>

#include <vector>

namespace basalt::http {
namespace {

TEST(MemoryBudgetTest, TakesWhatFitsAndRefusesWhatDoesNot) {
  MemoryBudget budget(100, /*small_bytes=*/0);
  EXPECT_TRUE(budget.TryAcquire(60));
  EXPECT_TRUE(budget.TryAcquire(40));
  EXPECT_FALSE(budget.TryAcquire(1));
  budget.Release(40);
  EXPECT_EQ(60u, budget.used());
  EXPECT_TRUE(budget.TryAcquire(40));
  EXPECT_EQ(100u, budget.peak());
}

TEST(MemoryBudgetTest, ARequestLargerThanTheBudgetFitsWhenNothingElseIsHeld) {
  MemoryBudget budget(100, 0);
  EXPECT_TRUE(budget.TryAcquire(500));
  EXPECT_FALSE(budget.TryAcquire(500));
  budget.Release(500);
  EXPECT_TRUE(budget.TryAcquire(500));
}

TEST(MemoryBudgetTest, SmallRequestsHaveAnEighthMoreThanLargeOnes) {
  MemoryBudget budget(800, /*small_bytes=*/10);
  EXPECT_TRUE(budget.TryAcquire(800));
  EXPECT_FALSE(budget.TryAcquire(11));  // not small
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(budget.TryAcquire(10)) << i;
  EXPECT_FALSE(budget.TryAcquire(10));  // 900 is the small requests' ceiling
}

TEST(MemoryBudgetTest, AGrowingHolderIsJudgedByItsTotal) {
  MemoryBudget budget(800, /*small_bytes=*/100);
  ASSERT_TRUE(budget.TryAcquire(700));
  Reservation other(&budget, 700);
  ASSERT_TRUE(budget.TryAcquire(50));
  Reservation growing(&budget, 50);
  EXPECT_TRUE(growing.TryGrow(50));   // 800: within the budget
  EXPECT_FALSE(growing.TryGrow(10));  // a total of 110 is not small: no extra room
  EXPECT_EQ(100u, growing.bytes());
  EXPECT_EQ(800u, budget.used());
  other.Reset();
  EXPECT_TRUE(growing.TryGrow(5000));  // the only holder fits whatever its size
  EXPECT_EQ(5100u, budget.used());
  growing.Reset();
  EXPECT_EQ(0u, budget.used());
}

TEST(MemoryBudgetTest, SmallGrowingHoldersShareTheSmallRequestsRoom) {
  MemoryBudget budget(800, /*small_bytes=*/100);
  ASSERT_TRUE(budget.TryAcquire(800));
  ASSERT_TRUE(budget.TryAcquire(10));
  Reservation small(&budget, 10);
  EXPECT_TRUE(small.TryGrow(80));   // a total of 90 is small: the eighth more applies
  EXPECT_FALSE(small.TryGrow(20));  // a total of 110 is not
  Reservation empty;
  EXPECT_FALSE(empty.TryGrow(1));   // no budget to grow from
}

TEST(MemoryBudgetTest, AWaiterIsGrantedWhenEnoughIsReleased) {
  MemoryBudget budget(100, 0);
  ASSERT_TRUE(budget.TryAcquire(90));
  std::vector<int> granted;
  budget.Wait(50, [&] { granted.push_back(1); });
  budget.Wait(5, [&] { granted.push_back(2); });  // fits at once
  EXPECT_EQ(std::vector<int>{2}, granted);
  budget.Release(40);  // 55 held: 50 more do not fit
  EXPECT_EQ(std::vector<int>{2}, granted);
  budget.Release(10);
  EXPECT_EQ((std::vector<int>{2, 1}), granted);
  EXPECT_EQ(95u, budget.used());
}

TEST(MemoryBudgetTest, ALargeWaiterDoesNotHoldUpSmallerOnes) {
  MemoryBudget budget(100, 0);
  ASSERT_TRUE(budget.TryAcquire(100));
  std::vector<int> granted;
  budget.Wait(80, [&] { granted.push_back(1); });
  budget.Wait(30, [&] { granted.push_back(2); });
  budget.Release(40);
  EXPECT_EQ(std::vector<int>{2}, granted);
}

TEST(MemoryBudgetTest, ACancelledWaiterIsNeverGranted) {
  MemoryBudget budget(100, 0);
  ASSERT_TRUE(budget.TryAcquire(100));
  bool granted = false;
  uint64_t id = budget.Wait(50, [&] { granted = true; });
  EXPECT_TRUE(budget.Cancel(id));
  EXPECT_FALSE(budget.Cancel(id));
  budget.Release(100);
  EXPECT_FALSE(granted);
  EXPECT_EQ(0u, budget.used());
}

TEST(MemoryBudgetTest, CancelAfterTheGrantSaysTheBytesAreTaken) {
  MemoryBudget budget(100, 0);
  ASSERT_TRUE(budget.TryAcquire(100));
  uint64_t id = budget.Wait(50, [] {});
  budget.Release(100);
  EXPECT_FALSE(budget.Cancel(id));
  EXPECT_EQ(50u, budget.used());
}

TEST(MemoryBudgetTest, ForceAcquireMayGoPastTheLimit) {
  MemoryBudget budget(100, 0);
  budget.ForceAcquire(150);
  EXPECT_EQ(150u, budget.used());
  EXPECT_FALSE(budget.TryAcquire(1));
}

TEST(ReservationTest, GivesItsBytesBackOnceWhenDestroyedOrMoved) {
  MemoryBudget budget(100, 0);
  ASSERT_TRUE(budget.TryAcquire(70));
  {
    Reservation r(&budget, 70);
    Reservation moved = std::move(r);
    EXPECT_EQ(70u, budget.used());
    r.Reset();
    EXPECT_EQ(70u, budget.used());
  }
  EXPECT_EQ(0u, budget.used());
}

TEST(LogThrottleTest, LetsOneLinePerIntervalAndCountsTheRest) {
  LogThrottle throttle(std::chrono::seconds(10));
  auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  uint64_t suppressed = 99;
  EXPECT_TRUE(throttle.Allow(t0, &suppressed));
  EXPECT_EQ(0u, suppressed);
  EXPECT_FALSE(throttle.Allow(t0 + std::chrono::seconds(1), &suppressed));
  EXPECT_FALSE(throttle.Allow(t0 + std::chrono::seconds(9), &suppressed));
  EXPECT_TRUE(throttle.Allow(t0 + std::chrono::seconds(10), &suppressed));
  EXPECT_EQ(2u, suppressed);
}

}  // namespace
}  // namespace basalt::http
