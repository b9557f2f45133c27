// DynamoDbScanSource: the input of `inkdex build --from-dynamodb TABLE`. A
// parallel Scan of the table (one thread per segment, each paging with
// LastEvaluatedKey; throttling, 5xx and network errors retried with jittered
// backoff by the DynamoDB client) written as DynamoDB JSON lines
// ({"Item": {...}} per line) into a pipe that the build pipeline reads as its
// one input file (input_path()), so scanning and indexing overlap and the
// build applies items in the order they arrive.
//
// Which items are artists, and which attribute feeds which field, is the
// ItemMapping's (service/stream/item_mapping.h; `--mapping FILE`, default the
// data model). Items the table holds for other things (studios, styles, an
// artist's non-profile items) and items without the partition key are
// counted here by type and never written; every artist item becomes one line
// holding its record in data-model names (ItemMapping::ArtistAttributes: the
// id from the mapping, key attributes dropped) and its item's rank
// (`sourceRank`: of two items of one artist, the index keeps the
// higher-ranked whatever the order), so the pipeline's line position is the
// item's position in the scan.
//
// AWS access: region from AWS_REGION / AWS_DEFAULT_REGION, credentials from
// the default chain (environment, shared file, container endpoint). With an
// endpoint override (DynamoDB Local) a missing region becomes us-east-1 and
// missing credentials become dummy ones, both said on `notes`.
//
// Lifetime: Start, hand input_path() to the pipeline, run it, then Finish
// (always, also when the build failed: it stops the scanners, which may be
// blocked writing to a pipe nobody reads any more, and joins them).
//
// Thread safety: Start/Finish and the accessors are called from one thread;
// the scanner threads are internal.
#ifndef INKDEX_TOOLS_INKDEX_DYNAMODB_SOURCE_H_
#define INKDEX_TOOLS_INKDEX_DYNAMODB_SOURCE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "aws/credentials.h"
#include "aws/http_client.h"
#include "dynamodb/connection.h"
#include "dynamodb/dynamodb_client.h"
#include "stream/item_mapping.h"

namespace inkdex::cli {

struct DynamoDbScanOptions {
  std::string table;
  std::string endpoint;  // --dynamodb-endpoint; empty: the regional AWS endpoint
  int segments = 4;      // parallel Scan segments (threads), 1..1000
  int page_size = 0;     // Scan Limit; 0: DynamoDB's 1 MB pages
  stream::ItemMapping mapping = stream::ItemMapping::Default();
  // Polled between pages: the scan stops early when it turns true.
  const std::atomic<bool>* cancel = nullptr;
  aws::Environment env = aws::ProcessEnvironment();
  dynamodb::RetryPolicy retry;
};

struct DynamoDbScanTally {
  uint64_t items = 0;  // every item the scan returned
  uint64_t pages = 0;
  uint64_t artist_lines = 0;  // items written to the pipeline
  uint64_t bytes = 0;         // of those lines
  uint64_t other_items = 0;   // skipped: not artist profiles (or without the partition key)
  std::map<std::string, uint64_t> other_item_types;
  // Found while mapping items to records (an artistId attribute that
  // disagrees with the key), which the records' own warnings do not carry.
  uint64_t warnings = 0;
  std::vector<std::string> first_warnings;  // up to kMaxListedWarnings, "TABLE item PK=..: ..."
  dynamodb::RetryCounters requests;

  static constexpr size_t kMaxListedWarnings = 10;
};

class DynamoDbScanSource {
 public:
  // Resolves the region and credentials, checks the table exists
  // (DescribeTable) and starts the scanners. Errors: InvalidArgument on bad
  // options, NotFound for a missing table or missing region/credentials
  // (without --dynamodb-endpoint), or the AWS error.
  static absl::StatusOr<std::unique_ptr<DynamoDbScanSource>> Start(DynamoDbScanOptions options,
                                                                   std::ostream& notes);
  ~DynamoDbScanSource();
  DynamoDbScanSource(const DynamoDbScanSource&) = delete;
  DynamoDbScanSource& operator=(const DynamoDbScanSource&) = delete;

  // The path the build pipeline opens ("/dev/fd/N", the pipe's read end).
  const std::string& input_path() const { return input_path_; }
  const dynamodb::TableDescription& table() const { return table_; }

  // Stops the scan if it is still running and waits for the scanners. OK
  // when every segment was scanned to its end; the first scan error
  // otherwise (naming the segment); Cancelled when stopped by `cancel` or by
  // an earlier Finish (the reader gave up).
  absl::Status Finish();

  // Valid after Finish.
  DynamoDbScanTally tally() const;

  // "TABLE item PK=<pk> SK=<sk>" for a line of input_path() (1-based), to
  // name rejected items; "TABLE line N" when unknown.
  std::string DescribeLine(uint64_t line) const;

  // Rewrites "<input_path>:<line>: reason" (as the pipeline reports rejects
  // and warnings) to "<DescribeLine(line)>: reason"; other text unchanged.
  std::string RewriteLocation(const std::string& message) const;

 private:
  explicit DynamoDbScanSource(DynamoDbScanOptions options);

  absl::Status Init(std::ostream& notes);
  void ScanSegment(int segment);
  bool Stopping() const;
  void Fail(absl::Status status);
  // Writes every byte, or returns false (the reader closed the pipe).
  bool WriteToPipe(const std::string& data) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mutex_);
  void ScannerDone();

  const DynamoDbScanOptions options_;
  std::unique_ptr<dynamodb::DynamoDbConnection> connection_;
  dynamodb::DynamoDbClient* client_ = nullptr;  // connection_'s
  dynamodb::TableDescription table_;
  std::string input_path_;
  int read_fd_ = -1;

  std::atomic<bool> stop_{false};
  std::atomic<int> live_scanners_{0};
  std::vector<std::thread> scanners_;

  mutable absl::Mutex write_mutex_;
  int write_fd_ ABSL_GUARDED_BY(write_mutex_) = -1;
  // Keys of the lines written, in line order: "PK=<pk> SK=<sk>".
  std::vector<std::string> line_keys_ ABSL_GUARDED_BY(write_mutex_);
  DynamoDbScanTally tally_ ABSL_GUARDED_BY(write_mutex_);

  mutable absl::Mutex error_mutex_;
  absl::Status error_ ABSL_GUARDED_BY(error_mutex_);  // the first scan error
};

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_DYNAMODB_SOURCE_H_
