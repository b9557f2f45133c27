// Admin.SwapIndex through a real in-process gRPC server.
#include "server/admin_service.h"

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service_server/rpc_test_util.h"

namespace inkdex::server {
namespace {

using ::inkdex::server::testing::Authorize;
using ::inkdex::server::testing::kLeedsLat;
using ::inkdex::server::testing::kLeedsLon;
using ::inkdex::server::testing::kReadToken;
using ::inkdex::server::testing::kWriteToken;
using ::inkdex::server::testing::LeedsArtist;
using ::inkdex::server::testing::TestServer;
using ::inkdex::server::testing::TestServerOptions;
using ::testing::HasSubstr;

// Builds an index offline (as `inkdex build` would) in `dir` with `count`
// artists "<prefix>0".. and returns its resolved path.
std::string BuildIndex(const std::string& dir, const std::string& prefix, int count) {
  auto index = Index::Open(dir);
  EXPECT_TRUE(index.ok()) << index.status();
  WriteBatch batch;
  for (int i = 0; i < count; ++i) {
    batch.Upsert(LeedsArtist(prefix + std::to_string(i), "Artist " + prefix, {"fineline"}));
  }
  EXPECT_TRUE((*index)->Apply(batch).ok());
  return std::filesystem::canonical(dir).string();
}

grpc::Status Swap(TestServer& server, const std::string& directory, bool verify,
                  const std::string& token, v1::SwapIndexResponse* response) {
  grpc::ClientContext context;
  if (!token.empty()) Authorize(&context, token);
  v1::SwapIndexRequest request;
  request.set_directory(directory);
  request.set_verify(verify);
  return server.admin().SwapIndex(&context, request, response);
}

v1::SearchRequest NearLeedsProto() {
  v1::SearchRequest request;
  request.mutable_point()->set_lat(kLeedsLat);
  request.mutable_point()->set_lon(kLeedsLon);
  request.set_radius_km(20);
  return request;
}

TEST(AdminServiceTest, SwapIndexServesTheNewIndex) {
  TestServer server;
  server.Seed({LeedsArtist("old", "Old One", {"fineline"})});
  inkdex::testing::TempDir built;
  const std::string directory = BuildIndex(built.path(), "n", 3);

  v1::SwapIndexResponse response;
  grpc::Status status = Swap(server, built.path(), /*verify=*/true, kWriteToken, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.directory(), directory);
  EXPECT_EQ(response.documents(), 3u);
  EXPECT_GT(response.commit_seq(), 0u);
  EXPECT_EQ(response.index_generation(), 2u);

  grpc::ClientContext context;
  v1::GetStatsResponse stats;
  ASSERT_TRUE(server.search().GetStats(&context, v1::GetStatsRequest(), &stats).ok());
  EXPECT_EQ(stats.index_generation(), 2u);
  EXPECT_EQ(stats.index_directory(), directory);
  EXPECT_EQ(stats.documents(), 3u);
}

TEST(AdminServiceTest, SwapIndexNeedsTheWriteToken) {
  TestServerOptions options;
  options.read_token = kReadToken;
  TestServer server(options);
  inkdex::testing::TempDir built;
  BuildIndex(built.path(), "n", 1);
  v1::SwapIndexResponse response;
  EXPECT_EQ(Swap(server, built.path(), false, "", &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Swap(server, built.path(), false, "wrong", &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Swap(server, built.path(), false, kReadToken, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(server.holder().generation(), 1u);
}

TEST(AdminServiceTest, SwapIndexBadDirectories) {
  TestServer server;
  inkdex::testing::TempDir empty;
  v1::SwapIndexResponse response;
  grpc::Status no_dir = Swap(server, "", false, kWriteToken, &response);
  EXPECT_EQ(no_dir.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(no_dir.error_message(), HasSubstr("directory: required"));
  grpc::Status missing = Swap(server, empty.path() + "/none", false, kWriteToken, &response);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND) << missing.error_message();
  grpc::Status served = Swap(server, server.holder().directory(), false, kWriteToken, &response);
  EXPECT_EQ(served.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(served.error_message(), HasSubstr("directory:"));
  EXPECT_EQ(server.holder().generation(), 1u);
}

TEST(AdminServiceTest, SwapIndexDropsNoSearch) {
  // Slow searches (the test delay) are in flight on the old index while it is
  // swapped out twice; fast ones run throughout. None fails.
  TestServerOptions options;
  options.test_search_delay = absl::Milliseconds(30);
  TestServer server(options);
  server.Seed({LeedsArtist("old", "Old One", {"fineline"})});
  inkdex::testing::TempDir first, second;
  BuildIndex(first.path(), "f", 2);
  BuildIndex(second.path(), "s", 3);

  std::atomic<bool> done{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> searchers;
  for (int t = 0; t < 4; ++t) {
    searchers.emplace_back([&] {
      while (!done.load()) {
        grpc::ClientContext context;
        v1::SearchResponse response;
        grpc::Status status = server.search().Search(&context, NearLeedsProto(), &response);
        if (status.ok() && response.total() >= 1 && response.total() <= 3) {
          ok.fetch_add(1);
        } else {
          failed.fetch_add(1);
        }
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(100));
  v1::SwapIndexResponse response;
  ASSERT_TRUE(Swap(server, first.path(), false, kWriteToken, &response).ok());
  absl::SleepFor(absl::Milliseconds(100));
  ASSERT_TRUE(Swap(server, second.path(), false, kWriteToken, &response).ok());
  absl::SleepFor(absl::Milliseconds(100));
  done = true;
  for (std::thread& t : searchers) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 8);
  EXPECT_EQ(response.index_generation(), 3u);

  // Both old indexes were closed once their last call ended: they open again.
  EXPECT_TRUE(Index::Open(first.path()).ok());
  EXPECT_TRUE(Index::Open(server.index_dir() + "/index").ok());
}

}  // namespace
}  // namespace inkdex::server
