// `inkdex synth`: synthetic artist records (tools/synth) as JSON Lines, for
// demos, tests and benchmarks. Deterministic: equal flags give equal bytes.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <thread>

#include "absl/strings/str_format.h"
#include "cli_common.h"
#include "synth/synth.h"

namespace inkdex::cli {

namespace {

struct SynthCommand {
  synth::SynthOptions options;
  std::string out;
  bool quiet = false;

  int Run() {
    if (absl::Status s = synth::ValidateOptions(options); !s.ok()) return ReportError("synth", s);
    synth::ProgressCallback progress;
    if (!quiet && out != "-" && isatty(STDERR_FILENO)) {
      progress = [](uint64_t written, uint64_t total) {
        std::fprintf(stderr, "\rinkdex synth: %llu / %llu artists\x1b[K",
                     static_cast<unsigned long long>(written),
                     static_cast<unsigned long long>(total));
      };
    }
    absl::Status status = synth::WriteArtistsToFile(options, out, progress);
    if (progress) std::fprintf(stderr, "\r\x1b[K");
    if (!status.ok()) return ReportError("synth", status);
    if (!quiet && out != "-") {
      std::fprintf(stderr, "inkdex synth: wrote %llu artists to %s\n",
                   static_cast<unsigned long long>(options.count), out.c_str());
    }
    return kExitOk;
  }
};

}  // namespace

Command AddSynthCommand(CLI::App& parent) {
  auto command = std::make_shared<SynthCommand>();
  synth::SynthOptions& o = command->options;
  o.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App* app = parent.add_subcommand("synth", "Generate synthetic artist records (JSON Lines)");
  app->footer(
      "Records follow the data model (artistId, artistName, latitude, longitude, styles, ...), "
      "placed in real cities. The output depends only on the flags (not on --threads).\n"
      "--messy adds realistic faults (style aliases, old field names, bad coordinates, broken "
      "lines, duplicate ids) to a fraction of the records, for testing `inkdex build`.");
  app->add_option("--count,-n", o.count, "Number of artists")
      ->required()
      ->check(CLI::Validator(
          [](const std::string& value) {
            return !value.empty() && value.find_first_not_of("0123456789") == std::string::npos
                       ? std::string()
                       : "must be a whole number >= 0, got " + value;
          },
          "N", "whole number"));
  app->add_option("--seed", o.seed, "Random seed (default 42)");
  app->add_option("--out,-o", command->out, "Output file; \"-\" = stdout; a .gz suffix = gzip")
      ->required()
      ->type_name("FILE");
  app->add_flag("--messy", o.messy, "Add realistic faults to some records");
  app->add_option("--messy-fraction", o.messy_fraction,
                  "With --messy, the fraction of records with a fault (default 0.10)");
  app->add_option(
      "--today", o.today,
      "The YYYY-MM-DD the data is as of (availability, guest spots; default " + o.today + ")");
  app->add_option("--id-offset", o.id_offset,
                  "First artist number, to generate non-overlapping parts (default 0)");
  app->add_option("--threads", o.threads, "Generator threads (default: all cores)");
  app->add_flag("--quiet,-q", command->quiet, "No progress or final message on stderr");
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
