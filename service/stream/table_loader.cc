#include "stream/table_loader.h"

#include <algorithm>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "inkdex/bulk_loader.h"

namespace inkdex::stream {
namespace {

// What the scanner threads share.
class LoadState {
 public:
  LoadState(const RecordMapper& mapper, Index& index, const TableLoadOptions& options)
      : mapper_(mapper), options_(options), loader_(index, {.batch_size = options.batch_size}) {}

  bool Stopping() const {
    absl::MutexLock lock(&mu_);
    return !status_.ok() || Cancelled();
  }

  bool Cancelled() const { return options_.cancelled && options_.cancelled(); }

  void Fail(absl::Status status) {
    absl::MutexLock lock(&mu_);
    if (status_.ok()) status_ = std::move(status);
  }

  // Maps one page; its artists are held for ApplyHeld. `premapped`: the
  // mappings RecordMapper::ParseScanPage made as it read the page (empty, or
  // one per item: nullopt for an item to map here).
  void AddPage(const dynamodb::ScanPage& page,
               std::vector<std::optional<MappedRecord>>& premapped) {
    std::vector<Artist> artists;
    std::vector<std::pair<std::string, std::string>> rejects;  // id, reason
    std::map<std::string, uint64_t> ignored;
    for (size_t i = 0; i < page.items.size(); ++i) {
      MappedRecord m = i < premapped.size() && premapped[i].has_value()
                           ? *std::move(premapped[i])
                           : mapper_.MapItem(page.items[i]);
      switch (m.action) {
        case RecordAction::kUpsert:
          m.artist.set_version(1);
          artists.push_back(std::move(m.artist));
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
    absl::MutexLock lock(&mu_);
    for (Artist& a : artists) {
      ids_.push_back(a.id());
      loader_.Add(a, ids_.size() - 1);
    }
    tally_.items += page.items.size();
    ++tally_.pages;
    tally_.rejected += rejects.size();
    for (const auto& [type, n] : ignored) tally_.ignored[type] += n;
    if (options_.on_reject) {
      for (const auto& [id, reason] : rejects) options_.on_reject(id, reason);
    }
    if (loader_.size() >= std::max<size_t>(1, options_.order_window)) FlushHeld();
  }

  // Applies what is still held, once every segment is scanned.
  void ApplyHeld() {
    absl::MutexLock lock(&mu_);
    FlushHeld();
  }

  void ScanSegment(dynamodb::DynamoDbClient& client, int segment) {
    dynamodb::ScanRequest request;
    request.table = options_.table;
    request.segment = segment;
    request.total_segments = options_.segments;
    if (options_.page_size > 0) request.limit = options_.page_size;
    do {
      if (Stopping()) return;
      std::vector<std::optional<MappedRecord>> premapped;
      absl::StatusOr<dynamodb::ScanPage> page =
          client.Scan(request, [this, &premapped](std::string_view text) {
            return mapper_.ParseScanPage(text, &premapped);
          });
      if (page.ok() && !premapped.empty() && premapped.size() != page->items.size()) {
        page = absl::InternalError(absl::StrCat(
            premapped.size(), " items mapped while reading a page of ", page->items.size()));
      }
      if (!page.ok()) {
        return Fail(absl::Status(page.status().code(),
                                 absl::StrCat("scan of table ", options_.table, " segment ",
                                              segment, ": ", page.status().message())));
      }
      AddPage(*page, premapped);
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
  // Applies the held artists sorted by location (inkdex/bulk_loader.h).
  void FlushHeld() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!status_.ok() || Cancelled()) return;
    auto on_result = [this](uint64_t tag, const ChangeResult& r) {
      mu_.AssertHeld();
      if (r.outcome == ChangeResult::Outcome::kApplied) {
        ++tally_.artists;
      } else if (r.outcome == ChangeResult::Outcome::kRejected) {
        ++tally_.rejected;
        if (options_.on_reject) options_.on_reject(ids_[tag], r.reason);
      }
      // kStale: the same artist twice in one scan (a PROFILE and a METADATA
      // item of one id): the higher-ranked item wins, whatever the order
      // (item_mapping.h "Precedence"); or a stream record applied to a live
      // index first (--bootstrap-table), which outranks the scan's copy.
      return absl::OkStatus();
    };
    auto after_batch = [this](size_t applied, size_t total) {
      if (applied < total && Cancelled()) return absl::CancelledError("cancelled");
      return absl::OkStatus();
    };
    absl::Status s = loader_.Flush(on_result, after_batch);
    ids_.clear();
    if (!s.ok() && !absl::IsCancelled(s)) status_ = std::move(s);
  }

  const RecordMapper& mapper_;
  const TableLoadOptions& options_;
  mutable absl::Mutex mu_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  TableLoadTally tally_ ABSL_GUARDED_BY(mu_);
  BulkLoader loader_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);  // by loader tag
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
  state.ApplyHeld();
  absl::StatusOr<TableLoadTally> tally = state.Result();
  if (tally.ok()) tally->duration = absl::Now() - start;
  return tally;
}

}  // namespace inkdex::stream
