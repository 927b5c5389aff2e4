// Process-wide limits of the HTTP server that need no sockets: the memory
// budget for request and response bodies in flight, and a throttle for log
// lines that an attacker could otherwise make the server write in a loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace basalt::http {

// Bytes of request and response bodies the server holds at once. A request
// takes its declared body size before the body is read and gives it back once
// the handler has returned; a response takes its size until it is written.
//
// Thread safety: every method may be called from any thread.
class MemoryBudget {
 public:
  // `limit` bytes in all. Requests of at most `small_bytes` may also use a
  // further limit/8, so that a flood of large bodies cannot shut out the
  // small requests that are nearly all of DynamoDB's traffic (with the
  // server's cost factor of 5, 1 MiB is a body of 200 KB: a batch of 25
  // items of 8 KB).
  explicit MemoryBudget(size_t limit, size_t small_bytes = 1024 * 1024);

  // Takes `n` bytes if they fit now. A request larger than the whole budget
  // fits when nothing else is held, so a small budget never refuses a
  // request forever.
  bool TryAcquire(size_t n);
  // Takes `more` bytes for a holder that has `held` already (a body growing
  // as it is decompressed). The holder is judged by its total: it may use
  // the small requests' extra room only while its total is small, and it
  // fits whatever its size when it is the only holder.
  bool TryGrow(size_t held, size_t more);
  // Takes `n` bytes whether or not they fit (a response already computed).
  void ForceAcquire(size_t n);
  void Release(size_t n);

  // Queues a request for `n` bytes. Once they are taken for it, `grant` runs
  // on the thread that released them (it must not call back into the budget
  // and should only post work elsewhere). Returns an id for Cancel.
  uint64_t Wait(size_t n, std::function<void()> grant);
  // Drops a queued request. False if it was granted already (its grant has
  // run or is running), in which case the caller owns the bytes.
  bool Cancel(uint64_t id);

  // Forgets every queued request without granting it (at shutdown, so
  // that what their grants hold is released while it still can be).
  void DropWaiters();

  size_t limit() const { return limit_; }
  size_t used() const;
  // The most ever held at once (for tests and the soak script's figures).
  size_t peak() const;

 private:
  // Whether `n` more bytes fit for a holder whose total would be `total`.
  bool FitsLocked(size_t n, size_t total) const;
  bool FitsLocked(size_t n) const { return FitsLocked(n, n); }

  struct Waiter {
    uint64_t id;
    size_t bytes;
    std::function<void()> grant;
  };

  const size_t limit_;
  const size_t small_bytes_;
  mutable std::mutex mu_;
  size_t used_ = 0;            // guarded by mu_
  size_t peak_ = 0;            // guarded by mu_
  uint64_t next_id_ = 1;       // guarded by mu_
  std::deque<Waiter> waiters_;  // oldest first; guarded by mu_
};

// Bytes of a budget held by one owner; gives them back when destroyed.
class Reservation {
 public:
  Reservation() = default;
  Reservation(MemoryBudget* budget, size_t bytes) : budget_(budget), bytes_(bytes) {}
  Reservation(Reservation&& other) noexcept { *this = std::move(other); }
  Reservation& operator=(Reservation&& other) noexcept;
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  ~Reservation() { Reset(); }

  void Reset();
  // Holds `more` bytes too if the budget has them (MemoryBudget::TryGrow).
  bool TryGrow(size_t more);
  size_t bytes() const { return bytes_; }

 private:
  MemoryBudget* budget_ = nullptr;
  size_t bytes_ = 0;
};

// Lets one log line through per interval and counts the ones held back, so a
// condition that repeats thousands of times a second (an accept that fails
// for want of descriptors) is reported without flooding the log.
class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

  // True when a line may be written now; *suppressed is then the number of
  // events held back since the last line.
  bool Allow(std::chrono::steady_clock::time_point now, uint64_t* suppressed);

 private:
  const std::chrono::steady_clock::duration interval_;
  std::mutex mu_;
  bool logged_ = false;                          // guarded by mu_
  std::chrono::steady_clock::time_point last_;   // guarded by mu_
  uint64_t suppressed_ = 0;                      // guarded by mu_
};

}  // namespace basalt::http
