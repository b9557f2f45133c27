#include "server/call_guard.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "server/call_environment.h"

namespace inkdex::server {

namespace {

constexpr char kRequestIdKey[] = "x-request-id";
constexpr size_t kMaxRequestIdBytes = 128;

std::optional<std::string_view> Metadata(const grpc::ServerContextBase* context,
                                         std::string_view key) {
  if (context == nullptr) return std::nullopt;
  const auto& metadata = context->client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return std::nullopt;
  return std::string_view(it->second.data(), it->second.size());
}

// A caller's id is kept only when it is short, visible ASCII: it ends up in
// every log line of the call.
bool UsableRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdBytes) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

// Codes that mean the server failed, not the caller.
bool IsServerFault(grpc::StatusCode code) {
  return code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
         code == grpc::StatusCode::DATA_LOSS || code == grpc::StatusCode::UNAVAILABLE;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

CallGuard::CallGuard(CallEnvironment& env, grpc::ServerContextBase* context,
                     std::string_view method, Access access)
    : env_(env), context_(context), method_(method), start_(absl::Now()) {
  std::optional<std::string_view> caller_id = Metadata(context_, kRequestIdKey);
  request_id_ = caller_id.has_value() && UsableRequestId(*caller_id) ? std::string(*caller_id)
                                                                     : env_.NewRequestId();
  if (context_ != nullptr) context_->AddInitialMetadata(kRequestIdKey, request_id_);

  absl::Status allowed = env_.tokens().Check(access, Metadata(context_, "authorization"));
  if (!allowed.ok()) {
    admission_ = ToGrpcStatus(allowed);
    return;
  }
  if (!env_.limiter().TryAcquire()) {
    admission_ = grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("the server is running its maximum of ", env_.limiter().max_in_flight(),
                     " concurrent requests (--max-concurrent-requests); retry with backoff"));
    return;
  }
  holds_slot_ = true;
  env_.metrics().CallAdmitted();
}

CallGuard::~CallGuard() {
  if (!finished_) {
    Finish(grpc::Status(grpc::StatusCode::INTERNAL, "the handler ended without a status"));
  }
}

void CallGuard::Note(std::string_view key, std::string_view value) {
  AppendJsonStringMember(notes_, key, value);
}

void CallGuard::Note(std::string_view key, int64_t value) {
  AppendJsonIntMember(notes_, key, value);
}

grpc::Status CallGuard::Finish(grpc::Status status) {
  if (finished_) return status;
  finished_ = true;
  const absl::Duration duration = absl::Now() - start_;
  const grpc::StatusCode code = status.error_code();
  env_.metrics().RecordCall(method_, code, duration);
  if (holds_slot_) {
    holds_slot_ = false;
    env_.limiter().Release();
    env_.metrics().CallReleased();
  }
  const LogLevel level = IsServerFault(code) ? LogLevel::kError : LogLevel::kInfo;
  if (env_.log().Enabled(level)) {
    // Written member by member: a JSON object built per call was ~2 % of a
    // search's CPU in the server.
    std::string members;
    members.reserve(160 + notes_.size());
    AppendJsonStringMember(members, "event", "rpc");
    AppendJsonStringMember(members, "request_id", request_id_);
    AppendJsonStringMember(members, "method", method_);
    AppendJsonStringMember(members, "code", StatusCodeName(code));
    absl::StrAppend(&members, ",\"duration_ms\":",
                    absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(duration)));
    if (context_ != nullptr) AppendJsonStringMember(members, "peer", context_->peer());
    if (!status.ok()) AppendJsonStringMember(members, "message", status.error_message());
    members += notes_;
    env_.log().Write(level, nlohmann::ordered_json(), members);
  }
  return status;
}

}  // namespace inkdex::server
