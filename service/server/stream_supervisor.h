// StreamSupervisor: inkdex-server's DynamoDB stream reader (--stream-table).
// Keeps the served index equal to the table's artist items: follows the
// table's latest stream into the served index, and rebuilds the index from a
// table scan when the stream alone cannot (first start, lost records, a new
// stream).
//
// The control loop (one thread):
//   1. DescribeTable: the stream must be enabled with NEW_IMAGE or
//      NEW_AND_OLD_IMAGES; its LatestStreamArn is the stream to follow.
//   2. The served index's checkpoints (shard_checkpoints.h) decide:
//        none, and an empty index           -> bootstrap (a re-sync; health
//                                               NOT_SERVING until it is done)
//        none, but documents (an index built offline from another source)
//                                           -> re-sync ("no_checkpoints")
//        checkpoints of another stream ARN  -> re-sync ("stream_arn_changed")
//        another --mapping than the index's -> re-sync ("mapping_changed"; the
//                                               fingerprint, ItemMapping::
//                                               Fingerprint, is stored by
//                                               each re-sync; an index
//                                               without one adopts the
//                                               current mapping)
//        progress older than the retention  -> re-sync ("checkpoints_expired":
//          (CheckProgress: 23 h)               the server was down so long
//                                               that records may be trimmed)
//        else                               -> follow (StreamFollower with a
//                                               StreamApplier that commits
//                                               through the group committer)
//   3. While following, a re-sync the follower asks for (trimmed data, a
//      shard trimmed before it was read, the stream gone or replaced) runs
//      step 4 and the loop starts again. So does one for the slot layout
//      ("slot_drift", with resync_at_slot_drift): when the served index's
//      drift (IndexHolder::CurrentSlotLayout) has grown by that much since
//      the last re-sync (from 0 at start), as a stream's new and moved
//      artists wear away the cell order a load gives (engine/slot_layout.h).
//      The new index is loaded in cell order; the old one serves meanwhile,
//      but without the stream's records, as in every re-sync.
//   4. Re-sync: a new index generation (index_generations.h) is loaded by a
//      parallel Scan (table_loader.h), then the stream is replayed into it
//      from TRIM_HORIZON of every shard until every shard has caught up: a
//      GetRecords page came back empty, or the shard applied a record
//      created at least kCaughtUpMargin (3 s: second rounding of creation
//      times, clock skew) after the scan ended, or it is closed and read to
//      its end (short pages prove nothing: see shard_reader.h). Only then is
//      it swapped in (WriteCommitter::SwapIndex) and the --index symlink
//      moved to it. The old index serves until that moment.
//   A server that also renumbers online (--renumber-online-at-drift,
//   slot_renumberer.h) shares the generations with it: a renumbering runs
//   only while this follows, its copy takes the stream's commits (and
//   checkpoints) by replay, and a re-sync cancels one in progress and goes
//   first (StreamSupervisorOptions::generations, generation_owner.h).
//   Shard read errors are logged (stream_read_error: the first, then at most
//   one per shard per minute; error level when retrying cannot fix them,
//   e.g. AccessDeniedException) and counted by error code.
// Errors (AWS unreachable, no stream, a failed re-sync) are logged and the
// loop tries again after a backoff (1 s doubling to 30 s); the server keeps
// serving what it has.
//
// Why a re-sync loses nothing: the replay starts at TRIM_HORIZON, before the
// scan began, and every stream version outranks the scan's numeric versions
// (inkdex/index.h "Versions"). For each item, either its last write is still
// in the stream (then the replay ends on it, whatever the scan saw: the
// stream holds that item's records in order), or it is older than the
// 24-hour retention (then the item has not changed since, and the scan read
// exactly that state). Records older than the scan are applied again
// harmlessly, and the new index is not served before the replay caught up.
//
// The table is the only source of the served artists, so nothing else may
// write them: the server refuses UpsertArtists/DeleteArtists while it follows
// a table, and ApplyStreamRecords for records of another table
// (ServiceInfo::source_table, StreamIngestServiceImpl), since a re-sync would
// drop such changes. Records of the followed table that a Lambda applies to
// the old index during a re-sync are in the stream the replay reads.
// Cost: a re-sync of a large table takes the scan's time plus the replay's.
//
// Thread safety: Start and Stop from one thread; Snapshot from any.
// Ownership: borrows the committer, holder and environment, which must
// outlive the supervisor.
#ifndef INKDEX_SERVICE_SERVER_STREAM_SUPERVISOR_H_
#define INKDEX_SERVICE_SERVER_STREAM_SUPERVISOR_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "aws/credentials.h"
#include "dynamodb/connection.h"
#include "server/call_environment.h"
#include "server/generation_owner.h"
#include "server/index_holder.h"
#include "server/write_committer.h"
#include "stream/item_mapping.h"
#include "stream/record_batch.h"
#include "stream/record_mapper.h"
#include "stream/shard_reader.h"
#include "stream/stream_applier.h"
#include "stream/stream_follower.h"

namespace inkdex::server {

struct StreamSupervisorOptions {
  std::string table;
  std::string endpoint;          // --dynamodb-endpoint; empty: AWS
  std::string streams_endpoint;  // --dynamodb-streams-endpoint; empty: `endpoint`
  stream::ItemMapping mapping = stream::ItemMapping::Default();
  std::string index_path;  // --index (a symlink to a generation, see PrepareStreamIndexPath)
  int scan_segments = 4;
  absl::Duration describe_interval = absl::Seconds(10);
  // Re-sync when the served index's slot drift has grown this much since
  // the last re-sync (step 3 above); 0: never. In [0, 1].
  double resync_at_slot_drift = 0;
  // Shared with a SlotRenumberer (--renumber-online-at-drift): a re-sync
  // takes the --index generations from it (generation_owner.h). Not owned;
  // null: the supervisor is their only user.
  GenerationOwner* generations = nullptr;
  stream::ShardReaderOptions reader;
  aws::Environment env = aws::ProcessEnvironment();
  // Health: false while a first bootstrap runs, true once it is done.
  std::function<void(bool serving)> set_serving;
};

// What the supervisor is doing, for metrics and tests.
struct StreamSupervisorSnapshot {
  std::string state;  // "starting", "following", "resyncing", "waiting" (after an error)
  std::string stream_arn;
  uint64_t resyncs_completed = 0;
  std::map<std::string, uint64_t> resyncs_started;  // by reason
  uint64_t resyncs_failed = 0;
  std::optional<stream::FollowerStats> follower;  // while following or replaying
  dynamodb::RetryCounters streams_requests;
  dynamodb::RetryCounters dynamodb_requests;
  // Failed GetShardIterator/GetRecords calls by error code (ShardReadError).
  std::map<std::string, uint64_t> read_errors;
  // The served index holds every change made before this time (as far as
  // known): advanced while following from the shards' lags, and by a
  // completed re-sync; the start time at first. Lag while no follower runs
  // (waiting after an error) counts from it.
  absl::Time current_as_of = absl::InfinitePast();
};

// Makes --index a generation symlink (EnsureGenerationLayout) and removes
// leftover generations. REQUIRES: before the index is opened.
absl::Status PrepareStreamIndexPath(const std::string& index_path);

// Whether the served index holds nothing yet (no document, tombstone or
// stream checkpoint): the first start, which serves nothing until the
// bootstrap is done.
bool NeedsBootstrap(const Index& index);

class StreamSupervisor {
 public:
  // Connects (region, credentials); errors name the flag. Does not start
  // anything.
  static absl::StatusOr<std::unique_ptr<StreamSupervisor>> Create(StreamSupervisorOptions options,
                                                                  WriteCommitter& committer,
                                                                  IndexHolder& holder,
                                                                  CallEnvironment& env);
  ~StreamSupervisor();  // Stop()

  void Start();
  // Stops following (or cancels a re-sync; its partial generation is removed
  // at the next start) and joins the thread. Idempotent.
  void Stop();

  StreamSupervisorSnapshot Snapshot() const;

 private:
  StreamSupervisor(StreamSupervisorOptions options, WriteCommitter& committer, IndexHolder& holder,
                   CallEnvironment& env, std::unique_ptr<dynamodb::DynamoDbConnection> connection,
                   std::unique_ptr<stream::RecordMapper> mapper,
                   std::shared_ptr<stream::StopSignal> stop);

  void Run();
  // One pass of the control loop (see above); returns when a re-sync is done,
  // when stopping, or on an error.
  absl::Status RunOnce();
  absl::StatusOr<std::string> CurrentStreamArn();
  absl::Status Follow(const std::string& stream_arn, const stream::StoredCheckpoints& stored);
  absl::Status Resync(const std::string& reason, const std::string& stream_arn, bool first);
  // Replays the stream from TRIM_HORIZON into `index` until every shard has
  // caught up.
  // `scanned`: when the scan ended (ShardReaderOptions::caught_up_reference).
  absl::Status Replay(const std::string& stream_arn, Index& index, absl::Time scanned);
  void ObserveResult(const stream::ShardBatch& batch, const stream::RecordResult& result);
  void ObserveReadError(const stream::ShardReadError& error);
  void SetState(std::string state, stream::StreamFollower* follower);
  // What the served and the re-sync followers share.
  stream::StreamApplier::ResultObserver Observer();
  stream::StreamFollowerOptions FollowerOptions(const std::string& stream_arn);

  // Shared with the AWS clients' retry waits (see Create).
  const std::shared_ptr<stream::StopSignal> stop_;
  const StreamSupervisorOptions options_;
  WriteCommitter& committer_;
  IndexHolder& holder_;
  CallEnvironment& env_;
  std::unique_ptr<dynamodb::DynamoDbConnection> connection_;
  std::unique_ptr<stream::RecordMapper> mapper_;

  std::thread thread_;
  // The served index's slot drift after the last re-sync (0 before one):
  // resync_at_slot_drift counts from it. Only the control thread uses it.
  double drift_after_resync_ = 0;

  mutable absl::Mutex mu_;
  std::string state_ ABSL_GUARDED_BY(mu_) = "starting";
  std::string stream_arn_ ABSL_GUARDED_BY(mu_);
  uint64_t resyncs_completed_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, uint64_t> resyncs_started_ ABSL_GUARDED_BY(mu_);
  uint64_t resyncs_failed_ ABSL_GUARDED_BY(mu_) = 0;
  stream::StreamFollower* follower_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::map<std::string, uint64_t> read_errors_ ABSL_GUARDED_BY(mu_);
  absl::Time current_as_of_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_STREAM_SUPERVISOR_H_
