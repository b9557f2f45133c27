// `inkdex build`: builds an index from JSON Lines or DynamoDB JSON files
// (plain or gzip), or from a parallel Scan of a DynamoDB table
// (--from-dynamodb, see dynamodb_source.h), in parallel, with a progress
// display and a summary.
//
// Where it builds: by default into a staging directory next to --index,
// without per-commit fsync, verified (Index::Verify) and renamed into place
// when the build succeeded (see staged_directory.h); an
// existing non-empty --index is refused unless --force (replace it) or
// --append (apply into it in place, versions continuing after the last
// `inkdex build` into it). See build_pipeline.h for order and versions.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "build_pipeline.h"
#include "cli_common.h"
#include "dynamodb_source.h"
#include "staged_directory.h"

namespace inkdex::cli {

namespace {

namespace fs = std::filesystem;

constexpr char kBuildHelp[] =
    "Input: one record per line, JSON Lines (data-model field names) or DynamoDB JSON "
    "({\"Item\": {...}} per line, as DynamoDB's S3 export writes it), plain or gzip (detected "
    "from the content). Blank lines are skipped.\n"
    "Versions: a record's own \"version\" if it has one, else --version-base + its line "
    "position across all inputs, so a later line for the same artistId wins.\n"
    "Order: up to --order-window records are read, then indexed sorted by location (artists "
    "near each other get neighbouring slots); a repeated artistId's records are indexed "
    "together in input order, so the result is the same as in input order.\n"
    "A bad line is reported as FILE:LINE: reason and skipped (all of them to --rejects FILE); "
    "with --strict the build stops at the first one and --index is left untouched (with "
    "--append, the batches applied before that line stay applied).\n"
    "DynamoDB: --from-dynamodb TABLE scans the table instead (Segment/TotalSegments, one thread "
    "per --segments, paging with LastEvaluatedKey, throttling and 5xx retried with jittered "
    "backoff). Region from AWS_REGION/AWS_DEFAULT_REGION, credentials from the environment, "
    "the shared credentials file or the container endpoint; with --dynamodb-endpoint (DynamoDB "
    "Local) and none configured, region us-east-1 and dummy credentials. Items that are not "
    "artist profiles (PK ARTIST#<id>, SK METADATA or PROFILE) are skipped and counted; a bad "
    "artist item is rejected as \"TABLE item PK=.. SK=..: reason\". --mapping FILE says which "
    "items are artists and which attribute feeds which field instead (README \"Mapping file\"; "
    "data/dynamodb-mapping.example.json is the default).\n"
    "Versions from a scan: an item's own \"version\" attribute if it has one, else "
    "--version-base + its position among the artist items of the scan (1, 2, ... in arrival "
    "order), so no scanned item gets a version above --version-base + the artist items "
    "scanned; the highest is "
    "stored as the index's last line version. Stream records applied later (inkdex-server "
    "--stream-table) carry larger versions and win over the scanned copy.\n"
    "Exit codes: 0 built (even with rejected lines), 1 the build failed, 2 usage errors.";

struct BuildCommand {
  std::vector<std::string> inputs;
  std::string dynamodb_table;
  std::string dynamodb_endpoint;
  int segments = 4;
  int scan_page_size = 0;
  std::string mapping_path;
  std::optional<stream::ItemMapping> mapping;  // loaded from mapping_path
  // Set while a --from-dynamodb build runs; its tally feeds the summary.
  std::optional<DynamoDbScanTally> scan_tally;
  std::string index_dir;
  bool strict = false;
  int batch_size = 10000;
  // IndexOptions::min_free_disk_bytes, MiB.
  int64_t min_free_disk_mb = static_cast<int64_t>(kDefaultMinFreeDiskBytes >> 20);
  size_t order_window = 1000000;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string rejects_path;
  bool force = false;
  bool append = false;
  std::string format = "auto";
  uint64_t version_base = 0;
  CLI::Option* version_base_option = nullptr;
  std::string progress = "auto";
  double progress_every_s = 5;
  size_t max_listed = 10;
  bool no_verify = false;

  int Run() {
    if (inputs.empty() == dynamodb_table.empty()) {
      return ReportUsageError("build", "give --input FILE... or --from-dynamodb TABLE (not both)");
    }
    if (!mapping_path.empty()) {
      absl::StatusOr<stream::ItemMapping> loaded = stream::LoadItemMapping(mapping_path);
      if (!loaded.ok()) {
        return ReportUsageError("build", absl::StrCat("--mapping ", loaded.status().message()));
      }
      mapping = *std::move(loaded);
    }
    BuildOptions options;
    options.inputs = inputs;
    options.batch_size = batch_size;
    options.order_window = order_window;
    options.threads = threads;
    options.strict = strict;
    options.max_listed = max_listed;
    options.format = format == "json"       ? RecordFormat::kJson
                     : format == "dynamodb" ? RecordFormat::kDynamoDbJson
                                            : RecordFormat::kAuto;
    options.progress = progress == "bar"   ? BuildProgress::Mode::kBar
                       : progress == "log" ? BuildProgress::Mode::kLog
                       : progress == "off" ? BuildProgress::Mode::kOff
                                           : BuildProgress::Mode::kAuto;
    options.progress_every = std::chrono::milliseconds(
        std::max<int64_t>(1, static_cast<int64_t>(progress_every_s * 1000)));
    if (!dynamodb_table.empty()) options.format = RecordFormat::kDynamoDbJson;
    std::ofstream rejects;
    if (!rejects_path.empty()) {
      rejects.open(rejects_path, std::ios::out | std::ios::trunc);
      if (!rejects) {
        return ReportError("build", absl::UnavailableError("--rejects " + rejects_path +
                                                           ": cannot open for writing"));
      }
      options.rejects_out = &rejects;
    }
    fs::path target = fs::path(index_dir).lexically_normal();
    if (!target.has_filename()) target = target.parent_path();

    options.cancel = InstallInterruptFlag();
    absl::StatusOr<BuildSummary> summary =
        append ? BuildInPlace(target, options) : BuildStaged(target, options);
    if (!summary.ok()) {
      if (IsStrictStop(summary.status())) {
        std::cerr << "inkdex build: " << summary.status().message() << "\n"
                  << "inkdex build: --strict: stopped at the first bad line; "
                  << (append ? "batches before it were applied to " : "nothing was written to ")
                  << target.string() << "\n";
        return kExitFailure;
      }
      return ReportError("build", summary.status());
    }
    PrintSummary(*summary, target.string());
    return kExitOk;
  }

  absl::StatusOr<BuildSummary> BuildStaged(const fs::path& target, BuildOptions& options) {
    auto staged = StagedDirectory::Create(target, force);
    if (!staged.ok()) {
      // Refusing to overwrite is a usage error (exit 2), not a failed build.
      if (absl::IsFailedPrecondition(staged.status())) {
        return absl::InvalidArgumentError(staged.status().message());
      }
      return staged.status();
    }
    IndexOptions index_options = IndexOptionsForBuild();
    // Durability comes from StagedDirectory::Commit's fsync of every file.
    index_options.sync = false;
    // A new index: its text is indexed once at the end, in parallel.
    index_options.defer_search_index = true;
    options.deferred_search_index = true;
    absl::StatusOr<BuildSummary> summary;
    {
      auto index = Index::Open((*staged)->staging_path().string(), index_options);
      if (!index.ok()) return index.status();
      options.version_base = version_base;
      summary = RunBuildFromSource(**index, options);
      if (summary.ok()) summary->held = (*index)->Stats();
      if (summary.ok() && !no_verify) {
        if (absl::Status s = VerifyBuilt(**index); !s.ok()) return s;
      }
    }
    if (!summary.ok()) return summary;
    if (absl::Status s = (*staged)->Commit(); !s.ok()) return s;
    return summary;
  }

  IndexOptions IndexOptionsForBuild() const {
    IndexOptions options;
    options.min_free_disk_bytes = static_cast<uint64_t>(min_free_disk_mb) << 20;
    return options;
  }

  // The staged index is renamed into place only if its two stores agree.
  static absl::Status VerifyBuilt(const Index& index) {
    absl::StatusOr<VerifyReport> report = index.Verify();
    if (!report.ok()) return report.status();
    if (report->ok()) return absl::OkStatus();
    std::string problems;
    for (size_t i = 0; i < report->problems.size() && i < 10; ++i) {
      absl::StrAppend(&problems, "\n  ", report->problems[i]);
    }
    return absl::InternalError(absl::StrCat("the built index failed verification (",
                                            report->problems.size(),
                                            " problems); not installed:", problems));
  }

  absl::StatusOr<BuildSummary> BuildInPlace(const fs::path& target, BuildOptions& options) {
    // Opening a missing index would create an empty one: --append is for
    // an index a build made, and a mistyped path must not start a new one.
    std::error_code error;
    if (!fs::is_directory(target, error) || fs::is_empty(target, error)) {
      return absl::InvalidArgumentError(absl::StrCat("--index ", target.string(),
                                                     ": no index there to --append to",
                                                     " (build a new one without --append)"));
    }
    auto index = Index::Open(target.string(), IndexOptionsForBuild());
    if (!index.ok()) return index.status();
    options.version_base = version_base;
    if (version_base_option->count() == 0) {
      absl::StatusOr<std::optional<std::string>> last = (*index)->GetMetadata(kLastLineVersionKey);
      if (!last.ok()) return last.status();
      if (last->has_value() && !absl::SimpleAtoi(**last, &options.version_base)) {
        return absl::DataLossError(
            absl::StrCat("index metadata ", kLastLineVersionKey, ": not a number: '", **last, "'"));
      }
    }
    absl::StatusOr<BuildSummary> summary = RunBuildFromSource(**index, options);
    if (summary.ok()) summary->held = (*index)->Stats();
    return summary;
  }

  // RunBuild over the --input files, or over a scan of --from-dynamodb. A
  // scan that failed fails the build (so a staged index is not installed),
  // even though the pipeline saw a complete input.
  absl::StatusOr<BuildSummary> RunBuildFromSource(Index& index, BuildOptions& options) {
    if (dynamodb_table.empty()) return RunBuild(index, options);
    DynamoDbScanOptions scan;
    if (mapping) scan.mapping = *mapping;
    scan.table = dynamodb_table;
    scan.endpoint = dynamodb_endpoint;
    scan.segments = segments;
    scan.page_size = scan_page_size;
    scan.cancel = options.cancel;
    absl::StatusOr<std::unique_ptr<DynamoDbScanSource>> source =
        DynamoDbScanSource::Start(scan, std::cerr);
    if (!source.ok()) return source.status();
    std::cerr << absl::StrFormat("inkdex build: scanning %s (about %d items), %d segment(s)\n",
                                 dynamodb_table, (*source)->table().item_count, segments);
    options.inputs = {(*source)->input_path()};
    // Rejects name the item (its key), not the pipe's line: collect, rewrite.
    std::ostream* rejects_file = options.rejects_out;
    std::ostringstream rejects_buffer;
    if (rejects_file != nullptr) options.rejects_out = &rejects_buffer;
    absl::StatusOr<BuildSummary> summary = RunBuild(index, options);
    absl::Status scanned = (*source)->Finish();
    if (rejects_file != nullptr) {
      std::istringstream lines(rejects_buffer.str());
      for (std::string line; std::getline(lines, line);) {
        *rejects_file << (*source)->RewriteLocation(line) << "\n";
      }
    }
    if (!summary.ok()) {
      absl::Status rewritten(summary.status().code(),
                             (*source)->RewriteLocation(std::string(summary.status().message())));
      summary.status().ForEachPayload([&](absl::string_view type, const absl::Cord& payload) {
        rewritten.SetPayload(type, payload);
      });
      return rewritten;
    }
    if (!scanned.ok()) return scanned;
    for (std::string& message : summary->first_rejects) {
      message = (*source)->RewriteLocation(message);
    }
    for (std::string& message : summary->first_warnings) {
      message = (*source)->RewriteLocation(message);
    }
    scan_tally = (*source)->tally();
    summary->warnings += scan_tally->warnings;
    for (const std::string& warning : scan_tally->first_warnings) {
      if (summary->first_warnings.size() >= options.max_listed) break;
      summary->first_warnings.push_back(warning);
    }
    summary->other_items += scan_tally->other_items;
    for (const auto& [type, count] : scan_tally->other_item_types) {
      summary->other_item_types[type] += count;
    }
    return summary;
  }

  void PrintSummary(const BuildSummary& s, const std::string& target) const {
    double rate = s.seconds > 0 ? s.applied / s.seconds : 0;
    std::cout << absl::StrFormat("inkdex build: %d artists in %s, %d searchable (%d %s applied)\n",
                                 s.held.documents, target, s.held.searchable, s.applied,
                                 s.applied == 1 ? "record" : "records");
    if (scan_tally) {
      const DynamoDbScanTally& t = *scan_tally;
      std::cout
          << absl::StrFormat(
                 "  items scanned:     %d from table %s (%d segment(s), %d page(s), %.1f MB)\n",
                 t.items, dynamodb_table, segments, t.pages, t.bytes / 1e6)
          << absl::StrFormat(
                 "  requests:          %d HTTP (%d retried: %d throttled, %d 5xx, "
                 "%d network errors)\n",
                 t.requests.attempts, t.requests.retries, t.requests.throttled,
                 t.requests.server_errors, t.requests.network_errors);
    } else {
      std::cout << absl::StrFormat("  lines read:        %d (%d blank) from %d file(s), %.1f MB\n",
                                   s.lines, s.blank_lines, inputs.size(), s.bytes_read / 1e6);
    }
    std::cout << absl::StrFormat(
                     "  records applied:   %d (each stored as its artist's newest version)\n",
                     s.applied)
              << absl::StrFormat(
                     "  artists in index:  %d (%d searchable, %d opted out or inactive%s)\n",
                     s.held.documents, s.held.searchable, s.held.documents - s.held.searchable,
                     s.held.tombstones == 0
                         ? ""
                         : absl::StrCat("; ", s.held.tombstones, " deleted, kept as tombstones"))
              << absl::StrFormat("  %s rejected:    %d\n", scan_tally ? "items" : "lines",
                                 s.rejected);
    PrintExamples(s.first_rejects, s.rejected,
                  rejects_path.empty() ? "pass --rejects FILE to list them all"
                                       : "all of them are in " + rejects_path);
    if (s.other_items > 0) {
      std::vector<std::string> types;
      for (const auto& [type, count] : s.other_item_types) {
        types.push_back(absl::StrCat(type, " ", count));
      }
      std::cout << absl::StrFormat("  other items:       %d skipped (not artist profiles: %s)\n",
                                   s.other_items, absl::StrJoin(types, ", "));
    }
    std::cout << absl::StrFormat("  warnings:          %d\n", s.warnings);
    PrintExamples(s.first_warnings, s.warnings, "");
    std::cout << absl::StrFormat("  stale:             %d (not newer than the version stored)\n",
                                 s.stale)
              << absl::StrFormat(
                     "  duplicate ids:     %d (an earlier line had the id; the higher version "
                     "wins)\n",
                     s.duplicate_ids)
              << absl::StrFormat("  last line version: %d\n", s.last_line_version)
              << (append || no_verify ? ""
                                      : "  verified:          yes (store and search index agree)\n")
              << absl::StrFormat("  elapsed:           %.2f s (%.0f records/s)\n", s.seconds, rate);
  }

  static void PrintExamples(const std::vector<std::string>& examples, uint64_t total,
                            const std::string& more_hint) {
    for (const std::string& example : examples) std::cout << "      " << example << "\n";
    if (total > examples.size()) {
      std::cout << "      ... and " << total - examples.size() << " more"
                << (more_hint.empty() ? "" : "; " + more_hint) << "\n";
    }
  }
};

}  // namespace

Command AddBuildCommand(CLI::App& parent) {
  auto command = std::make_shared<BuildCommand>();
  CLI::App* app = parent.add_subcommand("build", "Build an index from JSON Lines or DynamoDB JSON");
  app->footer(kBuildHelp);
  auto* input =
      app->add_option("--input,-i", command->inputs, "Input files (\"-\" = stdin), in order")
          ->type_name("FILE");
  auto* table = app->add_option("--from-dynamodb", command->dynamodb_table,
                                "Build from a parallel Scan of this DynamoDB table instead")
                    ->type_name("TABLE");
  input->excludes(table);
  app->add_option("--dynamodb-endpoint", command->dynamodb_endpoint,
                  "DynamoDB endpoint URL (DynamoDB Local), instead of the region's")
      ->type_name("URL")
      ->needs(table);
  app->add_option("--segments", command->segments,
                  "Parallel Scan segments, one thread each (default 4)")
      ->check(CLI::Range(1, 1000))
      ->needs(table);
  app->add_option("--mapping", command->mapping_path,
                  "DynamoDB item mapping file (which items are artists, attribute -> field)")
      ->type_name("FILE")
      ->needs(table);
  app->add_option("--scan-page-size", command->scan_page_size,
                  "Items per Scan page (Limit; default: DynamoDB's 1 MB pages)")
      ->check(CLI::Range(1, 1000000))
      ->needs(table);
  AddIndexOption(*app, &command->index_dir);
  app->add_flag("--strict", command->strict,
                "Stop at the first bad line (exit 1; --index untouched, but with --append the "
                "batches before that line stay applied)");
  app->add_option("--batch-size", command->batch_size, "Changes per commit (default 10000)")
      ->check(CLI::Range(1, 1000000));
  app->add_option("--min-free-disk-mb", command->min_free_disk_mb,
                  absl::StrCat("Stop (exit 1, the target untouched) when a commit would leave "
                               "less than this free on the index's volume (default ",
                               kDefaultMinFreeDiskBytes >> 20, "; 0: no check)"))
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 30));
  app->add_option("--order-window", command->order_window,
                  "Records held and sorted by location before indexing, which makes geo and "
                  "text searches faster (default 1000000, ~500 bytes of memory each; 0: input "
                  "order)");
  app->add_option("--threads", command->threads, "Parser threads (default: all cores)")
      ->check(CLI::Range(1, 1024));
  app->add_option("--rejects", command->rejects_path,
                  "Write every rejected line as FILE:LINE: reason to this file");
  auto* force =
      app->add_flag("--force", command->force,
                    "Replace the index at --index (atomically, on success); a non-empty directory "
                    "that holds no index is never replaced");
  auto* append = app->add_flag("--append", command->append,
                               "Apply into an existing index in place instead of a new one (a "
                               "missing --index is an error)");
  force->excludes(append);
  app->add_option("--format", command->format, "Input format: auto (default), json, dynamodb")
      ->check(CLI::IsMember({"auto", "json", "dynamodb"}));
  command->version_base_option = app->add_option(
      "--version-base", command->version_base,
      "Records without a version get this + their line position (default 0; with --append, "
      "the last line version of the previous build)");
  app->add_option("--progress", command->progress,
                  "auto (a bar on a terminal, else a line every 5 s), bar, log, off")
      ->check(CLI::IsMember({"auto", "bar", "log", "off"}));
  app->add_option("--progress-every", command->progress_every_s,
                  "Seconds between progress lines in log mode (default 5)")
      ->check(CLI::Range(0.001, 86400.0));
  app->add_flag("--no-verify", command->no_verify,
                "Skip checking the new index (Index::Verify) before renaming it into place");
  app->add_option("--max-listed", command->max_listed,
                  "Rejected lines and warnings listed in the summary (default 10)");
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
