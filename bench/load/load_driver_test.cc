// LoadDriver against an in-process fake ArtistSearch server whose latency,
// stalls and status codes the tests control.
#include "load_driver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace inkdex::bench::load {
namespace {

using Clock = std::chrono::steady_clock;

class FakeSearchService final : public v1::ArtistSearch::Service {
 public:
  grpc::Status Search(grpc::ServerContext* context, const v1::SearchRequest* request,
                      v1::SearchResponse* response) override {
    Serve(context);
    {
      absl::MutexLock lock(&mu_);
      ++texts_[request->text()];
    }
    response->set_total(1);
    return grpc::Status::OK;
  }
  grpc::Status Suggest(grpc::ServerContext* context, const v1::SuggestRequest* request,
                       v1::SuggestResponse*) override {
    Serve(context);
    {
      absl::MutexLock lock(&mu_);
      ++prefixes_[request->prefix()];
    }
    return suggest_status;
  }

  // How many Search calls carried each text, Suggest calls each prefix.
  std::map<std::string, int> texts() {
    absl::MutexLock lock(&mu_);
    return texts_;
  }
  std::map<std::string, int> prefixes() {
    absl::MutexLock lock(&mu_);
    return prefixes_;
  }

  std::atomic<int> delay_ms{0};
  std::atomic<Clock::rep> stall_until{0};  // calls arriving before this wait for it
  grpc::Status suggest_status = grpc::Status::OK;
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  std::atomic<int> calls{0};

  std::set<std::string> peers() {
    absl::MutexLock lock(&mu_);
    return peers_;
  }

 private:
  void Serve(grpc::ServerContext* context) {
    ++calls;
    const int now_in_flight = ++in_flight;
    int seen = max_in_flight.load();
    while (now_in_flight > seen && !max_in_flight.compare_exchange_weak(seen, now_in_flight)) {
    }
    {
      absl::MutexLock lock(&mu_);
      peers_.insert(context->peer());
    }
    const Clock::time_point until =
        std::max(Clock::now() + std::chrono::milliseconds(delay_ms.load()),
                 Clock::time_point(Clock::duration(stall_until.load())));
    while (Clock::now() < until && !context->IsCancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    --in_flight;
  }

  absl::Mutex mu_;
  std::set<std::string> peers_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> texts_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> prefixes_ ABSL_GUARDED_BY(mu_);
};

class LoadDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now());
  }

  // A mix of one search (Q1) and one suggest (Q5) query, weights as given.
  QueryMix Mix(double search_weight, double suggest_weight) {
    std::vector<WireQuery> queries(2);
    queries[0].query_class = QueryClass::kLocal;
    queries[0].search.set_text("dragon");
    queries[1].query_class = QueryClass::kSuggest;
    queries[1].suggest.set_prefix("dra");
    MixWeights w{};
    w[static_cast<size_t>(QueryClass::kLocal)] = search_weight;
    w[static_cast<size_t>(QueryClass::kSuggest)] = suggest_weight;
    return *QueryMix::FromQueries(queries, w, 1000, 1);
  }

  std::unique_ptr<LoadDriver> Connect(const QueryMix& mix, DriverOptions options = {}) {
    options.target = "127.0.0.1:" + std::to_string(port_);
    absl::StatusOr<std::unique_ptr<LoadDriver>> d =
        LoadDriver::Connect(options, mix, absl::Seconds(5));
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? std::move(*d) : nullptr;
  }

  // Runs an open-loop step and summarizes it.
  static StepStats RunOpen(LoadDriver& driver, double rate, absl::Duration duration) {
    const StepRun run = driver.Run(Open(rate, duration), nullptr, nullptr);
    return ComputeStepStats(run.samples, run.window_start_ns, run.window_end_ns);
  }

  static LoadSpec Open(double rate, absl::Duration duration) {
    LoadSpec spec;
    spec.rate = rate;
    spec.warmup = absl::Milliseconds(200);
    spec.duration = duration;
    return spec;
  }

  FakeSearchService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(LoadDriverTest, OpenLoopSendsAtTheOfferedRate) {
  const QueryMix mix = Mix(3, 1);
  DriverOptions options;
  options.channels = 3;
  options.threads = 2;
  std::unique_ptr<LoadDriver> driver = Connect(mix, options);
  ASSERT_NE(driver, nullptr);
  int window_calls = 0;
  const StepRun run = driver->Run(
      Open(400, absl::Seconds(1)), [&] { ++window_calls; }, [&] { ++window_calls; });
  EXPECT_EQ(window_calls, 2);
  EXPECT_EQ(run.unfinished, 0u);
  // 0.2 s warm-up + 1 s at 400/s.
  EXPECT_EQ(run.samples.size(), 480u);
  EXPECT_EQ(service_.calls.load(), 480);
  const StepStats s = ComputeStepStats(run.samples, run.window_start_ns, run.window_end_ns);
  EXPECT_EQ(s.measured, 400u);
  EXPECT_EQ(s.ok, 400u);
  // OK completions inside the window; a busy machine may push a few past it.
  EXPECT_GE(s.achieved_qps, 340);
  EXPECT_LE(s.achieved_qps, 420);
  EXPECT_EQ(s.per_class.at("Q1_local").count + s.per_class.at("Q5_suggest").count, 400u);
  EXPECT_GT(s.per_class.at("Q1_local").count, s.per_class.at("Q5_suggest").count);
  // Calls are due 2.5 ms apart from the start on.
  EXPECT_EQ(run.window_start_ns, 200000000);
  std::vector<int64_t> scheduled;
  for (const CallSample& c : run.samples) scheduled.push_back(c.scheduled_ns);
  std::sort(scheduled.begin(), scheduled.end());
  EXPECT_EQ(scheduled[1] - scheduled[0], 2500000);
  // Separate channels are separate connections.
  EXPECT_EQ(service_.peers().size(), 3u);
}

TEST_F(LoadDriverTest, EachQueryReachesItsMethodIntact) {
  // Requests go out as bytes serialized once, through generic stubs: each
  // must arrive at its own method and parse back to what the mix holds.
  const QueryMix mix = Mix(1, 1);
  std::unique_ptr<LoadDriver> driver = Connect(mix);
  ASSERT_NE(driver, nullptr);
  const StepStats stats = RunOpen(*driver, 200, absl::Milliseconds(500));
  EXPECT_GT(stats.ok, 0u);
  const std::map<std::string, int> texts = service_.texts();
  const std::map<std::string, int> prefixes = service_.prefixes();
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_GT(texts.at("dragon"), 20);
  ASSERT_EQ(prefixes.size(), 1u);
  EXPECT_GT(prefixes.at("dra"), 20);
}

TEST_F(LoadDriverTest, OpenLoopCountsAStallInEveryCallItDelays) {
  const QueryMix mix = Mix(1, 0);
  std::unique_ptr<LoadDriver> driver = Connect(mix);
  ASSERT_NE(driver, nullptr);
  // The server answers nothing for 300 ms once the window opens; at 200/s,
  // about 60 calls are due during the stall, and each should be charged the
  // time from when it was due (a closed-loop client would record one slow
  // call and simply not send the others).
  const StepRun run = driver->Run(
      Open(200, absl::Seconds(1)),
      [&] {
        service_.stall_until =
            (Clock::now() + std::chrono::milliseconds(300)).time_since_epoch().count();
      },
      nullptr);
  const StepStats s = ComputeStepStats(run.samples, run.window_start_ns, run.window_end_ns);
  EXPECT_EQ(s.ok, 200u);
  int slow = 0;
  for (const CallSample& c : run.samples) slow += (c.done_ns - c.scheduled_ns) > 100000000;
  EXPECT_GE(slow, 30);
  EXPECT_GE(s.latency.max_us, 250000);
  EXPECT_GE(s.latency.p90_us, 50000);
}

TEST_F(LoadDriverTest, CountsErrorsByStatusCode) {
  service_.suggest_status = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "busy");
  const QueryMix mix = Mix(1, 1);
  std::unique_ptr<LoadDriver> driver = Connect(mix);
  ASSERT_NE(driver, nullptr);
  const StepStats s = RunOpen(*driver, 300, absl::Milliseconds(500));
  ASSERT_EQ(s.errors.count("RESOURCE_EXHAUSTED"), 1u);
  EXPECT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.ok + s.errors.at("RESOURCE_EXHAUSTED"), s.measured);
  EXPECT_EQ(s.per_class.count("Q5_suggest"), 0u);  // latency is over OK calls only
  EXPECT_EQ(s.per_class.at("Q1_local").count, s.ok);
  EXPECT_GT(s.errors.at("RESOURCE_EXHAUSTED"), 30u);
}

TEST_F(LoadDriverTest, DeadlineExceeded) {
  service_.delay_ms = 300;
  const QueryMix mix = Mix(1, 0);
  DriverOptions options;
  options.deadline = absl::Milliseconds(50);
  std::unique_ptr<LoadDriver> driver = Connect(mix, options);
  ASSERT_NE(driver, nullptr);
  const StepStats s = RunOpen(*driver, 20, absl::Milliseconds(500));
  EXPECT_EQ(s.ok, 0u);
  EXPECT_EQ(s.errors.at("DEADLINE_EXCEEDED"), s.measured);
  EXPECT_EQ(s.measured, 10u);
}

TEST_F(LoadDriverTest, MaxOutstandingRefusesToSendMore) {
  service_.delay_ms = 200;
  const QueryMix mix = Mix(1, 0);
  DriverOptions options;
  options.max_outstanding = 5;
  std::unique_ptr<LoadDriver> driver = Connect(mix, options);
  ASSERT_NE(driver, nullptr);
  const StepStats s = RunOpen(*driver, 200, absl::Milliseconds(500));
  EXPECT_LE(service_.max_in_flight.load(), 5);
  EXPECT_GT(s.errors.at("CLIENT_BACKLOG"), 50u);
  EXPECT_EQ(s.ok + s.errors.at("CLIENT_BACKLOG"), s.measured);
}

TEST_F(LoadDriverTest, ClosedLoopKeepsConcurrencyCallsInFlight) {
  service_.delay_ms = 20;
  const QueryMix mix = Mix(1, 1);
  DriverOptions options;
  options.threads = 2;
  std::unique_ptr<LoadDriver> driver = Connect(mix, options);
  ASSERT_NE(driver, nullptr);
  LoadSpec spec;
  spec.concurrency = 4;
  spec.warmup = absl::Milliseconds(200);
  spec.duration = absl::Seconds(1);
  const StepRun run = driver->Run(spec, nullptr, nullptr);
  const StepStats s = ComputeStepStats(run.samples, run.window_start_ns, run.window_end_ns);
  EXPECT_EQ(service_.max_in_flight.load(), 4);
  // 4 calls of >= 20 ms each: at most 200/s, and not far below on an idle machine.
  EXPECT_LE(s.achieved_qps, 205);
  EXPECT_GE(s.achieved_qps, 100);
  EXPECT_GE(s.latency.p50_us, 20000);
  EXPECT_EQ(s.send_lag.max_us, 0);  // closed loop: due when sent
  EXPECT_EQ(run.unfinished, 0u);
  // A second step starts from a drained driver.
  const StepRun again = driver->Run(Open(100, absl::Milliseconds(300)), nullptr, nullptr);
  EXPECT_EQ(again.samples.size(), 50u);
}

TEST(LoadDriverConnectTest, NoServer) {
  std::vector<WireQuery> queries(1);
  MixWeights w{};
  w[0] = 1;
  const QueryMix mix = *QueryMix::FromQueries(queries, w, 1, 1);
  DriverOptions options;
  options.target = "127.0.0.1:1";
  absl::StatusOr<std::unique_ptr<LoadDriver>> d =
      LoadDriver::Connect(options, mix, absl::Milliseconds(300));
  EXPECT_EQ(d.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(d.status().message(), ::testing::HasSubstr("127.0.0.1:1"));
  options.channels = 0;
  EXPECT_EQ(LoadDriver::Connect(options, mix, absl::Milliseconds(300)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace inkdex::bench::load
