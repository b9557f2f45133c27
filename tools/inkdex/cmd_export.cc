// `inkdex export`: every stored artist as JSON Lines, in id order, in the
// data-model shape `inkdex build` reads (with "version", or "streamSequence"
// for a change that came from a DynamoDB stream): a copy of an index's
// documents that another index is built from, by this inkdex or a newer one,
// or that other tools read. From an index on disk (--index) or from a
// running server (--server: Admin.ExportArtists, the same lines).
//
// --out FILE is written under a temporary name beside FILE, synced, and
// renamed over FILE only once complete, so a failed export never leaves a
// file that looks whole.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "cli_common.h"
#include "inkdex/record.h"
#include "server_client.h"

namespace inkdex::cli {

namespace {

namespace fs = std::filesystem;

// A file written through stdio, its errors kept as a Status naming the path.
class ExportFile {
 public:
  // Creates `path`; errors and messages name `name` (what the user gave).
  static absl::StatusOr<std::unique_ptr<ExportFile>> Open(const std::string& path,
                                                          const std::string& name) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("--out: cannot create '", name, "': ", std::strerror(errno)));
    }
    return std::unique_ptr<ExportFile>(new ExportFile(name, f));
  }
  ~ExportFile() {
    if (file_ != nullptr) std::fclose(file_);
  }

  absl::Status Write(const std::string& line) {
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
        std::fputc('\n', file_) == EOF) {
      return Failed("write");
    }
    return absl::OkStatus();
  }

  // Flushes, syncs and closes.
  absl::Status Close() {
    if (std::fflush(file_) != 0) return Failed("write");
    if (::fsync(::fileno(file_)) != 0) return Failed("sync");
    FILE* f = file_;
    file_ = nullptr;
    if (std::fclose(f) != 0) return Failed("close");
    return absl::OkStatus();
  }

 private:
  ExportFile(std::string path, FILE* file) : path_(std::move(path)), file_(file) {}
  absl::Status Failed(const char* what) const {
    return absl::InternalError(
        absl::StrCat("--out: cannot ", what, " '", path_, "': ", std::strerror(errno)));
  }

  std::string path_;
  FILE* file_;
};

using ArtistSink = std::function<absl::Status(const Artist&)>;

struct ExportCommand {
  IndexOrServerFlags source;
  std::string out = "-";
  bool searchable_only = false;

  int Run() const {
    if (absl::Status s = CheckIndexOrServer(source); !s.ok()) return ReportError("export", s);
    if (source.server.given()) {
      auto client = ServerClient::Connect(source.server);
      if (!client.ok()) return ReportError("export", client.status());
      return Export(
          [&](const ArtistSink& sink) { return (*client)->ExportArtists(searchable_only, sink); },
          [](uint64_t) { return std::string(); });
    }
    auto index = OpenExistingIndex(source.index_dir, {}, ServerAlternative::kServerFlag);
    if (!index.ok()) return ReportError("export", index.status());
    // The index is this process's alone (OpenExistingIndex), so what is
    // exported beyond its searchable artists is the hidden ones.
    const uint64_t searchable = (*index)->Stats().searchable;
    return Export(
        [&](const ArtistSink& sink) {
          return (*index)->ForEachArtist(sink, /*include_hidden=*/!searchable_only);
        },
        [&](uint64_t artists) {
          return searchable_only ? std::string()
                                 : absl::StrCat(" (", artists - searchable, " of them hidden)");
        });
  }

  // Writes what `for_each` yields to --out; `detail` says more of the count
  // in the summary line.
  int Export(const std::function<absl::Status(const ArtistSink&)>& for_each,
             const std::function<std::string(uint64_t)>& detail) const {
    const bool to_stdout = out == "-";
    const std::string temp = absl::StrCat(out, ".inkdex-export-", ::getpid());
    std::unique_ptr<ExportFile> file;
    if (!to_stdout) {
      absl::StatusOr<std::unique_ptr<ExportFile>> opened = ExportFile::Open(temp, out);
      if (!opened.ok()) return ReportError("export", opened.status());
      file = *std::move(opened);
    }
    uint64_t artists = 0;
    absl::Status status = for_each([&](const Artist& artist) -> absl::Status {
      ++artists;
      const std::string line = ArtistToJson(artist);
      if (file != nullptr) return file->Write(line);
      std::cout << line << '\n';
      if (!std::cout) return absl::InternalError("stdout: write failed");
      return absl::OkStatus();
    });
    if (status.ok() && file != nullptr) status = file->Close();
    if (status.ok() && to_stdout && !std::cout.flush()) {
      status = absl::InternalError("stdout: write failed");
    }
    if (status.ok() && !to_stdout) {
      std::error_code ec;
      fs::rename(temp, out, ec);
      if (ec) {
        status = absl::InternalError(
            absl::StrCat("--out: cannot rename '", temp, "' to '", out, "': ", ec.message()));
      }
    }
    if (!status.ok()) {
      file.reset();
      std::error_code ec;
      if (!to_stdout) fs::remove(temp, ec);
      return ReportError("export", status);
    }
    std::cerr << "inkdex export: " << artists << " artists" << detail(artists) << " to "
              << (to_stdout ? "stdout" : out)
              << (source.server.given() ? " from --server " + source.server.address : "") << "\n";
    return kExitOk;
  }
};

}  // namespace

Command AddExportCommand(CLI::App& parent) {
  auto command = std::make_shared<ExportCommand>();
  CLI::App* app = parent.add_subcommand(
      "export", "Write every stored artist as JSON Lines, the shape `inkdex build` reads");
  app->footer(
      "One data-model JSON line per artist, in id order, with its \"version\" (or "
      "\"streamSequence\"), hidden artists (opted out, inactive) included unless "
      "--searchable-only: `inkdex build --input FILE` builds an index with the same documents. "
      "What is not exported: deletes (tombstones), the kept states of other table items, "
      "stream checkpoints and metadata, so an index that follows a DynamoDB stream re-syncs "
      "from its table rather than from an export. The index is read as it was when the export "
      "started. --out FILE appears only once complete (written beside it, synced, renamed).\n"
      "--index DIR reads an index on disk (no server may have it open); --server HOST:PORT "
      "exports what a running inkdex-server serves (Admin.ExportArtists, with the write token) "
      "while it goes on serving and writing.\n"
      "Exit codes: 0 exported; 1 the index, the server or the output failed; 2 bad flags.");
  command->source.server.timeout_ms = kWholeIndexTimeoutMs;
  AddIndexOrServerFlags(*app, command->source, Access::kWrite);
  app->add_option("--out", command->out, "Output file, or - for stdout (default -)")
      ->type_name("FILE");
  app->add_flag("--searchable-only", command->searchable_only,
                "Leave out artists who opted out or are inactive");
  return {app, [command] { return command->Run(); }};
}

}  // namespace inkdex::cli
