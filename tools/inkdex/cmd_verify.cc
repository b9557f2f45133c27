// `inkdex verify`: cross-checks the document store against the search index.
#include <iostream>
#include <memory>

#include "cli_common.h"

namespace inkdex::cli {

namespace {

struct VerifyCommand {
  std::string index_dir;

  int Run() const {
    auto index = OpenExistingIndex(index_dir);
    if (!index.ok()) return ReportError("verify", index.status());
    absl::StatusOr<VerifyReport> report = (*index)->Verify();
    if (!report.ok()) return ReportError("verify", report.status());
    return PrintVerifyReport(*report);
  }
};

}  // namespace

int PrintVerifyReport(const VerifyReport& report) {
  if (report.ok()) {
    std::cout << "ok: " << report.documents_checked
              << " documents checked; store and search index agree\n";
    return kExitOk;
  }
  std::cout << report.problems.size() << " problem(s) in " << report.documents_checked
            << " documents checked:\n";
  for (const std::string& problem : report.problems) std::cout << "  " << problem << "\n";
  return kExitFailure;
}

Command AddVerifyCommand(CLI::App& parent) {
  auto command = std::make_shared<VerifyCommand>();
  CLI::App* app =
      parent.add_subcommand("verify", "Check that the document store and the search index agree");
  app->footer("Exit codes: 0 consistent; 1 problems found (listed) or the index cannot be read.");
  AddIndexOption(*app, &command->index_dir);
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
