// CachingCredentialsProvider: remembers the credentials of another provider
// and asks it again only when they are about to expire.
//
// Credentials with an expiration are refreshed once `now` is within
// `refresh_margin` of it (default 5 minutes, so a request signed just
// before never reaches AWS with expired credentials). Credentials without
// an expiration (environment variables, the shared credentials file, even
// with a session token) are read again once they are `reread_interval` old
// (default 5 minutes): a rotated credentials file is picked up without a
// restart. When a refresh fails while the cached credentials have not yet
// expired (those without an expiration never do), the cached ones are
// returned (the source may recover before they do); once they have expired
// the error is returned. Invalidate() drops the cached credentials, which
// AWS has just rejected: the next call reads the source at once, and a
// failure then is returned, not the rejected credentials.
//
// Thread safety: GetCredentials may be called concurrently. One refresh
// runs at a time, outside the lock: while it runs, other callers get the
// cached credentials if they have not expired (signing never stalls behind
// a slow endpoint inside the refresh margin), and otherwise wait for its
// outcome rather than piling onto the source.
// Ownership: owns the wrapped provider.
#ifndef INKDEX_SERVICE_AWS_CACHING_CREDENTIALS_PROVIDER_H_
#define INKDEX_SERVICE_AWS_CACHING_CREDENTIALS_PROVIDER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "aws/credentials.h"

namespace inkdex::aws {

class CachingCredentialsProvider final : public CredentialsProvider {
 public:
  struct Options {
    absl::Duration refresh_margin = absl::Minutes(5);
    // Age after which credentials without an expiration are read again.
    absl::Duration reread_interval = absl::Minutes(5);
    std::function<absl::Time()> now = [] { return absl::Now(); };  // injectable for tests
  };

  explicit CachingCredentialsProvider(std::unique_ptr<CredentialsProvider> source);
  CachingCredentialsProvider(std::unique_ptr<CredentialsProvider> source, Options options);

  absl::StatusOr<Credentials> GetCredentials() override;
  void Invalidate() override;

 private:
  // Whether the cached credentials may be returned without a refresh.
  bool Fresh(absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const std::unique_ptr<CredentialsProvider> source_;
  const Options options_;
  absl::Mutex mutex_;
  std::optional<Credentials> cached_ ABSL_GUARDED_BY(mutex_);
  absl::Time cached_at_ ABSL_GUARDED_BY(mutex_);
  bool refreshing_ ABSL_GUARDED_BY(mutex_) = false;
  uint64_t refreshes_ ABSL_GUARDED_BY(mutex_) = 0;  // completed, to wake waiters
  absl::Status last_refresh_error_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace inkdex::aws

#endif  // INKDEX_SERVICE_AWS_CACHING_CREDENTIALS_PROVIDER_H_
