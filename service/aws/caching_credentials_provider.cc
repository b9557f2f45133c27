#include "aws/caching_credentials_provider.h"

#include <utility>

#include "absl/base/thread_annotations.h"

namespace inkdex::aws {

CachingCredentialsProvider::CachingCredentialsProvider(std::unique_ptr<CredentialsProvider> source)
    : CachingCredentialsProvider(std::move(source), Options()) {}

CachingCredentialsProvider::CachingCredentialsProvider(std::unique_ptr<CredentialsProvider> source,
                                                       Options options)
    : source_(std::move(source)), options_(std::move(options)) {}

bool CachingCredentialsProvider::Fresh(absl::Time now) const {
  if (!cached_.has_value()) return false;
  if (cached_->expiration.has_value()) return now < *cached_->expiration - options_.refresh_margin;
  return now < cached_at_ + options_.reread_interval;
}

void CachingCredentialsProvider::Invalidate() {
  absl::MutexLock lock(&mutex_);
  cached_.reset();
}

absl::StatusOr<Credentials> CachingCredentialsProvider::GetCredentials() {
  absl::MutexLock lock(&mutex_);
  auto unexpired = [this](absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return cached_.has_value() && (!cached_->expiration.has_value() || now < *cached_->expiration);
  };
  while (true) {
    const absl::Time now = options_.now();
    if (Fresh(now)) return *cached_;
    if (!refreshing_) break;
    if (unexpired(now)) return *cached_;
    const uint64_t seen = refreshes_;
    std::pair<const uint64_t*, uint64_t> progress(&refreshes_, seen);
    mutex_.Await(absl::Condition(
        +[](std::pair<const uint64_t*, uint64_t>* p) { return *p->first != p->second; },
        &progress));
    if (!last_refresh_error_.ok() && !unexpired(options_.now())) return last_refresh_error_;
  }

  refreshing_ = true;
  mutex_.Unlock();
  absl::StatusOr<Credentials> fresh = source_->GetCredentials();
  mutex_.Lock();
  refreshing_ = false;
  ++refreshes_;
  last_refresh_error_ = fresh.status();
  if (fresh.ok()) {
    cached_ = *fresh;
    cached_at_ = options_.now();
    return fresh;
  }
  if (unexpired(options_.now())) return *cached_;
  return fresh.status();
}

}  // namespace inkdex::aws
