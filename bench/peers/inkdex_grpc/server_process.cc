#include "server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"

extern char** environ;

namespace inkdex::bench {
namespace {

constexpr off_t kStderrTailBytes = 4096;
// What waitpid reports when there is no child left to reap.
constexpr int kNoChild = -1;

absl::Status ErrnoError(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

std::string DescribeWaitStatus(int status) {
  if (status == kNoChild) return "already reaped";
  if (WIFEXITED(status)) return absl::StrCat("exited with status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return absl::StrCat("killed by signal ", WTERMSIG(status), " (", strsignal(WTERMSIG(status)),
                        ")");
  }
  return absl::StrCat("wait status ", status);
}

// The gRPC address of the server's listening line, or "" for any other line.
std::string ListeningAddress(const std::string& line) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("event", "") != "listening") return "";
  const auto grpc = j.find("grpc");
  return grpc != j.end() && grpc->is_string() ? grpc->get<std::string>() : "";
}

// SIGTERM, up to `timeout` for the exit, then SIGKILL; returns the wait
// status (kNoChild when the child was reaped elsewhere).
int TerminateAndReap(pid_t pid, absl::Duration timeout) {
  int status = 0;
  pid_t r = waitpid(pid, &status, WNOHANG);
  if (r == 0) {
    kill(pid, SIGTERM);
    const absl::Time deadline = absl::Now() + timeout;
    while ((r = waitpid(pid, &status, WNOHANG)) == 0 && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    if (r == 0) {
      kill(pid, SIGKILL);
      do {
        r = waitpid(pid, &status, 0);
      } while (r < 0 && errno == EINTR);
    }
  }
  return r == pid ? status : kNoChild;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(const std::string& binary,
                                                                    const std::string& index_dir,
                                                                    absl::Duration start_timeout) {
  if (access(binary.c_str(), X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat("inkdex-server binary ", binary, ": ", std::strerror(errno)));
  }
  // Everything the child uses is prepared before fork: until exec it may only
  // make async-signal-safe calls (the caller has gRPC and RocksDB threads).
  std::vector<std::string> args = {binary,     "--index",     index_dir,
                                   "--listen", "127.0.0.1:0", "--metrics-listen",
                                   "off",      "--log-level", "warn"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "INKDEX_")) envp.push_back(*e);
  }
  envp.push_back(nullptr);

  std::string stderr_path =
      (std::filesystem::temp_directory_path() / "inkdex-server-stderr-XXXXXX").string();
  const int stderr_fd = mkostemp(stderr_path.data(), O_CLOEXEC);
  if (stderr_fd < 0) return ErrnoError("inkdex-server's stderr file");
  unlink(stderr_path.c_str());  // read through stderr_fd; nothing left behind
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(stderr_fd);
    return ErrnoError("inkdex-server's stdout pipe");
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const absl::Status s = ErrnoError("fork for inkdex-server");
    close(out[0]);
    close(out[1]);
    close(stderr_fd);
    return s;
  }
  if (pid == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
        dup2(stderr_fd, STDERR_FILENO) < 0) {
      _exit(127);
    }
    close_range(3, UINT_MAX, 0);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  std::unique_ptr<ServerProcess> server(new ServerProcess(pid, stderr_fd));
  absl::Status listening = server->AwaitListening(out[0], start_timeout);
  close(out[0]);
  if (!listening.ok()) {
    const int status = TerminateAndReap(server->pid_, kStopTimeout);
    server->pid_ = -1;
    return absl::Status(
        listening.code(),
        absl::StrCat("inkdex-server --index ", index_dir, ": ", listening.message(), " (",
                     DescribeWaitStatus(status), "); its stderr: ", server->StderrTail()));
  }
  return server;
}

ServerProcess::~ServerProcess() {
  Stop().IgnoreError();
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

absl::Status ServerProcess::Stop() {
  if (pid_ < 0) return absl::OkStatus();
  const pid_t pid = pid_;
  const int status = TerminateAndReap(pid, kStopTimeout);
  pid_ = -1;
  if (status != kNoChild && WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("inkdex-server (pid ", pid, ") ",
                                          DescribeWaitStatus(status),
                                          " after SIGTERM; stderr: ", StderrTail()));
}

uint64_t ServerProcess::ResidentBytes() const {
  if (pid_ < 0) return 0;
  std::ifstream in(absl::StrCat("/proc/", pid_, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // "... kB"
  }
  return 0;
}

absl::Status ServerProcess::AwaitListening(int stdout_fd, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string buffer;
  for (;;) {
    for (size_t nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
      address_ = ListeningAddress(buffer.substr(0, nl));
      if (!address_.empty()) return absl::OkStatus();
      buffer.erase(0, nl + 1);
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no {\"event\":\"listening\"} line on stdout within ", absl::FormatDuration(timeout)));
    }
    pollfd p{stdout_fd, POLLIN, 0};
    const int64_t wait_ms = std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, INT_MAX);
    const int ready = poll(&p, 1, static_cast<int>(wait_ms));
    if (ready < 0 && errno != EINTR) return ErrnoError("poll on inkdex-server's stdout");
    if (ready <= 0) continue;
    char chunk[4096];
    const ssize_t n = read(stdout_fd, chunk, sizeof chunk);
    if (n < 0 && errno != EINTR) return ErrnoError("read of inkdex-server's stdout");
    if (n == 0) return absl::UnavailableError("exited before listening");
    if (n > 0) buffer.append(chunk, static_cast<size_t>(n));
  }
}

std::string ServerProcess::StderrTail() const {
  // fstat, not lseek: the offset is shared with the server's stderr.
  struct stat st;
  if (fstat(stderr_fd_, &st) != 0 || st.st_size <= 0) return "(empty)";
  const off_t size = st.st_size;
  const off_t from = std::max<off_t>(0, size - kStderrTailBytes);
  std::string text(static_cast<size_t>(size - from), '\0');
  const ssize_t n = pread(stderr_fd_, text.data(), text.size(), from);
  text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return from > 0 ? "..." + text : text;
}

}  // namespace inkdex::bench
