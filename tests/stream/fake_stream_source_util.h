// Test doubles for service/stream: FakeStreamSource (an in-memory DynamoDB
// stream whose shards tests split, close, trim and break at will, and which
// records how it was read), RecordingSink (keeps applied batches and the
// checkpoint metadata the way the index would), RecordedDescribeHttp (an
// aws::HttpClient answering DescribeStream with recorded JSON pages, so the
// real StreamsClient parses them), and small helpers.
//
// Thread safety: all classes may be called concurrently (the follower reads
// shards on many threads).
#ifndef INKDEX_TESTS_STREAM_FAKE_STREAM_SOURCE_UTIL_H_
#define INKDEX_TESTS_STREAM_FAKE_STREAM_SOURCE_UTIL_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "aws/credentials.h"
#include "aws/http_client.h"
#include "dynamodb/streams_client.h"
#include "stream/shard_reader.h"
#include "stream/stream_source.h"

namespace inkdex::stream::testing {

inline constexpr char kTestStreamArn[] =
    "arn:aws:dynamodb:eu-west-1:123456789012:table/directory/stream/2026-01-01T00:00:00.000";

// The zero-padded 21-digit decimal of `n`, as DynamoDB Local writes them.
std::string Seq(uint64_t n);

// An AWS error status as StreamsClient returns it (code and type payload).
absl::Status AwsErrorStatus(const std::string& type, long http_status = 400);

// Fast reader options for tests: 1..4 ms empty waits, 2..10 ms error waits.
ShardReaderOptions FastReaderOptions();

// Waits until `done()` holds, checking every millisecond, up to `timeout`.
bool Eventually(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(10));

class FakeStreamSource final : public StreamSource {
 public:
  enum class Op { kDescribe, kGetShardIterator, kGetRecords };

  struct IteratorRequest {
    std::string shard_id;
    dynamodb::ShardIteratorType type;
    std::string sequence_number;
  };

  explicit FakeStreamSource(std::string stream_arn = kTestStreamArn);

  // Shards and records. Sequence numbers grow across the whole stream, so a
  // child's records always sort after its parent's.
  void AddShard(const std::string& shard_id, const std::string& parent_shard_id = "");
  // Appends `count` MODIFY records (keys {"PK": "<shard>#<n>"}); returns the
  // last sequence number.
  std::string Append(const std::string& shard_id, int count);
  // Closes the shard: its last page has no next iterator.
  void Close(const std::string& shard_id);
  // The shard leaves the description (trimmed 24 h after closing).
  void Remove(const std::string& shard_id);
  // Its first `count` records are trimmed: TRIM_HORIZON starts after them and
  // reading them answers TrimmedDataAccessException.
  void Trim(const std::string& shard_id, size_t count);
  // Every iterator handed out so far answers ExpiredIteratorException.
  void ExpireIterators();
  // Every call answers ResourceNotFoundException while set.
  void SetStreamMissing(bool missing);
  // The next `times` calls of `op` fail with `status`.
  void FailNext(Op op, absl::Status status, int times = 1);
  void set_describe_page_size(int size);
  // How long each GetRecords takes (widens race windows).
  void set_get_records_delay(absl::Duration delay);
  // GetRecords pages hold at most `count` records whatever the limit asked
  // (as DynamoDB Streams' 1 MB cap does); 0: no cap.
  void set_max_page_records(int count);
  // The next `count` GetRecords of the shard return empty pages with a next
  // iterator at the same position (DynamoDB Streams returns such pages where
  // a stretch of the shard holds no records, e.g. a trimmed one).
  void AddEmptyPages(const std::string& shard_id, int count);

  // What happened.
  std::vector<IteratorRequest> iterator_requests() const;
  int describe_calls() const;
  int get_records_calls(const std::string& shard_id) const;
  // The most GetShardIterator/GetRecords calls in flight at once for one
  // shard (over all shards): more than 1 means two readers.
  int max_concurrent_calls_per_shard() const;

  absl::StatusOr<dynamodb::StreamDescription> DescribeStream(
      const std::string& stream_arn, const std::string& exclusive_start_shard_id) override;
  absl::StatusOr<dynamodb::StreamDescription> DescribeWholeStream(
      const std::string& stream_arn) override;
  absl::StatusOr<std::string> GetShardIterator(const std::string& stream_arn,
                                               const std::string& shard_id,
                                               dynamodb::ShardIteratorType type,
                                               const std::string& sequence_number) override;
  absl::StatusOr<dynamodb::RecordsPage> GetRecords(const std::string& shard_iterator,
                                                   int limit) override;

 private:
  struct FakeShard {
    dynamodb::Shard shard;
    std::vector<dynamodb::StreamRecord> records;
    size_t trimmed = 0;
    bool removed = false;
    int empty_pages = 0;
  };

  std::optional<absl::Status> TakeFailure(Op op) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Enter(const std::string& shard_id) ABSL_LOCKS_EXCLUDED(mu_);
  void Leave(const std::string& shard_id) ABSL_LOCKS_EXCLUDED(mu_);
  std::string Iterator(const std::string& shard_id, size_t position) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string stream_arn_;
  mutable absl::Mutex mu_;
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, FakeShard> shards_ ABSL_GUARDED_BY(mu_);
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 100;
  int generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool missing_ ABSL_GUARDED_BY(mu_) = false;
  int page_size_ ABSL_GUARDED_BY(mu_) = 100;
  absl::Duration get_records_delay_ ABSL_GUARDED_BY(mu_);
  int max_page_records_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<Op, std::deque<absl::Status>> failures_ ABSL_GUARDED_BY(mu_);
  std::vector<IteratorRequest> iterator_requests_ ABSL_GUARDED_BY(mu_);
  int describe_calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, int> get_records_calls_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> in_flight_ ABSL_GUARDED_BY(mu_);
  int max_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

// Keeps what the follower applied, and the checkpoints as metadata the way
// Index::ListMetadata would return them.
class RecordingSink final : public StreamSink {
 public:
  void Prepare(ShardBatch& batch) override;  // counted
  absl::Status Apply(const ShardBatch& batch) override;
  absl::Status ForgetShards(const std::string& stream_arn,
                            const std::vector<std::string>& shard_ids) override;

  // The next `times` Apply calls fail (nothing is kept).
  void FailNext(int times);
  // Each Apply blocks until Unblock() (for stop-while-applying tests), or
  // until Pass lets it through.
  void Block();
  void Unblock();
  // While blocked, lets the next `count` Apply calls through.
  void Pass(int count);
  // Apply calls waiting to pass (blocked), and the most that were ever under
  // way at once (more than 1 for one shard breaks the sink contract).
  int waiting_applies() const;
  int prepare_calls() const;
  int max_concurrent_applies() const;

  std::vector<ShardBatch> batches() const;
  // Sequence numbers applied to the shard, in order.
  std::vector<std::string> sequences(const std::string& shard_id) const;
  size_t record_count() const;
  int apply_calls() const;
  std::map<std::string, std::string> metadata() const;
  // DecodeCheckpoints(metadata()); fails the test on error.
  StoredCheckpoints checkpoints() const;

 private:
  mutable absl::Mutex mu_;
  int fail_next_ ABSL_GUARDED_BY(mu_) = 0;
  bool blocked_ ABSL_GUARDED_BY(mu_) = false;
  int passes_ ABSL_GUARDED_BY(mu_) = 0;
  int prepare_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
  int under_way_ ABSL_GUARDED_BY(mu_) = 0;
  int max_under_way_ ABSL_GUARDED_BY(mu_) = 0;
  int apply_calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<ShardBatch> batches_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> metadata_ ABSL_GUARDED_BY(mu_);
};

// Answers DescribeStream requests with recorded response bodies, chosen by
// the request's ExclusiveStartShardId ("" for the first page); anything
// else is a 400 ValidationException. Records the start ids asked for.
class RecordedDescribeHttp final : public aws::HttpClient {
 public:
  explicit RecordedDescribeHttp(std::map<std::string, std::string> pages_by_start)
      : pages_(std::move(pages_by_start)) {}
  absl::StatusOr<aws::HttpResponse> Send(const aws::HttpRequest& request) override;
  std::vector<std::string> starts() const;

 private:
  const std::map<std::string, std::string> pages_;
  mutable absl::Mutex mu_;
  std::vector<std::string> starts_ ABSL_GUARDED_BY(mu_);
};

// Fixed long-term test keys (DynamoDB Local accepts any).
class StaticCredentials final : public aws::CredentialsProvider {
 public:
  absl::StatusOr<aws::Credentials> GetCredentials() override;
};

}  // namespace inkdex::stream::testing

#endif  // INKDEX_TESTS_STREAM_FAKE_STREAM_SOURCE_UTIL_H_
