#include "index/search_index_parts.h"

#include <xapian.h>

#include <algorithm>
#include <exception>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "text/document_builder.h"

namespace inkdex::index {
namespace {

namespace fs = std::filesystem;

absl::Status MergeError(const std::string& output, const std::string& what) {
  return absl::InternalError(absl::StrCat("search index: merge into '", output, "': ", what));
}

}  // namespace

SearchIndexParts::SearchIndexParts(std::string root, const StyleTaxonomy& taxonomy,
                                   uint32_t first_slot, unsigned writers, size_t part_documents)
    : root_(std::move(root)),
      taxonomy_(taxonomy),
      part_documents_(std::max<size_t>(1, part_documents)),
      next_slot_(first_slot) {
  std::error_code ec;
  fs::remove_all(root_, ec);
  fs::create_directories(root_, ec);  // a failure shows as the first part's error
  if (writers == 0) writers = std::thread::hardware_concurrency();
  writers = std::clamp(writers, 1u, kMaxWriters);
  max_waiting_ = 2 * writers;
  {
    absl::MutexLock lock(&mu_);
    running_ = writers;
  }
  for (unsigned i = 0; i < writers; ++i) writers_.emplace_back([this] { RunWriter(); });
}

SearchIndexParts::~SearchIndexParts() {
  stop_.store(true, std::memory_order_relaxed);  // parts being written are removed too
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    waiting_.clear();
  }
  for (std::thread& t : writers_) t.join();
  std::error_code ec;
  fs::remove_all(root_, ec);
}

void SearchIndexParts::Add(std::vector<std::pair<uint32_t, StoredRecord>> records,
                           uint32_t next_slot) {
  next_slot_ = std::max(next_slot_, next_slot);
  if (gathering_.empty()) {
    gathering_ = std::move(records);
  } else {
    gathering_.insert(gathering_.end(), std::make_move_iterator(records.begin()),
                      std::make_move_iterator(records.end()));
  }
  if (gathering_.size() >= part_documents_) HandOver();
}

void SearchIndexParts::HandOver() {
  if (gathering_.empty()) return;
  std::string path = absl::StrCat(root_, "/part-", parts_++);
  absl::MutexLock lock(&mu_);
  auto has_room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return waiting_.size() < max_waiting_ || !error_.ok();
  };
  mu_.Await(absl::Condition(&has_room));
  if (!error_.ok()) {
    gathering_.clear();  // the load fails at Finish; nothing more is written
    return;
  }
  waiting_.emplace_back(std::move(path), std::move(gathering_));
  gathering_.clear();
}

void SearchIndexParts::RunWriter() {
  // One builder for all of this writer's parts: its stem cache stays warm.
  text::DocumentBuilder builder(taxonomy_);
  for (;;) {
    std::pair<std::string, Part> next;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return closed_ || !waiting_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (waiting_.empty()) {  // closed
        --running_;
        return;
      }
      next = std::move(waiting_.front());
      waiting_.pop_front();
    }
    absl::Status written = WritePart(next.first, next.second, builder);
    next.second.clear();
    if (!written.ok()) {
      absl::MutexLock lock(&mu_);
      if (error_.ok()) error_ = std::move(written);
      waiting_.clear();
    }
  }
}

absl::Status SearchIndexParts::WritePart(const std::string& path, Part& part,
                                         text::DocumentBuilder& builder) {
  // Xapian appends to its B-trees fastest in docid order.
  std::sort(part.begin(), part.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  try {
    Xapian::WritableDatabase db(
        path, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS | Xapian::DB_NO_SYNC);
    size_t written = 0;
    for (auto& [slot, record] : part) {
      db.replace_document(slot, builder.Build(record.artist(), record.content_hash()));
      record.Clear();  // its memory, as soon as it is indexed
      if (++written % kCommitDocuments == 0) {
        db.commit();
        if (stop_.load(std::memory_order_relaxed)) {
          return absl::CancelledError(absl::StrCat("search index: part '", path, "' cancelled"));
        }
      }
    }
    db.commit();
    db.close();
  } catch (const Xapian::Error& e) {
    return absl::InternalError(
        absl::StrCat("search index: write part '", path, "': ", e.get_description()));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("search index: write part '", path, "': ", e.what()));
  }
  return absl::OkStatus();
}

void SearchIndexParts::Cancel() {
  stop_.store(true, std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  waiting_.clear();
  if (error_.ok()) {
    error_ = absl::CancelledError(absl::StrCat("search index: cancelled with ", parts_,
                                               " part(s) of documents handed to the writers"));
  }
}

absl::StatusOr<std::vector<std::string>> SearchIndexParts::Finish(
    const std::function<bool()>& cancelled) {
  HandOver();
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;  // the writers finish what waits, then stop
  }
  if (cancelled) {
    auto all_returned = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return running_ == 0; };
    for (;;) {
      if (cancelled()) {
        Cancel();
        break;
      }
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&all_returned), absl::Milliseconds(100))) break;
    }
  }
  for (std::thread& t : writers_) t.join();
  writers_.clear();
  // Once more after the writers: the caller's merge is not cancellable.
  if (cancelled && cancelled()) Cancel();
  absl::MutexLock lock(&mu_);
  if (!error_.ok()) return error_;
  std::vector<std::string> paths;
  for (size_t i = 0; i < parts_; ++i) paths.push_back(absl::StrCat(root_, "/part-", i));
  return paths;
}

absl::Status MergeSearchIndexParts(const std::vector<std::string>& sources,
                                   const std::string& output, const std::string& scratch,
                                   size_t max_sources) {
  max_sources = std::max<size_t>(2, max_sources);
  if (sources.empty()) return MergeError(output, "no sources");
  std::vector<std::string> round = sources;
  size_t merged = 0;
  try {
    while (round.size() > max_sources) {
      std::vector<std::string> next;
      for (size_t begin = 0; begin < round.size(); begin += max_sources) {
        const size_t end = std::min(round.size(), begin + max_sources);
        if (end - begin == 1) {
          next.push_back(round[begin]);
          continue;
        }
        Xapian::Database group;
        for (size_t i = begin; i < end; ++i) group.add_database(Xapian::Database(round[i]));
        next.push_back(absl::StrCat(scratch, "/merged-", merged++));
        group.compact(next.back(), Xapian::DBCOMPACT_NO_RENUMBER | Xapian::Compactor::FULL);
      }
      round = std::move(next);
    }
    Xapian::Database all;
    for (const std::string& path : round) all.add_database(Xapian::Database(path));
    all.compact(output, Xapian::DBCOMPACT_NO_RENUMBER | Xapian::Compactor::FULL);
  } catch (const Xapian::Error& e) {
    return MergeError(output, e.get_description());
  }
  return absl::OkStatus();
}

}  // namespace inkdex::index
