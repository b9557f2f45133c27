#include "stream/table_loader.h"

#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace inkdex::stream {
namespace {

// What the scanner threads share.
class LoadState {
 public:
  LoadState(const RecordMapper& mapper, Index& index, const TableLoadOptions& options)
      : mapper_(mapper), index_(index), options_(options) {}

  bool Stopping() const {
    absl::MutexLock lock(&mu_);
    return !status_.ok() || Cancelled();
  }

  bool Cancelled() const { return options_.cancelled && options_.cancelled(); }

  void Fail(absl::Status status) {
    absl::MutexLock lock(&mu_);
    if (status_.ok()) status_ = std::move(status);
  }

  // Maps and applies one page.
  void AddPage(const dynamodb::ScanPage& page) {
    WriteBatch batch;
    std::vector<std::pair<std::string, std::string>> rejects;  // id, reason
    std::map<std::string, uint64_t> ignored;
    for (const nlohmann::json& item : page.items) {
      MappedRecord m = mapper_.MapItem(item);
      switch (m.action) {
        case RecordAction::kUpsert:
          m.artist.set_version(1);
          batch.Upsert(std::move(m.artist));
          break;
        case RecordAction::kIgnore:
          ++ignored[m.reason];
          break;
        case RecordAction::kDelete:
          // A hidden (opted-out or inactive) artist whose item cannot be
          // indexed: nothing to load into a fresh index.
          ++ignored["hidden_unindexable"];
          break;
        case RecordAction::kReject:
          rejects.emplace_back(m.artist_id, m.reason);
          break;
      }
    }
    uint64_t applied = 0;
    if (!batch.empty()) {
      absl::StatusOr<std::vector<ChangeResult>> results = index_.Apply(batch);
      if (!results.ok()) return Fail(results.status());
      for (size_t i = 0; i < results->size(); ++i) {
        const ChangeResult& r = (*results)[i];
        if (r.outcome == ChangeResult::Outcome::kApplied) {
          ++applied;
        } else if (r.outcome == ChangeResult::Outcome::kRejected) {
          rejects.emplace_back(batch.changes()[i].artist.id(), r.reason);
        }
        // kStale: the same artist twice in one scan (a PROFILE and a METADATA
        // item of one id): the first wins, as in `inkdex build`.
      }
    }
    absl::MutexLock lock(&mu_);
    tally_.items += page.items.size();
    ++tally_.pages;
    tally_.artists += applied;
    tally_.rejected += rejects.size();
    for (const auto& [type, n] : ignored) tally_.ignored[type] += n;
    if (options_.on_reject) {
      for (const auto& [id, reason] : rejects) options_.on_reject(id, reason);
    }
  }

  void ScanSegment(dynamodb::DynamoDbClient& client, int segment) {
    dynamodb::ScanRequest request;
    request.table = options_.table;
    request.segment = segment;
    request.total_segments = options_.segments;
    if (options_.page_size > 0) request.limit = options_.page_size;
    do {
      if (Stopping()) return;
      absl::StatusOr<dynamodb::ScanPage> page = client.Scan(request);
      if (!page.ok()) {
        return Fail(absl::Status(page.status().code(),
                                 absl::StrCat("scan of table ", options_.table, " segment ",
                                              segment, ": ", page.status().message())));
      }
      AddPage(*page);
      request.exclusive_start_key = std::move(page->last_evaluated_key);
    } while (!request.exclusive_start_key.is_null());
  }

  absl::StatusOr<TableLoadTally> Result() {
    absl::MutexLock lock(&mu_);
    if (!status_.ok()) return status_;
    if (Cancelled()) {
      return absl::CancelledError(absl::StrCat("scan of table ", options_.table, " cancelled"));
    }
    return tally_;
  }

 private:
  const RecordMapper& mapper_;
  Index& index_;
  const TableLoadOptions& options_;
  mutable absl::Mutex mu_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  TableLoadTally tally_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<TableLoadTally> LoadTable(dynamodb::DynamoDbClient& client,
                                         const RecordMapper& mapper, Index& index,
                                         const TableLoadOptions& options) {
  if (options.table.empty()) return absl::InvalidArgumentError("table: must not be empty");
  if (options.segments < 1 || options.segments > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("segments: must be in [1, 1000], got ", options.segments));
  }
  const absl::Time start = absl::Now();
  LoadState state(mapper, index, options);
  std::vector<std::thread> scanners;
  scanners.reserve(options.segments);
  for (int s = 0; s < options.segments; ++s) {
    scanners.emplace_back([&state, &client, s] { state.ScanSegment(client, s); });
  }
  for (std::thread& t : scanners) t.join();
  absl::StatusOr<TableLoadTally> tally = state.Result();
  if (tally.ok()) tally->duration = absl::Now() - start;
  return tally;
}

}  // namespace inkdex::stream
