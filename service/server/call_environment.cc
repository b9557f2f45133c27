#include "server/call_environment.h"

#include <cstdint>

#include "absl/random/random.h"
#include "absl/strings/str_format.h"

namespace inkdex::server {

CallEnvironment::CallEnvironment(CallEnvironmentOptions options)
    : tokens_(options.write_token, options.read_token),
      limiter_(options.max_concurrent_requests),
      log_(options.log_writer != nullptr ? JsonLog(options.log_level, options.log_writer)
                                         : JsonLog(options.log_level, options.log_fd)) {}

std::string CallEnvironment::NewRequestId() {
  // absl::BitGen is not thread-safe; one per thread keeps ids lock-free.
  thread_local absl::BitGen bits;
  return absl::StrFormat("%016x", absl::Uniform<uint64_t>(bits));
}

}  // namespace inkdex::server
