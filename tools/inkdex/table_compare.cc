#include "table_compare.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <system_error>
#include <utility>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/message_differencer.h>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "dynamodb/connection.h"
#include "stream/record_mapper.h"

namespace inkdex::cli {
namespace {

// What is compared of an artist: all of it but where it came from: the
// version fields, which the scan and the stream set differently for the
// same item, and the source rank, which a JSON Lines build leaves unset.
Artist Comparable(const Artist& a) {
  Artist c = a;
  c.clear_version();
  c.clear_stream_sequence();
  c.clear_source_rank();
  return c;
}

uint64_t ComparableHash(const Artist& a) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    Comparable(a).SerializeToCodedStream(&coded);
  }
  return absl::HashOf(bytes);
}

// A directory for the scratch index, made fresh; removed by the destructor,
// which reports to `notes` a directory it could not remove.
class ScratchDir {
 public:
  static absl::StatusOr<std::unique_ptr<ScratchDir>> Make(const std::string& parent,
                                                          std::ostream& notes) {
    std::string base = parent;
    if (base.empty()) {
      const char* tmp = getenv("TMPDIR");
      base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    }
    std::string path = absl::StrCat(base, "/inkdex-verify-table-XXXXXX");
    if (mkdtemp(path.data()) == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "scratch index: cannot make a directory in ", base, ": ", std::strerror(errno)));
    }
    return std::unique_ptr<ScratchDir>(new ScratchDir(std::move(path), notes));
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
    if (ec) {
      notes_ << "inkdex verify: could not remove the scratch index " << path_ << ": "
             << ec.message() << " (remove it by hand)\n";
    }
  }
  const std::string& path() const { return path_; }

 private:
  ScratchDir(std::string path, std::ostream& notes) : path_(std::move(path)), notes_(notes) {}
  std::string path_;
  std::ostream& notes_;
};

bool IsSet(const std::atomic<bool>* flag) { return flag != nullptr && flag->load(); }

absl::Status Interrupted() { return absl::CancelledError("interrupted"); }

}  // namespace

std::vector<std::string> DifferingArtistFields(const Artist& a, const Artist& b) {
  google::protobuf::util::MessageDifferencer differencer;
  std::string report;
  differencer.ReportDifferencesToString(&report);
  if (differencer.Compare(Comparable(a), Comparable(b))) return {};
  // Lines such as `modified: name: "A" -> "B"` or `added: guest_spots[1]: ...`:
  // the field path follows the kind; its first component is the field.
  std::set<std::string> fields;
  for (absl::string_view line : absl::StrSplit(report, '\n', absl::SkipEmpty())) {
    const size_t colon = line.find(": ");
    if (colon == absl::string_view::npos) continue;
    absl::string_view path = line.substr(colon + 2);
    path = path.substr(0, path.find_first_of(".[: "));
    if (!path.empty()) fields.insert(std::string(path));
  }
  if (fields.empty()) fields.insert("(unknown field)");
  return {fields.begin(), fields.end()};
}

absl::StatusOr<TableComparison> CompareWithTable(const Index& index,
                                                 const TableCompareOptions& options,
                                                 std::ostream& notes) {
  if (options.table.empty()) return absl::InvalidArgumentError("--against-dynamodb: empty table");
  dynamodb::ConnectionOptions connection;
  connection.endpoint = options.endpoint;
  connection.retry = options.retry;
  connection.notes = [&notes](const std::string& note) {
    notes << "inkdex verify: " << note << "\n";
  };
  absl::StatusOr<std::unique_ptr<dynamodb::DynamoDbConnection>> opened =
      dynamodb::DynamoDbConnection::Open(std::move(connection));
  if (!opened.ok()) return opened.status();
  if (absl::StatusOr<dynamodb::TableDescription> t =
          (*opened)->dynamodb().DescribeTable(options.table);
      !t.ok()) {
    return t.status();
  }

  absl::StatusOr<std::unique_ptr<ScratchDir>> scratch =
      ScratchDir::Make(options.scratch_parent, notes);
  if (!scratch.ok()) return scratch.status();
  IndexOptions scratch_options;
  scratch_options.sync = false;
  // Only stored artists are read back: the search index is left to
  // background writers (no single-writer bottleneck) and never completed.
  scratch_options.defer_search_index = true;
  absl::StatusOr<std::unique_ptr<Index>> table_index =
      Index::Open((*scratch)->path(), scratch_options);
  if (!table_index.ok()) {
    return absl::Status(table_index.status().code(),
                        absl::StrCat("scratch index: ", table_index.status().message()));
  }
  const stream::RecordMapper mapper(options.mapping,
                                    std::make_shared<const StyleTaxonomy>(index.taxonomy()));
  absl::Mutex rejected_mu;
  absl::flat_hash_map<std::string, std::string> rejected;  // id -> reason
  stream::TableLoadOptions load;
  load.table = options.table;
  load.segments = options.segments;
  load.page_size = options.page_size;
  load.cancelled = [&options] { return IsSet(options.cancel); };
  load.on_reject = [&](const std::string& id, const std::string& reason) {
    absl::MutexLock lock(&rejected_mu);
    if (!id.empty()) rejected.emplace(id, reason);
  };
  TableComparison result;
  absl::StatusOr<stream::TableLoadTally> scanned =
      stream::LoadTable((*opened)->dynamodb(), mapper, **table_index, load);
  if (!scanned.ok()) return IsSet(options.cancel) ? Interrupted() : scanned.status();
  result.scan = *std::move(scanned);

  absl::flat_hash_map<std::string, uint64_t> table_hashes;
  absl::Status read = (*table_index)
                          ->ForEachArtist(
                              [&](const Artist& a) {
                                if (IsSet(options.cancel)) return Interrupted();
                                table_hashes.emplace(a.id(), ComparableHash(a));
                                return absl::OkStatus();
                              },
                              /*include_hidden=*/true);
  if (!read.ok()) return read;
  result.table_artists = table_hashes.size();

  std::vector<std::string> different_ids;
  read = index.ForEachArtist(
      [&](const Artist& a) {
        if (IsSet(options.cancel)) return Interrupted();
        ++result.index_artists;
        auto it = table_hashes.find(a.id());
        if (it == table_hashes.end()) {
          ++result.only_in_index;
          if (result.first_only_in_index.size() < options.max_listed) {
            auto why = rejected.find(a.id());
            result.first_only_in_index.push_back(
                why == rejected.end()
                    ? a.id()
                    : absl::StrCat(a.id(), " (its item was rejected: ", why->second, ")"));
          }
          return absl::OkStatus();
        }
        if (it->second == ComparableHash(a)) {
          ++result.equal;
        } else {
          ++result.different;
          if (different_ids.size() < options.max_listed) different_ids.push_back(a.id());
        }
        table_hashes.erase(it);
        return absl::OkStatus();
      },
      /*include_hidden=*/true);
  if (!read.ok()) return read;
  result.missing = table_hashes.size();
  std::set<std::string> missing_sorted;
  for (const auto& [id, hash] : table_hashes) {
    missing_sorted.insert(id);
    if (missing_sorted.size() > options.max_listed)
      missing_sorted.erase(std::prev(missing_sorted.end()));
  }
  result.first_missing.assign(missing_sorted.begin(), missing_sorted.end());
  for (const std::string& id : different_ids) {
    absl::StatusOr<Artist> in_index = index.Get(id, /*include_hidden=*/true);
    if (absl::IsNotFound(in_index.status())) {
      result.first_different.push_back(absl::StrCat(id, ": deleted from the index while compared"));
      continue;
    }
    if (!in_index.ok()) return in_index.status();
    absl::StatusOr<Artist> in_table = (*table_index)->Get(id, /*include_hidden=*/true);
    if (!in_table.ok()) return in_table.status();
    std::vector<std::string> fields = DifferingArtistFields(*in_index, *in_table);
    result.first_different.push_back(
        fields.empty() ? absl::StrCat(id, ": now equal field by field (changed while compared, or ",
                                      "encoded differently: -0 and 0)")
                       : absl::StrCat(id, ": ", absl::StrJoin(fields, ", ")));
  }
  return result;
}

}  // namespace inkdex::cli
