// The gRPC peer against the library: an index of synthetic artists built by
// the library peer, its answers as the gate's references, then inkdex-server
// started on the same directory and every reference checked through it by
// the comparison's own gate (compare/system_run.h RunGate). Also: suggest
// answers, two threads over the shared server, and that no server outlives
// its peers, on success or on a failed start.
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compare/reference.h"
#include "compare/system_run.h"
#include "compare/workload_artists.h"
#include "grpc_peer.h"
#include "gtest/gtest.h"
#include "inkdex_peer.h"
#include "query_set.h"
#include "server_process.h"

namespace inkdex::bench {
namespace {

namespace fs = std::filesystem;

// Above SearchRequest::kMaxDepth, so the enumeration's tiles (and, for a
// radius, its GetArtist calls) run through the server too.
constexpr int kArtists = 12000;
constexpr size_t kQueriesPerClass = 25;

// Processes whose parent is this one (a server left running would be one).
std::vector<pid_t> ChildProcesses() {
  std::vector<pid_t> children;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator("/proc", ec)) {
    std::ifstream stat(e.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const size_t close = line.rfind(')');  // the command may hold spaces
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    if (rest >> state >> ppid && ppid == getpid()) {
      children.push_back(static_cast<pid_t>(std::stol(e.path().filename().string())));
    }
  }
  return children;
}

bool ProcessExists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

class GrpcPeerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(
        (fs::temp_directory_path() / absl::StrCat("inkdex_grpc_peer_test_", getpid())).string());
    fs::remove_all(*dir_);
    absl::StatusOr<std::vector<Artist>> artists = GenerateArtists(kArtists);
    ASSERT_TRUE(artists.ok()) << artists.status();
    ASSERT_TRUE(InkdexPeer().Build(*artists, *dir_).ok());
    gate_artists_ = new GateArtists(GateArtists::From(*artists));  // the references read it
    references_ = new std::vector<InkdexReference>();
    suggestions_ = new std::vector<std::pair<SuggestRequest, std::vector<std::string>>>();
    InkdexPeer library;
    ASSERT_TRUE(library.Open(*dir_).ok());
    for (QueryClass c : AllQueryClasses()) {
      for (const BenchQuery& q : MakeQueries(c, kQueriesPerClass)) {
        if (c == QueryClass::kSuggest) {
          absl::StatusOr<std::vector<std::string>> s = library.Suggest(q.suggest);
          ASSERT_TRUE(s.ok()) << s.status();
          suggestions_->emplace_back(q.suggest, *std::move(s));
          continue;
        }
        AddReference(library, q);
      }
    }
    // Every artist, worldwide and within a radius covering the globe: more
    // matches than one search may page through.
    BenchQuery world = MakeQueries(QueryClass::kLocal, 1).front();
    world.search.text.clear();
    world.search.styles.clear();
    world.search.min_rating.reset();
    world.search.max_hourly_rate.reset();
    world.search.booking_open = false;
    world.search.min_years_active.reset();
    BenchQuery globe = world;
    globe.search.radius_km = 20000;
    world.search.point.reset();
    world.search.radius_km.reset();
    world.search.sort = SortOrder::kRelevance;
    AddReference(library, world);
    AddReference(library, globe);
    ASSERT_GT(references_->back().answer.total, SearchRequest::kMaxDepth);
  }  // the library closes its index: the server may open it

  static void AddReference(InkdexPeer& library, const BenchQuery& q) {
    absl::StatusOr<InkdexReference> ref = MakeReference(library, *gate_artists_, q);
    ASSERT_TRUE(ref.ok()) << QueryToJson(q) << ": " << ref.status();
    references_->push_back(*std::move(ref));
  }

  static void TearDownTestSuite() {
    delete references_;
    delete suggestions_;
    delete gate_artists_;
    fs::remove_all(*dir_);
    delete dir_;
  }

  void TearDown() override { EXPECT_EQ(ChildProcesses(), std::vector<pid_t>()); }

  static std::string* dir_;
  static GateArtists* gate_artists_;
  static std::vector<InkdexReference>* references_;
  static std::vector<std::pair<SuggestRequest, std::vector<std::string>>>* suggestions_;
};

std::string* GrpcPeerTest::dir_ = nullptr;
GateArtists* GrpcPeerTest::gate_artists_ = nullptr;
std::vector<InkdexReference>* GrpcPeerTest::references_ = nullptr;
std::vector<std::pair<SuggestRequest, std::vector<std::string>>>* GrpcPeerTest::suggestions_ =
    nullptr;

TEST_F(GrpcPeerTest, GatePassesAndTheServerStopsWithThePeer) {
  pid_t pid = -1;
  {
    std::unique_ptr<Peer> peer = MakeInkdexGrpcPeer();
    ASSERT_EQ(peer->name(), "grpc");
    ASSERT_TRUE(peer->Open(*dir_).ok());
    pid = dynamic_cast<InkdexGrpcPeer&>(*peer).server_pid();
    ASSERT_GT(pid, 0);
    EXPECT_EQ(ChildProcesses(), std::vector<pid_t>{pid});
    bool ok = false;
    const nlohmann::ordered_json gate = RunGate(*peer, *references_, &ok);
    EXPECT_TRUE(ok) << gate.dump(2);
    EXPECT_EQ(gate["checked"], references_->size());
    EXPECT_EQ(gate["failed"], 0);
    int64_t matched = 0;
    for (const InkdexReference& ref : *references_) matched += ref.answer.total;
    EXPECT_GT(matched, 0) << "the references matched nothing: a weak test";

    for (const auto& [request, want] : *suggestions_) {
      absl::StatusOr<std::vector<std::string>> got = peer->Suggest(request);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(*got, want) << request.prefix;
    }
    EXPECT_GT(peer->ServerResidentBytes(), 1u << 20);
    EXPECT_GT(peer->DiskBytes(), 0u);
  }
  EXPECT_FALSE(ProcessExists(pid)) << "inkdex-server " << pid << " outlived its peer";
}

// The throughput run opens a peer per thread on the same directory: they
// share one server and its channel, which must answer both threads at once.
TEST_F(GrpcPeerTest, PeersOnOneDirectoryShareTheServerAcrossThreads) {
  std::vector<std::unique_ptr<Peer>> peers;
  for (int t = 0; t < 2; ++t) {
    peers.push_back(MakeInkdexGrpcPeer());
    ASSERT_TRUE(peers.back()->Open(*dir_).ok());
  }
  const pid_t pid = dynamic_cast<InkdexGrpcPeer&>(*peers[0]).server_pid();
  EXPECT_EQ(dynamic_cast<InkdexGrpcPeer&>(*peers[1]).server_pid(), pid);
  std::vector<int> wrong(peers.size(), 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < peers.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (const InkdexReference& ref : *references_) {
          absl::StatusOr<PeerAnswer> a = peers[t]->Search(ref.request, /*collect_ids=*/false);
          if (!a.ok() || a->total != ref.answer.total) ++wrong[t];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(peers.size(), 0));
  peers.pop_back();
  EXPECT_TRUE(ProcessExists(pid)) << "stopped while a peer still uses it";
  peers.clear();
  EXPECT_FALSE(ProcessExists(pid));
}

TEST_F(GrpcPeerTest, OpenWithoutAnIndexFailsAndStartsNothing) {
  std::unique_ptr<Peer> peer = MakeInkdexGrpcPeer();
  const absl::Status s = peer->Open(*dir_ + "-missing");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_FALSE(fs::exists(*dir_ + "-missing")) << "the server created an index";
}

TEST_F(GrpcPeerTest, AServerThatFailsToStartIsReportedAndReaped) {
  // /bin/false exits at once without a listening line.
  ASSERT_EQ(setenv("INKDEX_SERVER_BIN", "/bin/false", 1), 0);
  std::unique_ptr<Peer> peer = MakeInkdexGrpcPeer();
  const absl::Status s = peer->Open(*dir_);
  unsetenv("INKDEX_SERVER_BIN");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("exited before listening"), std::string_view::npos) << s;
  EXPECT_NE(s.message().find("exited with status 1"), std::string_view::npos) << s;
}

TEST(ServerProcessTest, ASilentServerIsStoppedAtTheStartTimeout) {
  const fs::path script = fs::temp_directory_path() / absl::StrCat("silent_server_", getpid());
  {
    std::ofstream out(script);
    out << "#!/bin/sh\necho 'not the listening line'\necho oops >&2\nexec sleep 60\n";
  }
  fs::permissions(script, fs::perms::owner_all);
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start(script.string(), "/nonexistent", absl::Milliseconds(500));
  fs::remove(script);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kDeadlineExceeded) << server.status();
  EXPECT_NE(server.status().message().find("killed by signal 15"), std::string_view::npos)
      << server.status();
  EXPECT_NE(server.status().message().find("oops"), std::string_view::npos) << server.status();
  EXPECT_EQ(ChildProcesses(), std::vector<pid_t>());
}

TEST(ServerProcessTest, AMissingBinaryIsNotFound) {
  absl::StatusOr<std::unique_ptr<ServerProcess>> server =
      ServerProcess::Start("/nonexistent/inkdex-server", "/tmp", absl::Seconds(1));
  EXPECT_EQ(server.status().code(), absl::StatusCode::kNotFound) << server.status();
}

}  // namespace
}  // namespace inkdex::bench
