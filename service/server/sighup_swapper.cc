#include "server/sighup_swapper.h"

#include <utility>

namespace inkdex::server {

SighupSwapper::SighupSwapper(std::function<void(const std::function<bool()>& stopping)> swap)
    : swap_(std::move(swap)), thread_([this] { Loop(); }) {}

SighupSwapper::~SighupSwapper() { Stop(); }

void SighupSwapper::Request() {
  absl::MutexLock lock(&mu_);
  if (!stopping_) requested_ = true;
}

void SighupSwapper::Stop() {
  absl::MutexLock stop(&stop_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    requested_ = false;
  }
  if (thread_.joinable()) thread_.join();
}

void SighupSwapper::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return requested_ || stopping_; };
      mu_.Await(absl::Condition(&woken));
      if (stopping_) return;
      requested_ = false;  // requests from here on mean one more swap
    }
    swap_([this] {
      absl::MutexLock lock(&mu_);
      return stopping_;
    });
  }
}

}  // namespace inkdex::server
