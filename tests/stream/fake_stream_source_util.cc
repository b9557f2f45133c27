#include "stream/fake_stream_source_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "dynamodb/aws_error.h"
#include "nlohmann/json.hpp"

namespace inkdex::stream::testing {

std::string Seq(uint64_t n) { return absl::StrFormat("%021d", n); }

absl::Status AwsErrorStatus(const std::string& type, long http_status) {
  return dynamodb::AwsError{http_status, type, "injected by the test"}.ToStatus("Fake");
}

ShardReaderOptions FastReaderOptions() {
  ShardReaderOptions options;
  options.empty_backoff_initial = absl::Milliseconds(1);
  options.empty_backoff_max = absl::Milliseconds(4);
  options.error_backoff_initial = absl::Milliseconds(2);
  options.error_backoff_max = absl::Milliseconds(10);
  return options;
}

bool Eventually(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

// FakeStreamSource

FakeStreamSource::FakeStreamSource(std::string stream_arn) : stream_arn_(std::move(stream_arn)) {}

void FakeStreamSource::AddShard(const std::string& shard_id, const std::string& parent_shard_id) {
  absl::MutexLock lock(&mu_);
  FakeShard& shard = shards_[shard_id];
  shard.shard.shard_id = shard_id;
  shard.shard.parent_shard_id = parent_shard_id;
  shard.shard.starting_sequence_number = Seq(next_sequence_);
  order_.push_back(shard_id);
}

std::string FakeStreamSource::Append(const std::string& shard_id, int count) {
  absl::MutexLock lock(&mu_);
  FakeShard& shard = shards_.at(shard_id);
  for (int i = 0; i < count; ++i) {
    dynamodb::StreamRecord record;
    record.sequence_number = Seq(next_sequence_++);
    record.event_id = absl::StrCat("e", record.sequence_number);
    record.event_name = "MODIFY";
    record.approximate_creation_time = absl::Now();
    record.keys = {{"PK", {{"S", absl::StrCat(shard_id, "#", shard.records.size())}}}};
    shard.records.push_back(std::move(record));
  }
  return shard.records.empty() ? "" : shard.records.back().sequence_number;
}

void FakeStreamSource::Close(const std::string& shard_id) {
  absl::MutexLock lock(&mu_);
  FakeShard& shard = shards_.at(shard_id);
  shard.shard.ending_sequence_number = shard.records.empty() ? shard.shard.starting_sequence_number
                                                             : shard.records.back().sequence_number;
}

void FakeStreamSource::Remove(const std::string& shard_id) {
  absl::MutexLock lock(&mu_);
  shards_.at(shard_id).removed = true;
}

void FakeStreamSource::Trim(const std::string& shard_id, size_t count) {
  absl::MutexLock lock(&mu_);
  shards_.at(shard_id).trimmed = count;
}

void FakeStreamSource::ExpireIterators() {
  absl::MutexLock lock(&mu_);
  ++generation_;
}

void FakeStreamSource::SetStreamMissing(bool missing) {
  absl::MutexLock lock(&mu_);
  missing_ = missing;
}

void FakeStreamSource::FailNext(Op op, absl::Status status, int times) {
  absl::MutexLock lock(&mu_);
  for (int i = 0; i < times; ++i) failures_[op].push_back(status);
}

void FakeStreamSource::set_describe_page_size(int size) {
  absl::MutexLock lock(&mu_);
  page_size_ = size;
}

void FakeStreamSource::set_get_records_delay(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  get_records_delay_ = delay;
}

void FakeStreamSource::set_max_page_records(int count) {
  absl::MutexLock lock(&mu_);
  max_page_records_ = count;
}

std::vector<FakeStreamSource::IteratorRequest> FakeStreamSource::iterator_requests() const {
  absl::MutexLock lock(&mu_);
  return iterator_requests_;
}

int FakeStreamSource::describe_calls() const {
  absl::MutexLock lock(&mu_);
  return describe_calls_;
}

int FakeStreamSource::get_records_calls(const std::string& shard_id) const {
  absl::MutexLock lock(&mu_);
  auto it = get_records_calls_.find(shard_id);
  return it == get_records_calls_.end() ? 0 : it->second;
}

int FakeStreamSource::max_concurrent_calls_per_shard() const {
  absl::MutexLock lock(&mu_);
  return max_in_flight_;
}

std::optional<absl::Status> FakeStreamSource::TakeFailure(Op op) {
  if (missing_) return AwsErrorStatus("ResourceNotFoundException");
  auto it = failures_.find(op);
  if (it == failures_.end() || it->second.empty()) return std::nullopt;
  absl::Status status = it->second.front();
  it->second.pop_front();
  return status;
}

void FakeStreamSource::Enter(const std::string& shard_id) {
  absl::MutexLock lock(&mu_);
  max_in_flight_ = std::max(max_in_flight_, ++in_flight_[shard_id]);
}

void FakeStreamSource::Leave(const std::string& shard_id) {
  absl::MutexLock lock(&mu_);
  --in_flight_[shard_id];
}

std::string FakeStreamSource::Iterator(const std::string& shard_id, size_t position) const {
  return absl::StrCat(shard_id, "|", position, "|", generation_);
}

absl::StatusOr<dynamodb::StreamDescription> FakeStreamSource::DescribeStream(
    const std::string& stream_arn, const std::string& exclusive_start_shard_id) {
  absl::MutexLock lock(&mu_);
  ++describe_calls_;
  if (auto failure = TakeFailure(Op::kDescribe)) return *failure;
  if (stream_arn != stream_arn_) return AwsErrorStatus("ResourceNotFoundException");
  std::vector<std::string> listed;
  for (const std::string& id : order_) {
    if (!shards_.at(id).removed) listed.push_back(id);
  }
  auto start = listed.begin();
  if (!exclusive_start_shard_id.empty()) {
    start = std::find(listed.begin(), listed.end(), exclusive_start_shard_id);
    if (start == listed.end()) return AwsErrorStatus("ValidationException");
    ++start;
  }
  dynamodb::StreamDescription description;
  description.stream_arn = stream_arn_;
  description.stream_status = "ENABLED";
  description.stream_view_type = "NEW_AND_OLD_IMAGES";
  description.table_name = "directory";
  for (auto it = start;
       it != listed.end() && static_cast<int>(description.shards.size()) < page_size_; ++it) {
    description.shards.push_back(shards_.at(*it).shard);
  }
  if (!description.shards.empty() && description.shards.back().shard_id != listed.back()) {
    description.last_evaluated_shard_id = description.shards.back().shard_id;
  }
  return description;
}

absl::StatusOr<dynamodb::StreamDescription> FakeStreamSource::DescribeWholeStream(
    const std::string& stream_arn) {
  absl::StatusOr<dynamodb::StreamDescription> whole = DescribeStream(stream_arn, "");
  while (whole.ok() && !whole->last_evaluated_shard_id.empty()) {
    absl::StatusOr<dynamodb::StreamDescription> page =
        DescribeStream(stream_arn, whole->last_evaluated_shard_id);
    if (!page.ok()) return page.status();
    whole->shards.insert(whole->shards.end(), page->shards.begin(), page->shards.end());
    whole->last_evaluated_shard_id = page->last_evaluated_shard_id;
  }
  return whole;
}

absl::StatusOr<std::string> FakeStreamSource::GetShardIterator(const std::string& stream_arn,
                                                               const std::string& shard_id,
                                                               dynamodb::ShardIteratorType type,
                                                               const std::string& sequence_number) {
  Enter(shard_id);
  absl::StatusOr<std::string> result = [&]() -> absl::StatusOr<std::string> {
    absl::MutexLock lock(&mu_);
    iterator_requests_.push_back({shard_id, type, sequence_number});
    if (auto failure = TakeFailure(Op::kGetShardIterator)) return *failure;
    auto it = shards_.find(shard_id);
    if (stream_arn != stream_arn_ || it == shards_.end() || it->second.removed) {
      return AwsErrorStatus("ResourceNotFoundException");
    }
    const FakeShard& shard = it->second;
    switch (type) {
      case dynamodb::ShardIteratorType::kTrimHorizon:
        return Iterator(shard_id, shard.trimmed);
      case dynamodb::ShardIteratorType::kLatest:
        return Iterator(shard_id, shard.records.size());
      case dynamodb::ShardIteratorType::kAtSequenceNumber:
      case dynamodb::ShardIteratorType::kAfterSequenceNumber:
        for (size_t i = 0; i < shard.records.size(); ++i) {
          if (shard.records[i].sequence_number != sequence_number) continue;
          if (i < shard.trimmed) return AwsErrorStatus("TrimmedDataAccessException");
          return Iterator(shard_id,
                          type == dynamodb::ShardIteratorType::kAtSequenceNumber ? i : i + 1);
        }
        return AwsErrorStatus("ValidationException");
    }
    return AwsErrorStatus("ValidationException");
  }();
  Leave(shard_id);
  return result;
}

void FakeStreamSource::AddEmptyPages(const std::string& shard_id, int count) {
  absl::MutexLock lock(&mu_);
  shards_[shard_id].empty_pages += count;
}

absl::StatusOr<dynamodb::RecordsPage> FakeStreamSource::GetRecords(
    const std::string& shard_iterator, int limit) {
  std::vector<std::string> parts = absl::StrSplit(shard_iterator, '|');
  size_t position = 0;
  int generation = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[1], &position) ||
      !absl::SimpleAtoi(parts[2], &generation) || limit < 1 || limit > 1000) {
    return AwsErrorStatus("ValidationException");
  }
  const std::string& shard_id = parts[0];
  Enter(shard_id);
  absl::Duration delay;
  {
    absl::MutexLock lock(&mu_);
    ++get_records_calls_[shard_id];
    delay = get_records_delay_;
  }
  absl::SleepFor(delay);
  absl::StatusOr<dynamodb::RecordsPage> result = [&]() -> absl::StatusOr<dynamodb::RecordsPage> {
    absl::MutexLock lock(&mu_);
    if (auto failure = TakeFailure(Op::kGetRecords)) return *failure;
    if (generation < generation_) return AwsErrorStatus("ExpiredIteratorException");
    auto it = shards_.find(shard_id);
    if (it == shards_.end() || it->second.removed) {
      return AwsErrorStatus("ResourceNotFoundException");
    }
    FakeShard& shard = it->second;
    if (position < shard.trimmed) return AwsErrorStatus("TrimmedDataAccessException");
    dynamodb::RecordsPage page;
    if (it->second.empty_pages > 0) {
      --it->second.empty_pages;
      page.next_shard_iterator = Iterator(shard_id, position);
      return page;
    }
    if (max_page_records_ > 0) limit = std::min(limit, max_page_records_);
    const size_t end = std::min(shard.records.size(), position + static_cast<size_t>(limit));
    for (size_t i = position; i < end; ++i) page.records.push_back(shard.records[i]);
    if (!shard.shard.closed() || end < shard.records.size()) {
      page.next_shard_iterator = Iterator(shard_id, end);
    }
    return page;
  }();
  Leave(shard_id);
  return result;
}

// RecordingSink

void RecordingSink::Prepare(ShardBatch&) {
  absl::MutexLock lock(&mu_);
  ++prepare_calls_;
}

int RecordingSink::prepare_calls() const {
  absl::MutexLock lock(&mu_);
  return prepare_calls_;
}

absl::Status RecordingSink::Apply(const ShardBatch& batch) {
  absl::MutexLock lock(&mu_);
  ++apply_calls_;
  ++under_way_;
  max_under_way_ = std::max(max_under_way_, under_way_);
  ++waiting_;
  mu_.Await(absl::Condition(
      +[](RecordingSink* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
        return !self->blocked_ || self->passes_ > 0;
      },
      this));
  --waiting_;
  if (blocked_) --passes_;
  struct Leave {
    int& under_way;
    ~Leave() { --under_way; }
  } leave{under_way_};
  if (fail_next_ > 0) {
    --fail_next_;
    return absl::UnavailableError("RecordingSink: injected failure");
  }
  absl::StatusOr<MetadataEntries> entries = CheckpointEntries(batch);
  if (!entries.ok()) return entries.status();
  batches_.push_back(batch);
  for (auto& [key, value] : *entries) metadata_[key] = value;
  return absl::OkStatus();
}

absl::Status RecordingSink::ForgetShards(const std::string& stream_arn,
                                         const std::vector<std::string>& shard_ids) {
  absl::StatusOr<MetadataEntries> entries = EncodeForgottenShards(stream_arn, shard_ids);
  if (!entries.ok()) return entries.status();
  absl::MutexLock lock(&mu_);
  for (auto& [key, value] : *entries) metadata_[key] = value;
  return absl::OkStatus();
}

void RecordingSink::FailNext(int times) {
  absl::MutexLock lock(&mu_);
  fail_next_ = times;
}

void RecordingSink::Block() {
  absl::MutexLock lock(&mu_);
  blocked_ = true;
}

void RecordingSink::Unblock() {
  absl::MutexLock lock(&mu_);
  blocked_ = false;
}

void RecordingSink::Pass(int count) {
  absl::MutexLock lock(&mu_);
  passes_ += count;
}

int RecordingSink::waiting_applies() const {
  absl::MutexLock lock(&mu_);
  return waiting_;
}

int RecordingSink::max_concurrent_applies() const {
  absl::MutexLock lock(&mu_);
  return max_under_way_;
}

std::vector<ShardBatch> RecordingSink::batches() const {
  absl::MutexLock lock(&mu_);
  return batches_;
}

std::vector<std::string> RecordingSink::sequences(const std::string& shard_id) const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> sequences;
  for (const ShardBatch& batch : batches_) {
    if (batch.shard_id != shard_id) continue;
    for (const dynamodb::StreamRecord& record : batch.records) {
      sequences.push_back(record.sequence_number);
    }
  }
  return sequences;
}

size_t RecordingSink::record_count() const {
  absl::MutexLock lock(&mu_);
  size_t count = 0;
  for (const ShardBatch& batch : batches_) count += batch.records.size();
  return count;
}

int RecordingSink::apply_calls() const {
  absl::MutexLock lock(&mu_);
  return apply_calls_;
}

std::map<std::string, std::string> RecordingSink::metadata() const {
  absl::MutexLock lock(&mu_);
  return metadata_;
}

StoredCheckpoints RecordingSink::checkpoints() const {
  absl::StatusOr<StoredCheckpoints> decoded = DecodeCheckpoints(metadata());
  EXPECT_TRUE(decoded.ok()) << decoded.status();
  return decoded.ok() ? *decoded : StoredCheckpoints{};
}

// RecordedDescribeHttp

absl::StatusOr<aws::HttpResponse> RecordedDescribeHttp::Send(const aws::HttpRequest& request) {
  aws::HttpResponse response;
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  std::string start;
  if (body.is_object() && body.contains("ExclusiveStartShardId")) {
    start = body["ExclusiveStartShardId"].get<std::string>();
  }
  {
    absl::MutexLock lock(&mu_);
    starts_.push_back(start);
  }
  auto page = pages_.find(start);
  bool describe = false;
  for (const auto& [name, value] : request.headers) {
    if (absl::EqualsIgnoreCase(name, "x-amz-target") &&
        value == "DynamoDBStreams_20120810.DescribeStream") {
      describe = true;
    }
  }
  if (!describe || page == pages_.end()) {
    response.status_code = 400;
    response.body = R"({"__type":"ValidationException","message":"not recorded"})";
    return response;
  }
  response.status_code = 200;
  response.body = page->second;
  return response;
}

std::vector<std::string> RecordedDescribeHttp::starts() const {
  absl::MutexLock lock(&mu_);
  return starts_;
}

absl::StatusOr<aws::Credentials> StaticCredentials::GetCredentials() {
  return aws::Credentials{"inkdexlocal", "inkdexlocal", "", std::nullopt, "test"};
}

}  // namespace inkdex::stream::testing
