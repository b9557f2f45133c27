// Shared pieces of the inkdex command-line tool: the command registry each
// cmd_*.cc plugs into, exit codes, error reporting and opening an existing
// index.
//
// Exit codes (every command): 0 success; 1 a failure (I/O, NOT_FOUND, a
// failed build or verify); 2 a usage error or an argument the library
// rejected (INVALID_ARGUMENT). Errors go to stderr as
// "inkdex <command>: <message>".
//
// Thread safety: the functions here are called from the main thread only.
#ifndef INKDEX_TOOLS_INKDEX_CLI_COMMON_H_
#define INKDEX_TOOLS_INKDEX_CLI_COMMON_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "inkdex/index.h"

namespace inkdex::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// A registered subcommand: `app` is its CLI11 subcommand (owned by the
// parent app), `run` runs it after parsing and returns the exit code. `run`
// owns the flag values CLI11 writes into while parsing.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Each registers one subcommand with its flags on `parent`.
Command AddSynthCommand(CLI::App& parent);
Command AddBuildCommand(CLI::App& parent);
Command AddSearchCommand(CLI::App& parent);
Command AddGetCommand(CLI::App& parent);
Command AddExportCommand(CLI::App& parent);
Command AddSuggestCommand(CLI::App& parent);
Command AddStatsCommand(CLI::App& parent);
Command AddVerifyCommand(CLI::App& parent);
Command AddRepairCommand(CLI::App& parent);
Command AddPurgeCommand(CLI::App& parent);

// Prints Index::Verify's report ("ok: ..." or the problems, one a line) to
// stdout; kExitOk when store and search index agree, else kExitFailure.
int PrintVerifyReport(const VerifyReport& report);
Command AddUpsertCommand(CLI::App& parent);  // needs --server
Command AddDeleteCommand(CLI::App& parent);  // needs --server

// kExitUsage for INVALID_ARGUMENT (and OUT_OF_RANGE), else kExitFailure.
int ExitCodeFor(const absl::Status& status);

// Prints "inkdex <command>: <status message>" to stderr; returns
// ExitCodeFor(status). REQUIRES: !status.ok().
int ReportError(std::string_view command, const absl::Status& status);

// A request field and the flag that sets it: {"point.lat", "--lat"}.
struct FieldFlag {
  absl::string_view field;
  absl::string_view flag;
};

// `status` with its leading field ("min_rating: must be ...", as the
// library and the server word a refused request) renamed to the flag that
// set it ("--min-rating: must be ..."), so that a CLI user reads the names
// they typed. A field matches an entry exactly or as its prefix followed by
// '.' or '[' ("styles[0]" is "--style", "bbox.north" is "--bbox north");
// the longest entry wins. Anything
// else, and any status but INVALID_ARGUMENT, comes back unchanged.
absl::Status InFlagTerms(const absl::Status& status, absl::Span<const FieldFlag> names);

// INVALID_ARGUMENT "<flag>: is not valid UTF-8" unless `value` is UTF-8:
// text sent to a server must be (proto3 strings), so both the local and
// the --server path check it before anything else, alike.
absl::Status CheckUtf8Flag(absl::string_view flag, absl::string_view value);

// Prints "inkdex <command>: <message>" to stderr; returns kExitUsage.
int ReportUsageError(std::string_view command, std::string_view message);

// Whether the command can ask a running inkdex-server instead (--server).
enum class ServerAlternative : bool { kNone, kServerFlag };

// Opens the index at `dir` for a reading command: never creates one, and a
// directory without an index is an error naming --index. `options` may ask
// for more (create_if_missing and error_if_missing are set here). An index
// another process holds (an inkdex-server, a build) is FAILED_PRECONDITION
// with what to do instead: stop that process, or, with kServerFlag, ask the
// server with --server.
absl::StatusOr<std::unique_ptr<Index>> OpenExistingIndex(
    const std::string& dir, IndexOptions options = {},
    ServerAlternative alternative = ServerAlternative::kNone);

// Makes SIGINT and SIGTERM set the returned flag instead of ending the
// process, so that a long command (build, verify --against-dynamodb) stops
// at its next check and removes what it made; a second signal ends the
// process at once. The flag lives for the whole process; calling this again
// returns the same flag.
const std::atomic<bool>* InstallInterruptFlag();

// Adds the --index DIR option every command but synth takes.
CLI::Option* AddIndexOption(CLI::App& command, std::string* dir);

}  // namespace inkdex::cli

#endif  // INKDEX_TOOLS_INKDEX_CLI_COMMON_H_
