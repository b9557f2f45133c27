#include "dynamodb_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "dynamodb/fast_json.h"
#include "item_type.h"
#include "nlohmann/json.hpp"
#include "simdjson.h"

namespace inkdex::cli {

namespace {

using nlohmann::json;

// The value of a key attribute, whatever its scalar type.
std::string KeyValue(const json& item, const char* name) {
  auto attribute = item.find(name);
  if (attribute == item.end() || !attribute->is_object()) return "";
  for (const char* type : {"S", "N", "B"}) {
    if (auto value = attribute->find(type); value != attribute->end() && value->is_string()) {
      return value->get<std::string>();
    }
  }
  return "";
}

// "PK=<pk> SK=<sk>", with the mapping's key names.
std::string KeyOf(const json& item, const stream::ItemMapping& mapping) {
  std::string pk = KeyValue(item, mapping.partition_key().c_str());
  if (mapping.sort_key().empty()) {
    return pk.empty() ? "" : absl::StrCat(mapping.partition_key(), "=", pk);
  }
  std::string sk = KeyValue(item, mapping.sort_key().c_str());
  if (pk.empty() && sk.empty()) return "";
  return absl::StrCat(mapping.partition_key(), "=", pk, " ", mapping.sort_key(), "=", sk);
}

// What a Scan page's item became as the page was parsed: an artist's line,
// or the type of another item, and the item's key text; nullopt for an item
// read through trees (MapKeyedItem).
struct ReadItem {
  KeyedItem keyed;
  std::string key;
};

// A Scan answer's text, its items read straight from simdjson's DOM where
// that gives MapKeyedItem's result (other items by their keys alone, most
// artist items by stream::ArtistItemLine), each left in the answer as an
// empty stand-in with its result in (*read)[i]; the rest copied as
// dynamodb::ParseJson would. Errors: ParseJson's.
absl::StatusOr<json> ParseScanPage(std::string_view text, const stream::ItemMapping& mapping,
                                   std::vector<std::optional<ReadItem>>* read) {
  read->clear();
  std::optional<json> page = dynamodb::ParseJsonReadingArray(
      text, "Items", [&](const simdjson::dom::element& item, json* entry) {
        KeyedItem keyed;
        json keys;
        const DomItemReading reading = MapKeyedItemFromDom(item, mapping, &keyed, &keys);
        if (reading != DomItemReading::kTrees) {
          // kNotKeyed: MapKeyedItem's "(no partition key PK)" for the item.
          *entry = json::object();
          read->push_back(ReadItem{.keyed = reading == DomItemReading::kKeyed
                                                ? std::move(keyed)
                                                : MapKeyedItem(keys, mapping),
                                   .key = KeyOf(keys, mapping)});
          return;
        }
        dynamodb::CopyToNlohmann(item, entry);
        read->emplace_back();
      });
  // A page read whole never called the reader: *read stays empty.
  if (page.has_value()) return *std::move(page);
  return dynamodb::ParseJson(text);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DynamoDbScanSource>> DynamoDbScanSource::Start(
    DynamoDbScanOptions options, std::ostream& notes) {
  if (options.table.empty()) return absl::InvalidArgumentError("--from-dynamodb: empty table name");
  if (options.segments < 1 || options.segments > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--segments: must be in [1, 1000], got ", options.segments));
  }
  if (options.page_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--scan-page-size: must be >= 0, got ", options.page_size));
  }
  std::unique_ptr<DynamoDbScanSource> source(new DynamoDbScanSource(std::move(options)));
  if (absl::Status s = source->Init(notes); !s.ok()) return s;
  return source;
}

DynamoDbScanSource::DynamoDbScanSource(DynamoDbScanOptions options)
    : options_(std::move(options)) {}

DynamoDbScanSource::~DynamoDbScanSource() {
  (void)Finish();
  absl::MutexLock lock(&write_mutex_);
  if (write_fd_ >= 0) close(write_fd_);
}

absl::Status DynamoDbScanSource::Init(std::ostream& notes) {
  dynamodb::ConnectionOptions connection;
  connection.endpoint = options_.endpoint;
  connection.env = options_.env;
  connection.retry = options_.retry;
  connection.notes = [&notes](const std::string& note) {
    notes << "inkdex build: " << note << "\n";
  };
  absl::StatusOr<std::unique_ptr<dynamodb::DynamoDbConnection>> opened =
      dynamodb::DynamoDbConnection::Open(std::move(connection));
  if (!opened.ok()) return opened.status();
  connection_ = std::move(*opened);
  client_ = &connection_->dynamodb();
  absl::StatusOr<dynamodb::TableDescription> table = client_->DescribeTable(options_.table);
  if (!table.ok()) return table.status();
  table_ = std::move(*table);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::ResourceExhaustedError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  read_fd_ = fds[0];
  {
    absl::MutexLock lock(&write_mutex_);
    write_fd_ = fds[1];
  }
  input_path_ = absl::StrCat("/dev/fd/", read_fd_);
  // A write to the pipe after the pipeline stopped reading must fail with
  // EPIPE (the scanners then stop), not end the process.
  std::signal(SIGPIPE, SIG_IGN);
  live_scanners_ = options_.segments;
  for (int segment = 0; segment < options_.segments; ++segment) {
    scanners_.emplace_back([this, segment] { ScanSegment(segment); });
  }
  return absl::OkStatus();
}

bool DynamoDbScanSource::Stopping() const {
  return stop_.load() || (options_.cancel != nullptr && options_.cancel->load());
}

void DynamoDbScanSource::Fail(absl::Status status) {
  {
    absl::MutexLock lock(&error_mutex_);
    if (error_.ok()) error_ = std::move(status);
  }
  stop_ = true;
}

bool DynamoDbScanSource::WriteToPipe(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(write_fd_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

void DynamoDbScanSource::ScanSegment(int segment) {
  dynamodb::ScanRequest request;
  request.table = options_.table;
  request.segment = segment;
  request.total_segments = options_.segments;
  request.consistent_read = true;
  if (options_.page_size > 0) request.limit = options_.page_size;
  while (!Stopping()) {
    std::vector<std::optional<ReadItem>> read;
    absl::StatusOr<dynamodb::ScanPage> page =
        client_->Scan(request, [this, &read](std::string_view text) {
          return ParseScanPage(text, options_.mapping, &read);
        });
    if (page.ok() && !read.empty() && read.size() != page->items.size()) {
      page = absl::InternalError(
          absl::StrCat(read.size(), " items read while reading a page of ", page->items.size()));
    }
    if (!page.ok()) {
      // The flags were accepted (DescribeTable succeeded): a request refused
      // mid-scan fails the build (exit 1), it is not a usage error (exit 2),
      // nor a bad line under --strict (FailedPrecondition).
      absl::StatusCode code = page.status().code();
      if (code == absl::StatusCode::kInvalidArgument || code == absl::StatusCode::kOutOfRange ||
          code == absl::StatusCode::kFailedPrecondition) {
        code = absl::StatusCode::kAborted;
      }
      Fail(absl::Status(code, absl::StrCat("scan of ", options_.table, " segment ", segment, "/",
                                           options_.segments, ": ", page.status().message())));
      break;
    }
    std::string lines;
    std::vector<std::string> keys;
    std::map<std::string, uint64_t> others;
    std::vector<std::string> warnings;
    for (size_t i = 0; i < page->items.size(); ++i) {
      const json& item = page->items[i];
      const bool direct = i < read.size() && read[i].has_value();
      // An artist whose id cannot be found is written without one, so the
      // pipeline rejects it naming the item ("artistId: missing").
      const KeyedItem scanned =
          direct ? std::move(read[i]->keyed) : MapKeyedItem(item, options_.mapping);
      if (!scanned.other_type.empty()) {
        ++others[scanned.other_type];
        continue;
      }
      absl::StrAppend(&lines, scanned.line, "\n");
      keys.push_back(direct ? std::move(read[i]->key) : KeyOf(item, options_.mapping));
      for (const std::string& warning : scanned.warnings) {
        warnings.push_back(absl::StrCat(options_.table, " item ", keys.back(), ": ", warning));
      }
    }
    {
      absl::MutexLock lock(&write_mutex_);
      tally_.items += page->items.size();
      ++tally_.pages;
      for (const auto& [type, count] : others) {
        tally_.other_items += count;
        tally_.other_item_types[type] += count;
      }
      if (!WriteToPipe(lines)) {
        // The pipeline stopped reading (it failed, or Finish was called).
        stop_ = true;
        break;
      }
      tally_.artist_lines += keys.size();
      tally_.warnings += warnings.size();
      for (std::string& warning : warnings) {
        if (tally_.first_warnings.size() >= DynamoDbScanTally::kMaxListedWarnings) break;
        tally_.first_warnings.push_back(std::move(warning));
      }
      tally_.bytes += lines.size();
      for (std::string& key : keys) line_keys_.push_back(std::move(key));
    }
    request.exclusive_start_key = std::move(page->last_evaluated_key);
    if (request.exclusive_start_key.is_null()) break;
  }
  ScannerDone();
}

void DynamoDbScanSource::ScannerDone() {
  if (live_scanners_.fetch_sub(1) != 1) return;
  // The last scanner out ends the input: the pipeline reads end of file.
  absl::MutexLock lock(&write_mutex_);
  if (write_fd_ >= 0) close(write_fd_);
  write_fd_ = -1;
}

absl::Status DynamoDbScanSource::Finish() {
  bool stopped_early = live_scanners_.load() > 0;
  stop_ = true;
  if (read_fd_ >= 0) {
    close(read_fd_);
    read_fd_ = -1;
  }
  for (std::thread& scanner : scanners_) {
    if (scanner.joinable()) scanner.join();
  }
  {
    absl::MutexLock lock(&error_mutex_);
    if (!error_.ok()) return error_;
  }
  if (stopped_early || (options_.cancel != nullptr && options_.cancel->load())) {
    return absl::CancelledError(absl::StrCat("the scan of ", options_.table, " was stopped"));
  }
  return absl::OkStatus();
}

DynamoDbScanTally DynamoDbScanSource::tally() const {
  absl::MutexLock lock(&write_mutex_);
  DynamoDbScanTally tally = tally_;
  if (client_) tally.requests = client_->counters();
  return tally;
}

std::string DynamoDbScanSource::DescribeLine(uint64_t line) const {
  absl::MutexLock lock(&write_mutex_);
  if (line >= 1 && line <= line_keys_.size() && !line_keys_[line - 1].empty()) {
    return absl::StrCat(options_.table, " item ", line_keys_[line - 1]);
  }
  return absl::StrCat(options_.table, " line ", line);
}

std::string DynamoDbScanSource::RewriteLocation(const std::string& message) const {
  absl::string_view rest(message);
  if (input_path_.empty() || !absl::ConsumePrefix(&rest, input_path_) ||
      !absl::ConsumePrefix(&rest, ":")) {
    return message;
  }
  size_t colon = rest.find(':');
  uint64_t line = 0;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, colon), &line)) {
    return message;
  }
  return absl::StrCat(DescribeLine(line), rest.substr(colon));
}

}  // namespace inkdex::cli
