#include "server/table_bootstrapper.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/json_log.h"
#include "server/table_connection.h"
#include "stream/table_loader.h"

namespace inkdex::server {
namespace {

// Outside shard_checkpoints.h's "inkdex.stream." prefix: a forwarder-fed
// index holds no checkpoints, and a marker must not look like one.
constexpr char kMarkerPrefix[] = "inkdex.bootstrap.";

}  // namespace

std::string BootstrapMarkerKey(const std::string& table) {
  return absl::StrCat(kMarkerPrefix, table);
}

bool BootstrapCompleted(const Index& index, const std::string& table) {
  absl::StatusOr<std::optional<std::string>> marker = index.GetMetadata(BootstrapMarkerKey(table));
  return marker.ok() && marker->has_value();
}

absl::StatusOr<std::unique_ptr<TableBootstrapper>> TableBootstrapper::Create(
    TableBootstrapperOptions options, IndexHolder& holder, CallEnvironment& env) {
  if (options.table.empty()) return absl::InvalidArgumentError("--bootstrap-table: empty");
  absl::StatusOr<std::unique_ptr<stream::RecordMapper>> mapper =
      NewTableRecordMapper(options.mapping);
  if (!mapper.ok()) return mapper.status();
  // Raised by Stop(); also ends the DynamoDB client's retry waits.
  auto stop = std::make_shared<stream::StopSignal>();
  absl::StatusOr<std::unique_ptr<dynamodb::DynamoDbConnection>> connection =
      OpenTableConnection({"--bootstrap-table", options.endpoint, "", options.env}, stop, env);
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<TableBootstrapper>(
      new TableBootstrapper(std::move(options), holder, env, *std::move(connection),
                            *std::move(mapper), std::move(stop)));
}

TableBootstrapper::TableBootstrapper(TableBootstrapperOptions options, IndexHolder& holder,
                                     CallEnvironment& env,
                                     std::unique_ptr<dynamodb::DynamoDbConnection> connection,
                                     std::unique_ptr<stream::RecordMapper> mapper,
                                     std::shared_ptr<stream::StopSignal> stop)
    : stop_(std::move(stop)),
      options_(std::move(options)),
      holder_(holder),
      env_(env),
      connection_(std::move(connection)),
      mapper_(std::move(mapper)) {}

TableBootstrapper::~TableBootstrapper() { Stop(); }

bool TableBootstrapper::done() const {
  return BootstrapCompleted(*holder_.Current(), options_.table);
}

void TableBootstrapper::Start() {
  if (thread_.joinable()) return;
  if (done()) {
    SetState("stopped");
    env_.log().Event(
        LogLevel::kInfo, "bootstrap_skipped",
        {{"table", options_.table}, {"why", "the index records a completed bootstrap"}});
    return;
  }
  thread_ = std::thread([this] { Run(); });
}

void TableBootstrapper::Stop() {
  stop_->Raise();
  if (thread_.joinable()) thread_.join();
}

StreamSupervisorSnapshot TableBootstrapper::Snapshot() const {
  StreamSupervisorSnapshot snap;
  {
    absl::MutexLock lock(&mu_);
    snap.state = state_;
    snap.resyncs_completed = completed_;
    if (started_ > 0) snap.resyncs_started["bootstrap"] = started_;
    snap.resyncs_failed = failed_;
  }
  snap.dynamodb_requests = connection_->dynamodb().counters();
  return snap;
}

void TableBootstrapper::SetState(std::string state) {
  absl::MutexLock lock(&mu_);
  state_ = std::move(state);
}

void TableBootstrapper::Run() {
  absl::Duration backoff = options_.retry_initial;
  while (!stop_->raised()) {
    const absl::Status s = RunOnce();
    if (s.ok()) {
      if (options_.set_serving) options_.set_serving(true);
      SetState("stopped");
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      ++failed_;
    }
    if (stop_->raised()) break;
    nlohmann::ordered_json fields = StatusFields(s);
    fields["table"] = options_.table;
    fields["retry_in_ms"] = absl::ToInt64Milliseconds(backoff);
    env_.log().Event(LogLevel::kError, "bootstrap_failed", fields);
    SetState("waiting");
    stop_->WaitFor(backoff);
    backoff = std::min(backoff * 2, options_.retry_max);
  }
  SetState("stopped");
}

absl::Status TableBootstrapper::RunOnce() {
  {
    absl::MutexLock lock(&mu_);
    ++started_;
    state_ = "resyncing";
  }
  env_.log().Event(LogLevel::kInfo, "bootstrap_started", {{"table", options_.table}});
  // Straight into the served index (writes of ApplyStreamRecords go there
  // too, see the header for why the order does not matter). The alias keeps
  // it open should a SIGHUP swap it out meanwhile; the marker then goes with
  // the data it describes.
  const std::shared_ptr<Index> index = holder_.Current();
  stream::TableLoadOptions load;
  load.table = options_.table;
  load.segments = options_.scan_segments;
  load.cancelled = [this] { return stop_->raised(); };
  load.on_reject = [this](const std::string& id, const std::string& why) {
    env_.metrics().RecordStreamRecords(StreamRecordSource::kReader, StreamRecordOutcome::kRejected,
                                       "invalid_field");
    env_.log().Event(LogLevel::kWarn, "scan_item_rejected", {{"artist_id", id}, {"reason", why}});
  };
  absl::StatusOr<stream::TableLoadTally> tally =
      stream::LoadTable(connection_->dynamodb(), *mapper_, *index, load);
  if (!tally.ok()) return tally.status();
  WriteBatch marker;
  marker.PutMetadata(BootstrapMarkerKey(options_.table),
                     absl::StrCat("completed ", absl::FormatTime(absl::Now())));
  absl::StatusOr<std::vector<ChangeResult>> written = index->Apply(marker);
  if (!written.ok()) return written.status();
  {
    absl::MutexLock lock(&mu_);
    ++completed_;
  }
  env_.log().Event(LogLevel::kInfo, "bootstrap_done",
                   {{"table", options_.table},
                    {"items", tally->items},
                    {"artists", tally->artists},
                    {"rejected", tally->rejected},
                    {"ignored", tally->ignored},
                    {"documents", index->Stats().documents},
                    {"duration_ms", absl::ToInt64Milliseconds(tally->duration)}});
  return absl::OkStatus();
}

}  // namespace inkdex::server
