// `inkdex verify`: cross-checks the document store against the search index,
// of an index on disk (--index) or of the one a server serves (--server,
// Admin.VerifyIndex, with the write token).
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"

#include "cli_common.h"
#include "server_client.h"

namespace inkdex::cli {

namespace {

struct VerifyCommand {
  IndexOrServerFlags source;
  bool deep = false;

  int Run() const {
    if (absl::Status s = CheckIndexOrServer(source); !s.ok()) return ReportError("verify", s);
    if (source.server.given()) return RunOnServer();
    auto index = OpenExistingIndex(source.index_dir, {}, ServerAlternative::kServerFlag);
    if (!index.ok()) return ReportError("verify", index.status());
    VerifyOptions options;
    options.check_postings = deep;
    absl::StatusOr<VerifyReport> report = (*index)->Verify(options);
    if (!report.ok()) return ReportError("verify", report.status());
    return PrintVerifyReport(*report);
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
      "Exit codes: 0 consistent; 1 problems found (listed) or the index cannot be read; 2 bad "
      "flags.");
  app->add_flag("--deep", command->deep,
                "Also rebuild every searchable artist's search document from its stored record "
                "and check the search index's posting lists against it (the default check "
                "compares a content hash per document, which a damaged posting list does not "
                "change; ~25 s more per 1,000,000 artists)");
  command->source.server.timeout_ms = kWholeIndexTimeoutMs;
  AddIndexOrServerFlags(*app, command->source, Access::kWrite);
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
