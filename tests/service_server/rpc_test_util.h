// Helpers for the handler tests of inkdex-server: the real services on a real
// in-process grpc::Server (127.0.0.1, a free port) over a temporary index,
// reached through the generated C++ stubs.
#ifndef INKDEX_TESTS_SERVICE_SERVER_RPC_TEST_UTIL_H_
#define INKDEX_TESTS_SERVICE_SERVER_RPC_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/time/time.h"
#include "index/test_util.h"
#include "inkdex/v1/artist_search.grpc.pb.h"
#include "server/admin_service.h"
#include "server/artist_search_service.h"
#include "server/call_environment.h"
#include "server/index_holder.h"
#include "server/stream_ingest_service.h"
#include "server/write_committer.h"

namespace inkdex::server::testing {

inline constexpr char kWriteToken[] = "write-secret-token";
inline constexpr char kReadToken[] = "read-secret-token";
using ::inkdex::testing::kLeedsLat;
using ::inkdex::testing::kLeedsLon;

struct TestServerOptions {
  std::string write_token = kWriteToken;  // empty: writes disabled
  std::string read_token;                 // empty: reads open
  int max_concurrent_requests = 64;
  int read_threads = 0;  // ServiceInfo::read_threads
  absl::Duration test_search_delay;
  absl::Duration commit_interval = absl::Milliseconds(5);
  // The table the artists come from (--stream-table or --bootstrap-table; no
  // stream reader or scan runs in these tests, the services' checks see it).
  SourceTable source_table;
  int64_t max_message_bytes = 0;  // --max-message-bytes; <= 0: not checked
};

class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {});
  ~TestServer();  // shuts the server down, then stops the committer

  v1::ArtistSearch::Stub& search() { return *search_; }
  v1::Admin::Stub& admin() { return *admin_; }
  v1::StreamIngest::Stub& ingest() { return *ingest_; }
  IndexHolder& holder() { return *holder_; }
  const ArtistSearchServiceImpl& search_service() const { return *search_service_; }
  CallEnvironment& env() { return *env_; }
  const std::string& index_dir() const { return dir_.path(); }

  // Applies `artists` straight to the served index (test setup).
  void Seed(const std::vector<Artist>& artists);
  // Everything the server logged so far (JSON lines).
  std::string LogText() const;

 private:
  inkdex::testing::TempDir dir_;
  std::string log_path_;
  int log_fd_ = -1;
  std::unique_ptr<IndexHolder> holder_;
  std::unique_ptr<CallEnvironment> env_;
  std::unique_ptr<WriteCommitter> committer_;
  std::unique_ptr<ArtistSearchServiceImpl> search_service_;
  std::unique_ptr<AdminServiceImpl> admin_service_;
  std::unique_ptr<StreamIngestServiceImpl> ingest_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::ArtistSearch::Stub> search_;
  std::unique_ptr<v1::Admin::Stub> admin_;
  std::unique_ptr<v1::StreamIngest::Stub> ingest_;
};

// Adds `authorization: Bearer <token>` to a call.
void Authorize(grpc::ClientContext* context, const std::string& token);

// An artist in Leeds (test_util's MakeArtist) with a studio and a biography.
Artist LeedsArtist(const std::string& id, const std::string& name, std::vector<std::string> styles,
                   uint64_t version = 1);

}  // namespace inkdex::server::testing

#endif  // INKDEX_TESTS_SERVICE_SERVER_RPC_TEST_UTIL_H_
