#include "server/read_workers.h"

#include <algorithm>
#include <utility>

namespace inkdex::server {

ReadWorkers::ReadWorkers(int threads) {
  if (threads <= 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

ReadWorkers::~ReadWorkers() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& thread : threads_) thread.join();
}

void ReadWorkers::Run(absl::AnyInvocable<void() &&> job) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(job));
}

void ReadWorkers::Work() {
  for (;;) {
    absl::AnyInvocable<void() &&> job;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &ReadWorkers::HasJobOrStopping));
      if (queue_.empty()) return;  // stopping, and nothing left to run
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    std::move(job)();
  }
}

}  // namespace inkdex::server
