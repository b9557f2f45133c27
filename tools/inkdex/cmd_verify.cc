// `inkdex verify`: cross-checks the document store against the search index,
// of an index on disk (--index) or of the one a server serves (--server,
// Admin.VerifyIndex, with the write token); with --against-dynamodb TABLE,
// compares an index on disk with the artists of a DynamoDB table instead
// (table_compare.h).
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"

#include "cli_common.h"
#include "server_client.h"
#include "table_compare.h"

namespace inkdex::cli {

namespace {

struct VerifyCommand {
  IndexOrServerFlags source;
  bool deep = false;
  TableCompareOptions table;
  std::string mapping_path;

  int Run() {
    if (absl::Status s = CheckIndexOrServer(source); !s.ok()) return ReportError("verify", s);
    if (!table.table.empty()) return RunAgainstTable();
    if (source.server.given()) return RunOnServer();
    auto index = OpenExistingIndex(source.index_dir, {}, ServerAlternative::kServerFlag);
    if (!index.ok()) return ReportError("verify", index.status());
    VerifyOptions options;
    options.check_postings = deep;
    absl::StatusOr<VerifyReport> report = (*index)->Verify(options);
    if (!report.ok()) return ReportError("verify", report.status());
    return PrintVerifyReport(*report);
  }

  int RunAgainstTable() {
    if (source.server.given()) {
      return ReportUsageError("verify",
                              "--against-dynamodb compares an index on disk: give --index DIR "
                              "(of a stopped server, or a copy), not --server");
    }
    if (deep)
      return ReportUsageError("verify", "--deep and --against-dynamodb are separate checks");
    if (!mapping_path.empty()) {
      absl::StatusOr<stream::ItemMapping> loaded = stream::LoadItemMapping(mapping_path);
      if (!loaded.ok()) {
        return ReportUsageError("verify", absl::StrCat("--mapping ", loaded.status().message()));
      }
      table.mapping = *std::move(loaded);
    }
    // --server is refused above: an index another process holds must be
    // copied or the process stopped, so the error does not offer --server.
    auto index = OpenExistingIndex(source.index_dir, {}, ServerAlternative::kNone);
    if (!index.ok()) return ReportError("verify", index.status());
    table.cancel = InstallInterruptFlag();
    absl::StatusOr<TableComparison> compared = CompareWithTable(**index, table, std::cerr);
    if (!compared.ok()) return ReportError("verify", compared.status());
    return PrintTableComparison(*compared);
  }

  int PrintTableComparison(const TableComparison& c) const {
    std::cout << "table " << table.table << ": " << c.scan.items << " items scanned, "
              << c.table_artists << " artists";
    if (c.scan.rejected > 0) {
      std::cout << ", " << c.scan.rejected
                << (c.scan.rejected == 1 ? " artist item rejected" : " artist items rejected");
    }
    std::cout << "\nindex " << source.index_dir << ": " << c.index_artists << " artists\n";
    auto list = [](const char* what, uint64_t count, const std::vector<std::string>& first) {
      if (count == 0) return;
      std::cout << what << ": " << count << "\n";
      for (const std::string& line : first) std::cout << "  " << line << "\n";
      if (count > first.size()) std::cout << "  ... and " << count - first.size() << " more\n";
    };
    if (c.Equal()) {
      std::cout << "ok: the index holds exactly the table's " << c.equal << " artists\n";
      return kExitOk;
    }
    std::cout << "equal: " << c.equal << "\n";
    list("different", c.different, c.first_different);
    list("missing from the index", c.missing, c.first_missing);
    list("only in the index", c.only_in_index, c.first_only_in_index);
    std::cout << "the index differs from the table (writes to the table during the scan differ "
                 "too: run again to confirm)\n";
    return kExitFailure;
  }

  int RunOnServer() const {
    auto client = ServerClient::Connect(source.server);
    if (!client.ok()) return ReportError("verify", client.status());
    absl::StatusOr<v1::VerifyIndexResponse> verified = (*client)->VerifyIndex(deep);
    if (!verified.ok()) return ReportError("verify", verified.status());
    if (deep && verified->postings_checked() == 0 && verified->searchable_checked() > 0) {
      // A server older than check_postings ignores it: say so rather than
      // print a shallow check as a deep one.
      return ReportError("verify",
                         absl::FailedPreconditionError(absl::StrCat(
                             "--deep: the server at ", source.server.address,
                             " checked no postings (it predates VerifyIndex's check_postings); "
                             "its index was checked without --deep")));
    }
    VerifyReport report;
    report.commit_seq = verified->commit_seq();
    report.documents_checked = verified->documents_checked();
    report.tombstones_checked = verified->tombstones_checked();
    report.searchable_checked = verified->searchable_checked();
    report.postings_checked = verified->postings_checked();
    report.problems.assign(verified->problems().begin(), verified->problems().end());
    std::cout << "server " << source.server.address << ": index " << verified->index_directory()
              << " (generation " << verified->index_generation() << ")\n";
    return PrintVerifyReport(report);
  }
};

// "2 documents (1 searchable) and 1 tombstone", counted as `stats` counts.
std::string Checked(const VerifyReport& report) {
  const uint64_t documents = report.documents_checked - report.tombstones_checked;
  std::string out = absl::StrCat(documents, documents == 1 ? " document" : " documents", " (",
                                 report.searchable_checked, " searchable)");
  if (report.tombstones_checked > 0) {
    absl::StrAppend(&out, " and ", report.tombstones_checked,
                    report.tombstones_checked == 1 ? " tombstone" : " tombstones");
  }
  if (report.postings_checked > 0) {
    absl::StrAppend(&out, ", ", report.postings_checked,
                    report.postings_checked == 1 ? " posting" : " postings");
  }
  return out;
}

}  // namespace

int PrintVerifyReport(const VerifyReport& report) {
  if (report.ok()) {
    std::cout << "ok: " << Checked(report) << " checked at commit " << report.commit_seq
              << "; store and search index agree\n";
    return kExitOk;
  }
  std::cout << report.problems.size() << " problem(s) in " << Checked(report)
            << " checked at commit " << report.commit_seq << ":\n";
  for (const std::string& problem : report.problems) std::cout << "  " << problem << "\n";
  return kExitFailure;
}

Command AddVerifyCommand(CLI::App& parent) {
  auto command = std::make_shared<VerifyCommand>();
  CLI::App* app =
      parent.add_subcommand("verify", "Check that the document store and the search index agree");
  app->footer(
      "--index DIR checks an index on disk (no server may have it open); --server HOST:PORT "
      "asks a running inkdex-server to check the index it serves (Admin.VerifyIndex, with the "
      "write token): one commit is checked, so the server's writes wait while it runs (~3-4 s "
      "per 1,000,000 artists, ~25 s more with --deep; searches go on).\n"
      "--against-dynamodb TABLE instead compares an index on disk with a DynamoDB table, "
      "artist by artist (hidden ones too; versions aside): the table is scanned as "
      "inkdex-server bootstraps from it (--mapping as the server's), into a scratch index that "
      "is removed afterwards (also on Ctrl-C or SIGTERM), and the artists that differ, are "
      "missing from the index or are only in it are listed. Where an artist came from is not "
      "compared: versions, stream sequences and source ranks aside, an index built from JSON "
      "Lines equals one fed by the table's stream. A table written during the scan differs for "
      "those writes too.\n"
      "Exit codes: 0 consistent (or equal to the table); 1 problems or differences found "
      "(listed), or the index or table cannot be read; 2 bad flags.");
  app->add_flag("--deep", command->deep,
                "Also rebuild every searchable artist's search document from its stored record "
                "and check the search index's posting lists against it (the default check "
                "compares a content hash per document, which a damaged posting list does not "
                "change; ~25 s more per 1,000,000 artists)");
  auto* table = app->add_option("--against-dynamodb", command->table.table,
                                "Instead: compare the index (--index) with the artists of this "
                                "DynamoDB table, artist by artist")
                    ->type_name("TABLE");
  app->add_option("--dynamodb-endpoint", command->table.endpoint,
                  "DynamoDB endpoint URL (DynamoDB Local), instead of the region's")
      ->type_name("URL")
      ->needs(table);
  app->add_option("--segments", command->table.segments,
                  "Parallel Scan segments, one thread each (default 4)")
      ->check(CLI::Range(1, 1000))
      ->needs(table);
  app->add_option("--scan-page-size", command->table.page_size,
                  "Items per Scan page (Limit; default: DynamoDB's 1 MB pages)")
      ->check(CLI::Range(1, 1000000))
      ->needs(table);
  app->add_option("--mapping", command->mapping_path,
                  "DynamoDB item mapping file, as the server's --mapping")
      ->type_name("FILE")
      ->needs(table);
  app->add_option("--scratch-dir", command->table.scratch_parent,
                  "Where the table's scratch index is built and removed (default $TMPDIR or "
                  "/tmp; it takes about what `inkdex build --from-dynamodb` would)")
      ->type_name("DIR")
      ->needs(table);
  app->add_option("--list", command->table.max_listed,
                  "Artists listed per kind of difference (default 10)")
      ->check(CLI::Range(0, 100000))
      ->needs(table);
  command->source.server.timeout_ms = kWholeIndexTimeoutMs;
  AddIndexOrServerFlags(*app, command->source, Access::kWrite);
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
