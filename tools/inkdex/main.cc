// inkdex: the command-line tool for building and querying inkdex indexes.
// Each command lives in its own cmd_*.cc; this file wires them into one CLI11
// app, maps parse errors to exit code 2, and runs the chosen command.
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli_common.h"

namespace {

constexpr char kDescription[] =
    "inkdex: find tattoo artists by place and style.\n\n"
    "Typical use:\n"
    "  inkdex synth --count 100000 --seed 42 --out artists.jsonl\n"
    "  inkdex build --input artists.jsonl --index ./index\n"
    "  inkdex search --index ./index --lat 53.7997 --lon -1.5492 --radius-km 5 --style fineline\n"
    "\nAgainst a running inkdex-server (search, get, suggest and stats take --server instead of "
    "--index; upsert and delete need the server's write token):\n"
    "  inkdex search --server 127.0.0.1:50051 --lat 53.7997 --lon -1.5492 --style fineline\n"
    "  inkdex upsert --server 127.0.0.1:50051 --token-file write.token --input changes.jsonl\n"
    "  inkdex delete --server 127.0.0.1:50051 --token-file write.token ARTIST_ID...\n"
    "\nRun `inkdex help COMMAND` or `inkdex COMMAND --help` for a command's flags.";

}  // namespace

int main(int argc, char** argv) {
  using namespace inkdex::cli;
  CLI::App app(kDescription, "inkdex");
  app.set_version_flag("--version", std::string("inkdex ") + INKDEX_VERSION_STRING);
  app.require_subcommand(0, 1);

  const std::vector<Command> commands = {
      AddSynthCommand(app),  AddBuildCommand(app),   AddSearchCommand(app), AddGetCommand(app),
      AddExportCommand(app), AddSuggestCommand(app), AddStatsCommand(app),  AddVerifyCommand(app),
      AddRepairCommand(app), AddUpsertCommand(app),  AddDeleteCommand(app), AddPurgeCommand(app),
  };
  std::string help_topic;
  CLI::App* help = app.add_subcommand("help", "Show help for inkdex or for one command");
  help->add_option("command", help_topic, "The command to explain");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help or version (code 0), or the error with a hint
    return code == 0 ? kExitOk : kExitUsage;
  }

  for (const Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  // App::help() would describe the parsed `help` subcommand itself.
  std::string top_help = app.get_formatter()->make_help(&app, "inkdex", CLI::AppFormatMode::Normal);
  if (!help->parsed()) {
    std::cerr << top_help;
    return kExitUsage;
  }
  if (help_topic.empty()) {
    std::cout << top_help;
    return kExitOk;
  }
  for (const Command& command : commands) {
    if (command.app->get_name() == help_topic) {
      std::cout << command.app->help("inkdex");
      return kExitOk;
    }
  }
  return ReportUsageError("help", "unknown command '" + help_topic + "'");
}
