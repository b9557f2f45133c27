#include "server/call_guard.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "inkdex/v1/artist_search.grpc.pb.h"
#include "server/call_environment.h"
#include "service_server/shell_test_util.h"

namespace inkdex::server {
namespace {

using ::testing::HasSubstr;
using testing::LogCapture;
using testing::MetricValue;
using ::testing::Not;

constexpr char kGuardWrite[] = "guard-write-token";
constexpr char kGuardRead[] = "guard-read-token";

// GetStats is a read and DeleteArtists a write; both only run the guard.
// GetStats waits for `release` when `block` is set, so tests can hold slots.
// ListStyles is a read on the callback API (grpc::CallbackServerContext).
class GuardedService final
    : public v1::ArtistSearch::WithCallbackMethod_ListStyles<v1::ArtistSearch::Service> {
 public:
  explicit GuardedService(CallEnvironment& env) : env_(env) {}

  grpc::Status GetStats(grpc::ServerContext* context, const v1::GetStatsRequest*,
                        v1::GetStatsResponse* response) override {
    CallGuard call(env_, context, "GetStats", Access::kRead);
    if (!call.admitted()) return call.Finish(call.admission());
    ++entered;
    if (block) release.WaitForNotification();
    response->set_documents(7);
    call.Note("documents", int64_t{7});
    call.Note("note", "hello");
    return call.Finish(grpc::Status::OK);
  }

  grpc::Status DeleteArtists(grpc::ServerContext* context, const v1::DeleteArtistsRequest*,
                             v1::WriteArtistsResponse*) override {
    CallGuard call(env_, context, "DeleteArtists", Access::kWrite);
    if (!call.admitted()) return call.Finish(call.admission());
    return call.Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "deletions: empty"));
  }

  grpc::ServerUnaryReactor* ListStyles(grpc::CallbackServerContext* context,
                                       const v1::ListStylesRequest*,
                                       v1::ListStylesResponse*) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    CallGuard call(env_, context, "ListStyles", Access::kRead);
    if (!call.admitted()) {
      reactor->Finish(call.Finish(call.admission()));
      return reactor;
    }
    call.Note("styles", int64_t{3});
    reactor->Finish(call.Finish(grpc::Status::OK));
    return reactor;
  }

  bool block = false;
  std::atomic<int> entered{0};
  absl::Notification release;

 private:
  CallEnvironment& env_;
};

class CallGuardTest : public ::testing::Test {
 protected:
  void Start(std::string write_token, std::string read_token, int max_concurrent = 64) {
    CallEnvironmentOptions options;
    options.write_token = std::move(write_token);
    options.read_token = std::move(read_token);
    options.max_concurrent_requests = max_concurrent;
    options.log_fd = log_.fd();
    env_ = std::make_unique<CallEnvironment>(options);
    service_ = std::make_unique<GuardedService>(*env_);
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::ArtistSearch::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }

  void TearDown() override {
    if (service_ != nullptr && !service_->release.HasBeenNotified()) service_->release.Notify();
    if (server_ != nullptr) server_->Shutdown();
  }

  grpc::Status Read(const std::string& token = "", grpc::ClientContext* context = nullptr) {
    grpc::ClientContext local;
    if (context == nullptr) context = &local;
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    v1::GetStatsResponse response;
    return stub_->GetStats(context, v1::GetStatsRequest(), &response);
  }

  grpc::Status CallbackRead(const std::string& token, grpc::ClientContext* context) {
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    v1::ListStylesResponse response;
    return stub_->ListStyles(context, v1::ListStylesRequest(), &response);
  }

  grpc::Status Write(const std::string& token = "") {
    grpc::ClientContext context;
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    v1::WriteArtistsResponse response;
    return stub_->DeleteArtists(&context, v1::DeleteArtistsRequest(), &response);
  }

  double Requests(const std::string& method, const std::string& code) {
    return MetricValue(*env_->metrics().registry(), "inkdex_requests_total",
                       {{"method", method}, {"code", code}});
  }

  LogCapture log_;
  std::unique_ptr<CallEnvironment> env_;
  std::unique_ptr<GuardedService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::ArtistSearch::Stub> stub_;
};

TEST_F(CallGuardTest, AdmittedCallIsCountedAndLoggedWithRequestId) {
  Start(kGuardWrite, "");
  grpc::ClientContext context;
  ASSERT_TRUE(Read("", &context).ok());

  auto echoed = context.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(echoed, context.GetServerInitialMetadata().end());
  const std::string id(echoed->second.data(), echoed->second.size());
  EXPECT_THAT(id, ::testing::MatchesRegex("[0-9a-f]{16}"));

  EXPECT_EQ(Requests("GetStats", "OK"), 1);
  EXPECT_EQ(MetricValue(*env_->metrics().registry(), "inkdex_request_duration_seconds",
                        {{"method", "GetStats"}, {"code", "OK"}}),
            1);
  EXPECT_EQ(MetricValue(*env_->metrics().registry(), "inkdex_in_flight_requests"), 0);

  std::vector<nlohmann::json> lines = log_.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["event"], "rpc");
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["request_id"], id);
  EXPECT_EQ(lines[0]["method"], "GetStats");
  EXPECT_EQ(lines[0]["code"], "OK");
  EXPECT_TRUE(lines[0]["duration_ms"].is_number());
  EXPECT_GE(lines[0]["duration_ms"].get<double>(), 0);
  EXPECT_EQ(lines[0]["documents"], 7);
  EXPECT_EQ(lines[0]["note"], "hello");
  EXPECT_FALSE(lines[0].contains("message"));
}

TEST_F(CallGuardTest, CallerRequestIdIsKeptWhenUsable) {
  Start(kGuardWrite, "");
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "caller-id-42");
  ASSERT_TRUE(Read("", &context).ok());
  auto echoed = context.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(echoed, context.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), "caller-id-42");

  grpc::ClientContext long_id;
  long_id.AddMetadata("x-request-id", std::string(500, 'a'));
  ASSERT_TRUE(Read("", &long_id).ok());
  std::vector<nlohmann::json> lines = log_.Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["request_id"], "caller-id-42");
  EXPECT_EQ(lines[1]["request_id"].get<std::string>().size(), 16u);
}

TEST_F(CallGuardTest, CallbackApiCallIsGuardedLikeASyncOne) {
  Start(kGuardWrite, kGuardRead);
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "callback-id-7");
  ASSERT_TRUE(CallbackRead(kGuardRead, &context).ok());
  auto echoed = context.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(echoed, context.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), "callback-id-7");

  grpc::ClientContext no_token;
  EXPECT_EQ(CallbackRead("", &no_token).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Requests("ListStyles", "OK"), 1);
  EXPECT_EQ(Requests("ListStyles", "UNAUTHENTICATED"), 1);
  EXPECT_EQ(env_->limiter().in_flight(), 0);
  EXPECT_EQ(MetricValue(*env_->metrics().registry(), "inkdex_in_flight_requests"), 0);

  std::vector<nlohmann::json> lines = log_.Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["request_id"], "callback-id-7");
  EXPECT_EQ(lines[0]["method"], "ListStyles");
  EXPECT_EQ(lines[0]["code"], "OK");
  EXPECT_EQ(lines[0]["styles"], 3);
  EXPECT_TRUE(lines[0]["peer"].is_string());
  EXPECT_EQ(lines[1]["code"], "UNAUTHENTICATED");
  EXPECT_THAT(log_.Text(), Not(HasSubstr(kGuardRead)));
}

TEST_F(CallGuardTest, WritesRefusedWithoutWriteToken) {
  Start("", "");
  grpc::Status status = Write(kGuardWrite);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("--write-token-file"));
  EXPECT_EQ(Requests("DeleteArtists", "FAILED_PRECONDITION"), 1);
}

TEST_F(CallGuardTest, WriteTokenRules) {
  Start(kGuardWrite, "");
  EXPECT_EQ(Write().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Write("wrong").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Admitted: the handler's own answer comes back.
  EXPECT_EQ(Write(kGuardWrite).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Requests("DeleteArtists", "UNAUTHENTICATED"), 1);
  EXPECT_EQ(Requests("DeleteArtists", "PERMISSION_DENIED"), 1);
  EXPECT_EQ(Requests("DeleteArtists", "INVALID_ARGUMENT"), 1);

  std::vector<nlohmann::json> lines = log_.Lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["code"], "UNAUTHENTICATED");
  EXPECT_TRUE(lines[0]["message"].is_string());
  EXPECT_EQ(lines[2]["message"], "deletions: empty");
  EXPECT_THAT(log_.Text(), Not(HasSubstr(kGuardWrite)));
  EXPECT_THAT(log_.Text(), Not(HasSubstr("wrong")));
}

TEST_F(CallGuardTest, ReadTokenRules) {
  Start(kGuardWrite, kGuardRead);
  EXPECT_EQ(Read().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Read("wrong").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Read(kGuardRead).ok());
  EXPECT_TRUE(Read(kGuardWrite).ok());
  EXPECT_EQ(Write(kGuardRead).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(log_.Text(), Not(HasSubstr(kGuardRead)));
  EXPECT_THAT(log_.Text(), Not(HasSubstr(kGuardWrite)));
}

TEST_F(CallGuardTest, OverloadIsRefusedAtOnceAndRecovers) {
  Start(kGuardWrite, "", /*max_concurrent=*/2);
  service_->block = true;
  std::vector<std::thread> holders;
  std::vector<grpc::Status> held(2);
  for (int i = 0; i < 2; ++i) holders.emplace_back([&, i] { held[i] = Read(); });
  while (service_->entered.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(MetricValue(*env_->metrics().registry(), "inkdex_in_flight_requests"), 2);

  const absl::Time start = absl::Now();
  grpc::Status refused = Read();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("--max-concurrent-requests"));
  // A refused call never reached the handler.
  EXPECT_EQ(service_->entered.load(), 2);

  service_->release.Notify();
  for (std::thread& thread : holders) thread.join();
  EXPECT_TRUE(held[0].ok());
  EXPECT_TRUE(held[1].ok());
  EXPECT_TRUE(Read().ok());
  EXPECT_EQ(Requests("GetStats", "RESOURCE_EXHAUSTED"), 1);
  EXPECT_EQ(Requests("GetStats", "OK"), 3);
  EXPECT_EQ(MetricValue(*env_->metrics().registry(), "inkdex_in_flight_requests"), 0);
  EXPECT_EQ(env_->limiter().in_flight(), 0);
}

TEST_F(CallGuardTest, RefusedByTokenTakesNoSlot) {
  Start(kGuardWrite, kGuardRead, /*max_concurrent=*/1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Read().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(env_->limiter().in_flight(), 0);
  EXPECT_TRUE(Read(kGuardRead).ok());
}

TEST(CallGuardUnitTest, UnfinishedGuardRecordsInternal) {
  LogCapture log;
  CallEnvironmentOptions options;
  options.log_fd = log.fd();
  options.max_concurrent_requests = 1;
  CallEnvironment env(options);
  {
    CallGuard call(env, nullptr, "Search", Access::kRead);
    EXPECT_TRUE(call.admitted());
    EXPECT_EQ(env.limiter().in_flight(), 1);
  }
  EXPECT_EQ(env.limiter().in_flight(), 0);
  EXPECT_EQ(MetricValue(*env.metrics().registry(), "inkdex_requests_total",
                        {{"method", "Search"}, {"code", "INTERNAL"}}),
            1);
  std::vector<nlohmann::json> lines = log.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["level"], "error");
  EXPECT_EQ(lines[0]["code"], "INTERNAL");
}

TEST(CallGuardUnitTest, FinishReturnsItsStatusAndRecordsOnce) {
  LogCapture log;
  CallEnvironmentOptions options;
  options.log_fd = log.fd();
  CallEnvironment env(options);
  {
    CallGuard call(env, nullptr, "Suggest", Access::kRead);
    grpc::Status status = call.Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "gone"));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(status.error_message(), "gone");
  }
  EXPECT_EQ(MetricValue(*env.metrics().registry(), "inkdex_requests_total",
                        {{"method", "Suggest"}, {"code", "NOT_FOUND"}}),
            1);
  EXPECT_EQ(MetricValue(*env.metrics().registry(), "inkdex_requests_total",
                        {{"method", "Suggest"}, {"code", "INTERNAL"}}),
            -1);
  EXPECT_EQ(log.Lines().size(), 1u);
}

TEST(CallGuardUnitTest, LogLevelWarnSilencesCallLines) {
  LogCapture log;
  CallEnvironmentOptions options;
  options.log_fd = log.fd();
  options.log_level = LogLevel::kWarn;
  CallEnvironment env(options);
  {
    CallGuard call(env, nullptr, "Search", Access::kRead);
    call.Finish(grpc::Status::OK);
  }
  EXPECT_EQ(log.Text(), "");
  EXPECT_EQ(MetricValue(*env.metrics().registry(), "inkdex_requests_total",
                        {{"method", "Search"}, {"code", "OK"}}),
            1);
}

}  // namespace
}  // namespace inkdex::server
