// `inkdex get`: stored artists by id, one data-model JSON line each (the same
// shape `inkdex build` reads), from a local index or a running inkdex-server.
#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "inkdex/record.h"
#include "server_client.h"

namespace inkdex::cli {

namespace {

struct GetCommand {
  IndexOrServerFlags source;
  std::vector<std::string> ids;
  bool include_hidden = false;

  // Prints every artist found; an unknown id is reported and makes the exit
  // code 1, but the other ids are still printed.
  int Run() const {
    if (absl::Status s = CheckIndexOrServer(source); !s.ok()) return ReportError("get", s);
    if (source.server.given()) {
      auto client = ServerClient::Connect(source.server);
      if (!client.ok()) return ReportError("get", client.status());
      return PrintAll([&](const std::string& id) { return (*client)->GetArtist(id); });
    }
    auto index = OpenExistingIndex(source.index_dir, {}, ServerAlternative::kServerFlag);
    if (!index.ok()) return ReportError("get", index.status());
    return PrintAll([&](const std::string& id) { return (*index)->Get(id, include_hidden); });
  }

  int PrintAll(const std::function<absl::StatusOr<Artist>(const std::string&)>& get) const {
    int exit_code = kExitOk;
    for (const std::string& id : ids) {
      absl::StatusOr<Artist> artist = get(id);
      if (!artist.ok()) {
        std::cerr << "inkdex get: " << id << ": " << artist.status().message() << "\n";
        exit_code = std::max(exit_code, ExitCodeFor(artist.status()));
        // The server is gone or too slow: the other ids would fail the same way.
        if (absl::IsUnavailable(artist.status()) || absl::IsDeadlineExceeded(artist.status()) ||
            absl::IsUnauthenticated(artist.status()) || absl::IsPermissionDenied(artist.status())) {
          break;
        }
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
      "is reported on stderr and the exit code is 1.\n"
      "--server HOST:PORT asks a running inkdex-server (GetArtist) instead of opening --index; "
      "the output is the same.");
  AddIndexOrServerFlags(*app, command->source);
  app->add_option("ids", command->ids, "Artist ids")->required()->type_name("ID");
  // The server never returns hidden artists.
  app->add_flag("--include-hidden", command->include_hidden,
                "Also print hidden artists: opted out or inactive (--index only)")
      ->excludes(command->source.server.server_option);
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
