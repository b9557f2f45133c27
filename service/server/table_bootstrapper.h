// TableBootstrapper: inkdex-server --bootstrap-table: the initial load of a
// replica that reads no stream itself, fed by the forwarder Lambda through
// ApplyStreamRecords (infra/lambda/stream-forwarder). Without it such a
// replica, started on an empty disk, would only ever hold the artists
// written after it started.
//
// Start: when the served index records that a bootstrap from `table` has
// completed (BootstrapMarkerKey in its metadata), nothing is done and the
// server serves at once. Otherwise health is NOT_SERVING while one thread
// runs a parallel Scan of the table (stream/table_loader.h) straight into the
// served index, then records the marker and turns health on. Errors are
// logged and the scan starts again after a backoff (1 s doubling to 30 s).
//
// Writes are never held up: ApplyStreamRecords calls are committed into the
// same index meanwhile, and the version rules (inkdex/index.h "Versions")
// make the order of the two irrelevant. A scanned item carries numeric
// version 1, which every stream record outranks: a scanned item never
// overwrites a record the Lambda pushed (whichever arrives first), and a
// pushed REMOVE leaves a tombstone a scanned item cannot undo. Every change
// made after the scan read an item is pushed by the Lambda, so each artist
// ends at its table state. Hence nothing is lost either way round.
//
// Metrics: the stream reader's (server/stream_metrics.h) through Snapshot():
// state "resyncing" while the scan runs, "waiting" between attempts,
// "stopped" once done; inkdex_stream_resyncs_total{reason="bootstrap"},
// inkdex_stream_resync_failures_total and the DynamoDB request counters.
//
// Thread safety: Start and Stop from one thread; done and Snapshot from any.
// Ownership: borrows the holder and environment, which must outlive it.
#ifndef INKDEX_SERVICE_SERVER_TABLE_BOOTSTRAPPER_H_
#define INKDEX_SERVICE_SERVER_TABLE_BOOTSTRAPPER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "aws/credentials.h"
#include "dynamodb/connection.h"
#include "inkdex/index.h"
#include "server/call_environment.h"
#include "server/index_holder.h"
#include "server/stream_supervisor.h"
#include "stream/item_mapping.h"
#include "stream/record_mapper.h"
#include "stream/shard_reader.h"

namespace inkdex::server {

struct TableBootstrapperOptions {
  std::string table;
  std::string endpoint;  // --dynamodb-endpoint; empty: AWS
  stream::ItemMapping mapping = stream::ItemMapping::Default();
  int scan_segments = 4;
  aws::Environment env = aws::ProcessEnvironment();
  absl::Duration retry_initial = absl::Seconds(1);
  absl::Duration retry_max = absl::Seconds(30);
  // Health: called with true once the bootstrap is done.
  std::function<void(bool serving)> set_serving;
};

// The index metadata key that records a completed bootstrap from `table`.
std::string BootstrapMarkerKey(const std::string& table);

// Whether `index` records a completed bootstrap from `table`.
bool BootstrapCompleted(const Index& index, const std::string& table);

class TableBootstrapper {
 public:
  // Connects (region, credentials); errors name the flag. Starts nothing.
  static absl::StatusOr<std::unique_ptr<TableBootstrapper>> Create(TableBootstrapperOptions options,
                                                                   IndexHolder& holder,
                                                                   CallEnvironment& env);
  ~TableBootstrapper();  // Stop()

  // Whether the served index needs no (more) bootstrap.
  bool done() const;

  // Starts the scan thread unless done().
  void Start();
  // Cancels a running scan (the next start scans again) and joins. Idempotent.
  void Stop();

  StreamSupervisorSnapshot Snapshot() const;

 private:
  TableBootstrapper(TableBootstrapperOptions options, IndexHolder& holder, CallEnvironment& env,
                    std::unique_ptr<dynamodb::DynamoDbConnection> connection,
                    std::unique_ptr<stream::RecordMapper> mapper,
                    std::shared_ptr<stream::StopSignal> stop);

  void Run();
  // One scan of the table into the served index, then the marker.
  absl::Status RunOnce();
  void SetState(std::string state);

  // Shared with the DynamoDB client's retry waits (see Create).
  const std::shared_ptr<stream::StopSignal> stop_;
  const TableBootstrapperOptions options_;
  IndexHolder& holder_;
  CallEnvironment& env_;
  std::unique_ptr<dynamodb::DynamoDbConnection> connection_;
  std::unique_ptr<stream::RecordMapper> mapper_;
  std::thread thread_;

  mutable absl::Mutex mu_;
  std::string state_ ABSL_GUARDED_BY(mu_) = "starting";
  uint64_t started_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t completed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_TABLE_BOOTSTRAPPER_H_
