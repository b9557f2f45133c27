#include "load_driver.h"

#include <chrono>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace inkdex::bench::load {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void SleepUntilNs(int64_t when_ns) {
  const int64_t wait = when_ns - NowNs();
  if (wait > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
}

// StartCall's scheduled time for closed-loop calls.
constexpr int64_t kDueWhenSent = 0;

// Calls still in flight after the step get this long past their deadline to
// finish before Run gives up on them.
constexpr absl::Duration kDrainSlack = absl::Seconds(5);

}  // namespace

struct LoadDriver::Call {
  uint64_t run_id = 0;
  CallSample sample;  // absolute steady-clock times until Run collects it
  grpc::ClientContext context;
  grpc::Status status;
  grpc::ByteBuffer response;  // not parsed: only the status counts
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
};

namespace {

// The full method name a query goes to (never destroyed: no static
// destructors).
const std::string& MethodOf(const WireQuery& query) {
  static const std::string* const kSearch = new std::string("/inkdex.v1.ArtistSearch/Search");
  static const std::string* const kSuggest = new std::string("/inkdex.v1.ArtistSearch/Suggest");
  return query.is_suggest() ? *kSuggest : *kSearch;
}

grpc::ByteBuffer Serialized(const google::protobuf::MessageLite& message) {
  const std::string bytes = message.SerializeAsString();
  grpc::Slice slice(bytes.data(), bytes.size());
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace

LoadDriver::LoadDriver(const DriverOptions& options, const QueryMix& mix)
    : options_(options), mix_(mix) {
  wire_.reserve(mix_.queries().size());
  for (const WireQuery& q : mix_.queries()) {
    wire_.push_back(q.is_suggest() ? Serialized(q.suggest) : Serialized(q.search));
  }
  for (int i = 0; i < options_.threads; ++i) {
    workers_.push_back(std::make_unique<Worker>());
    Worker* w = workers_.back().get();
    w->thread = std::thread([this, w] { WorkerLoop(*w); });
  }
}

LoadDriver::~LoadDriver() {
  for (auto& w : workers_) w->cq.Shutdown();
  for (auto& w : workers_) w->thread.join();
}

absl::StatusOr<std::unique_ptr<LoadDriver>> LoadDriver::Connect(const DriverOptions& options,
                                                                const QueryMix& mix,
                                                                absl::Duration connect_timeout) {
  if (options.target.empty()) return absl::InvalidArgumentError("--target: must not be empty");
  if (options.channels < 1) return absl::InvalidArgumentError("--channels: must be >= 1");
  if (options.threads < 1) return absl::InvalidArgumentError("--threads: must be >= 1");
  if (options.deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--deadline-ms: must be > 0");
  }
  if (options.max_outstanding < 1) {
    return absl::InvalidArgumentError("--max-outstanding: must be >= 1");
  }
  std::unique_ptr<LoadDriver> driver(new LoadDriver(options, mix));
  for (int i = 0; i < options.channels; ++i) {
    grpc::ChannelArguments args;
    // Without these, channels with equal arguments share one subchannel and
    // so one TCP connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("inkdex.load.channel", i);
    args.SetMaxReceiveMessageSize(64 << 20);
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(absl::ToChronoTime(absl::Now() + connect_timeout))) {
      return absl::UnavailableError(absl::StrCat("--target: cannot connect to ", options.target,
                                                 " within ",
                                                 absl::FormatDuration(connect_timeout)));
    }
    driver->stubs_.push_back(std::make_unique<grpc::GenericStub>(channel));
  }
  return driver;
}

void LoadDriver::StartCall(uint64_t index, int64_t scheduled_ns) {
  const size_t query_index = mix_.IndexAt(index);
  const WireQuery& query = mix_.queries()[query_index];
  Worker& worker = *workers_[index % workers_.size()];
  grpc::GenericStub& stub = *stubs_[index % stubs_.size()];
  auto* call = new Call;
  call->run_id = run_id_.load(std::memory_order_relaxed);
  call->sample.query_class = static_cast<uint8_t>(query.query_class);
  call->sample.scheduled_ns = scheduled_ns;
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoNanoseconds(options_.deadline));
  if (!options_.bearer_token.empty()) {
    call->context.AddMetadata("authorization", "Bearer " + options_.bearer_token);
  }
  outstanding_.fetch_add(1, std::memory_order_relaxed);
  call->sample.sent_ns = NowNs();
  if (scheduled_ns == kDueWhenSent) call->sample.scheduled_ns = call->sample.sent_ns;
  call->reader =
      stub.PrepareUnaryCall(&call->context, MethodOf(query), wire_[query_index], &worker.cq);
  call->reader->StartCall();
  call->reader->Finish(&call->response, &call->status, call);
}

void LoadDriver::WorkerLoop(Worker& worker) {
  void* tag = nullptr;
  bool ok = false;
  while (worker.cq.Next(&tag, &ok)) {
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    const int64_t now = NowNs();
    call->sample.done_ns = now;
    call->sample.code = static_cast<uint8_t>(call->status.error_code());
    const bool current = call->run_id == run_id_.load(std::memory_order_relaxed);
    if (current) {
      absl::MutexLock lock(&worker.mu);
      worker.samples.push_back(call->sample);
    }
    // The next call starts before this one leaves `outstanding_`, so Run
    // never sees a closed loop drained while it is still running.
    const int64_t end = closed_loop_end_ns_.load(std::memory_order_relaxed);
    if (current && now < end) StartCall(next_query_.fetch_add(1), kDueWhenSent);
    outstanding_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void LoadDriver::PaceOpenLoop(const LoadSpec& spec, int64_t start_ns,
                              const std::function<void()>& at_start,
                              const std::function<void()>& at_end,
                              std::vector<CallSample>& not_sent) {
  const double period_ns = 1e9 / spec.rate;
  const int64_t warmup_ns = absl::ToInt64Nanoseconds(spec.warmup);
  const int64_t total_ns = warmup_ns + absl::ToInt64Nanoseconds(spec.duration);
  bool window_open = false;
  auto open_window = [&] {
    SleepUntilNs(start_ns + warmup_ns);
    window_open = true;
    if (at_start) at_start();
  };
  for (uint64_t i = 0;; ++i) {
    const auto offset = static_cast<int64_t>(std::llround(static_cast<double>(i) * period_ns));
    if (offset >= total_ns) break;
    if (!window_open && offset >= warmup_ns) open_window();
    const int64_t due = start_ns + offset;
    SleepUntilNs(due);
    const uint64_t index = next_query_.fetch_add(1);
    if (outstanding_.load(std::memory_order_relaxed) >= options_.max_outstanding) {
      CallSample s;
      s.scheduled_ns = s.sent_ns = s.done_ns = due;
      s.query_class = static_cast<uint8_t>(mix_.At(index).query_class);
      s.code = kNotSent;
      not_sent.push_back(s);
      continue;
    }
    StartCall(index, due);
  }
  if (!window_open) open_window();
  SleepUntilNs(start_ns + total_ns);
  if (at_end) at_end();
}

StepRun LoadDriver::Run(const LoadSpec& spec, const std::function<void()>& on_window_start,
                        const std::function<void()>& on_window_end) {
  run_id_.fetch_add(1);
  for (auto& w : workers_) {
    absl::MutexLock lock(&w->mu);
    w->samples.clear();
  }
  // A little slack so that the first calls are not already late.
  const int64_t start = NowNs() + 1000000;
  const int64_t window_start = start + absl::ToInt64Nanoseconds(spec.warmup);
  const int64_t window_end = window_start + absl::ToInt64Nanoseconds(spec.duration);
  std::vector<CallSample> not_sent;
  if (spec.rate > 0) {
    PaceOpenLoop(spec, start, on_window_start, on_window_end, not_sent);
  } else {
    closed_loop_end_ns_.store(window_end);
    SleepUntilNs(start);
    for (int i = 0; i < spec.concurrency; ++i) StartCall(next_query_.fetch_add(1), kDueWhenSent);
    SleepUntilNs(window_start);
    if (on_window_start) on_window_start();
    SleepUntilNs(window_end);
    if (on_window_end) on_window_end();
    closed_loop_end_ns_.store(0);
  }
  const int64_t give_up = NowNs() + absl::ToInt64Nanoseconds(options_.deadline + kDrainSlack);
  while (outstanding_.load(std::memory_order_acquire) > 0 && NowNs() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  StepRun out;
  out.unfinished = static_cast<uint64_t>(std::max<int64_t>(0, outstanding_.load()));
  out.window_start_ns = window_start - start;
  out.window_end_ns = window_end - start;
  for (auto& w : workers_) {
    absl::MutexLock lock(&w->mu);
    out.samples.insert(out.samples.end(), w->samples.begin(), w->samples.end());
    w->samples.clear();
  }
  out.samples.insert(out.samples.end(), not_sent.begin(), not_sent.end());
  for (CallSample& s : out.samples) {
    s.scheduled_ns -= start;
    s.sent_ns -= start;
    s.done_ns -= start;
  }
  return out;
}

}  // namespace inkdex::bench::load
