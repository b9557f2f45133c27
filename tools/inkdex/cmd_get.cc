// `inkdex get`: stored artists by id, one data-model JSON line each (the same
// shape `inkdex build` reads).
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "inkdex/record.h"

namespace inkdex::cli {

namespace {

struct GetCommand {
  std::string index_dir;
  std::vector<std::string> ids;
  bool include_hidden = false;

  // Prints every artist found; an unknown id is reported and makes the exit
  // code 1, but the other ids are still printed.
  int Run() const {
    auto index = OpenExistingIndex(index_dir);
    if (!index.ok()) return ReportError("get", index.status());
    int exit_code = kExitOk;
    for (const std::string& id : ids) {
      absl::StatusOr<Artist> artist = (*index)->Get(id, include_hidden);
      if (!artist.ok()) {
        std::cerr << "inkdex get: " << id << ": " << artist.status().message() << "\n";
        exit_code = std::max(exit_code, ExitCodeFor(artist.status()));
        continue;
      }
      std::cout << ArtistToJson(*artist) << "\n";
    }
    return exit_code;
  }
};

}  // namespace

Command AddGetCommand(CLI::App& parent) {
  auto command = std::make_shared<GetCommand>();
  CLI::App* app = parent.add_subcommand("get", "Print stored artists as JSON, by id");
  app->footer(
      "Prints one JSON line per artist (data-model field names plus \"version\"). An unknown id "
      "is reported on stderr and the exit code is 1.");
  AddIndexOption(*app, &command->index_dir);
  app->add_option("ids", command->ids, "Artist ids")->required()->type_name("ID");
  app->add_flag("--include-hidden", command->include_hidden, "Also print artists who opted out");
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
