// Admin.VerifyIndex and Admin.ExportArtists through a real in-process gRPC
// server: what they return, one verification at a time, cancellation, the
// write token, and export messages within --max-message-bytes.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/admin_service.h"
#include "service_server/rpc_test_util.h"

namespace inkdex::server {
namespace {

using ::inkdex::server::testing::Authorize;
using ::inkdex::server::testing::kReadToken;
using ::inkdex::server::testing::kWriteToken;
using ::inkdex::server::testing::LeedsArtist;
using ::inkdex::server::testing::TestServer;
using ::inkdex::server::testing::TestServerOptions;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A served index whose Verify can be held open (to see a second call
// refused, or a cancelled call stop) or made to report problems; every
// other method is the real index's.
class ControlledVerifyIndex : public Index {
 public:
  explicit ControlledVerifyIndex(std::shared_ptr<Index> real) : real_(std::move(real)) {}

  absl::StatusOr<VerifyReport> Verify(const VerifyOptions& options) const override {
    if (!started_.HasBeenNotified()) started_.Notify();  // calls are one at a time
    while (hold_.load()) {
      if (options.cancelled && options.cancelled()) {
        if (!saw_cancel_.HasBeenNotified()) saw_cancel_.Notify();
        return absl::CancelledError("verify: cancelled after 0 documents");
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
    absl::StatusOr<VerifyReport> report = real_->Verify(options);
    if (report.ok()) {
      for (const std::string& p : problems_) report->problems.push_back(p);
    }
    return report;
  }

  void Hold() { hold_ = true; }
  void Release() { hold_ = false; }
  void AddProblem(std::string p) { problems_.push_back(std::move(p)); }
  absl::Notification& started() const { return started_; }
  absl::Notification& saw_cancel() const { return saw_cancel_; }

  absl::StatusOr<std::vector<ChangeResult>> Apply(const WriteBatch& batch) override {
    return real_->Apply(batch);
  }
  absl::StatusOr<SearchResponse> Search(const SearchRequest& request) const override {
    return real_->Search(request);
  }
  absl::StatusOr<std::vector<Suggestion>> Suggest(const SuggestRequest& request) const override {
    return real_->Suggest(request);
  }
  absl::StatusOr<Artist> Get(const std::string& id, bool include_hidden) const override {
    return real_->Get(id, include_hidden);
  }
  absl::Status ForEachArtist(const std::function<absl::Status(const Artist&)>& fn,
                             bool include_hidden) const override {
    return real_->ForEachArtist(fn, include_hidden);
  }
  absl::StatusOr<std::optional<std::string>> GetMetadata(const std::string& key) const override {
    return real_->GetMetadata(key);
  }
  absl::StatusOr<std::map<std::string, std::string>> ListMetadata(
      const std::string& prefix) const override {
    return real_->ListMetadata(prefix);
  }
  std::vector<int64_t> StyleCounts() const override { return real_->StyleCounts(); }
  IndexStats Stats() const override { return real_->Stats(); }
  absl::StatusOr<TombstonePurge> PurgeTombstones(const TombstonePurgeOptions& options) override {
    return real_->PurgeTombstones(options);
  }
  absl::StatusOr<PrefetchReport> PrefetchSearchIndex(
      const PrefetchOptions& options) const override {
    return real_->PrefetchSearchIndex(options);
  }
  absl::Status BuildDeferredSearchIndex(const BuildSearchIndexOptions& options) override {
    return real_->BuildDeferredSearchIndex(options);
  }
  absl::StatusOr<SlotLayout> MeasureSlotLayout() const override {
    return real_->MeasureSlotLayout();
  }
  absl::StatusOr<uint64_t> CopyDocumentStore(const std::string& dir) const override {
    return real_->CopyDocumentStore(dir);
  }
  const StyleTaxonomy& taxonomy() const override { return real_->taxonomy(); }

 private:
  std::shared_ptr<Index> real_;
  std::atomic<bool> hold_{false};
  std::vector<std::string> problems_;
  mutable absl::Notification started_, saw_cancel_;
};

// Serves a ControlledVerifyIndex over the server's own index.
std::shared_ptr<ControlledVerifyIndex> ServeControlled(TestServer& server) {
  auto controlled = std::make_shared<ControlledVerifyIndex>(server.holder().Current());
  server.holder().Swap(controlled, server.holder().directory());
  return controlled;
}

grpc::Status Verify(TestServer& server, const std::string& token, v1::VerifyIndexResponse* response,
                    absl::Duration timeout = absl::Seconds(30)) {
  grpc::ClientContext context;
  if (!token.empty()) Authorize(&context, token);
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return server.admin().VerifyIndex(&context, v1::VerifyIndexRequest(), response);
}

struct Exported {
  grpc::Status status;
  std::vector<v1::ExportArtistsResponse> messages;
  std::vector<std::string> ids;
};

Exported Export(TestServer& server, const std::string& token, bool searchable_only = false) {
  grpc::ClientContext context;
  if (!token.empty()) Authorize(&context, token);
  v1::ExportArtistsRequest request;
  request.set_searchable_only(searchable_only);
  std::unique_ptr<grpc::ClientReader<v1::ExportArtistsResponse>> reader =
      server.admin().ExportArtists(&context, request);
  Exported out;
  v1::ExportArtistsResponse message;
  while (reader->Read(&message)) {
    for (const Artist& a : message.artists()) out.ids.push_back(a.id());
    out.messages.push_back(message);
  }
  out.status = reader->Finish();
  return out;
}

std::vector<Artist> NumberedArtists(int count, const std::string& bio = "") {
  std::vector<Artist> artists;
  for (int i = 0; i < count; ++i) {
    Artist a = LeedsArtist(absl::StrFormat("a%05d", i), "Artist", {"fineline"});
    a.set_biography(bio);
    artists.push_back(a);
  }
  return artists;
}

TEST(AdminVerifyIndexTest, ReportsTheServedIndexAtOneCommit) {
  TestServer server;
  server.Seed(NumberedArtists(30));
  Artist hidden = LeedsArtist("hidden", "Hidden", {"fineline"});
  hidden.set_opted_out(true);
  server.Seed({hidden});
  v1::VerifyIndexResponse response;
  grpc::Status status = Verify(server, kWriteToken, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.consistent());
  EXPECT_EQ(response.documents_checked(), 31u);
  EXPECT_EQ(response.searchable_checked(), 30u);
  EXPECT_EQ(response.tombstones_checked(), 0u);
  EXPECT_EQ(response.commit_seq(), server.holder().Current()->Stats().commit_seq);
  EXPECT_EQ(response.index_directory(), server.holder().directory());
  EXPECT_EQ(response.index_generation(), 1u);
  EXPECT_THAT(response.problems(), ElementsAre());
  EXPECT_THAT(server.LogText(), HasSubstr("\"method\":\"VerifyIndex\",\"code\":\"OK\""));
}

TEST(AdminVerifyIndexTest, ProblemsComeBackInconsistentNotAsAnError) {
  TestServer server;
  server.Seed(NumberedArtists(3));
  auto controlled = ServeControlled(server);
  controlled->AddProblem("artist 'a00001': searchable but missing from the search index");
  v1::VerifyIndexResponse response;
  ASSERT_TRUE(Verify(server, kWriteToken, &response).ok());
  EXPECT_FALSE(response.consistent());
  EXPECT_THAT(response.problems(),
              ElementsAre("artist 'a00001': searchable but missing from the search index"));
  EXPECT_EQ(response.documents_checked(), 3u);
  EXPECT_THAT(server.LogText(), HasSubstr("\"problems\":1"));
}

TEST(AdminVerifyIndexTest, ProblemsAreCutToFitMaxMessageBytes) {
  TestServerOptions options;
  options.max_message_bytes = 1024;
  TestServer server(options);
  server.Seed(NumberedArtists(3));
  auto controlled = ServeControlled(server);
  for (int i = 0; i < 50; ++i) {
    controlled->AddProblem(absl::StrFormat("artist 'a%05d': %s", i, std::string(80, 'p')));
  }
  v1::VerifyIndexResponse response;
  grpc::Status status = Verify(server, kWriteToken, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.consistent());
  EXPECT_LE(response.ByteSizeLong(), 1024u);
  ASSERT_GE(response.problems_size(), 2);
  EXPECT_EQ(response.problems(0), absl::StrFormat("artist 'a%05d': %s", 0, std::string(80, 'p')));
  const int listed = response.problems_size() - 1;
  EXPECT_EQ(response.problems(listed),
            absl::StrCat(50 - listed,
                         " more problem(s) not listed: the answer would be larger than the "
                         "server's --max-message-bytes"));
}

TEST(AdminVerifyIndexTest, OneAtATime) {
  TestServer server;
  server.Seed(NumberedArtists(3));
  auto controlled = ServeControlled(server);
  controlled->Hold();
  v1::VerifyIndexResponse first;
  grpc::Status first_status;
  std::thread running([&] { first_status = Verify(server, kWriteToken, &first); });
  ASSERT_TRUE(controlled->started().WaitForNotificationWithTimeout(absl::Seconds(10)));
  v1::VerifyIndexResponse second;
  grpc::Status refused = Verify(server, kWriteToken, &second);
  controlled->Release();
  running.join();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("another VerifyIndex is running"));
  ASSERT_TRUE(first_status.ok()) << first_status.error_message();
  EXPECT_TRUE(first.consistent());
  // Once the first has finished, the next one runs.
  EXPECT_TRUE(Verify(server, kWriteToken, &second).ok());
}

TEST(AdminVerifyIndexTest, StopsWhenItsCallIsCancelled) {
  TestServer server;
  server.Seed(NumberedArtists(3));
  auto controlled = ServeControlled(server);
  controlled->Hold();
  v1::VerifyIndexResponse response;
  grpc::Status status = Verify(server, kWriteToken, &response, absl::Milliseconds(200));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(controlled->saw_cancel().WaitForNotificationWithTimeout(absl::Seconds(10)))
      << "the server's Verify went on after its call was cancelled";
  controlled->Release();
}

TEST(AdminVerifyIndexTest, NeedsTheWriteToken) {
  TestServerOptions options;
  options.read_token = kReadToken;
  TestServer server(options);
  v1::VerifyIndexResponse response;
  EXPECT_EQ(Verify(server, "", &response).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Verify(server, kReadToken, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Verify(server, "wrong", &response).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST(AdminExportArtistsTest, StreamsEveryArtistInIdOrderInBoundedMessages) {
  TestServer server;
  server.Seed(NumberedArtists(2500));
  Artist hidden = LeedsArtist("a00100x", "Hidden", {"fineline"});
  hidden.set_is_active(false);
  server.Seed({hidden});
  Exported all = Export(server, kWriteToken);
  ASSERT_TRUE(all.status.ok()) << all.status.error_message();
  ASSERT_EQ(all.ids.size(), 2501u);
  EXPECT_TRUE(std::is_sorted(all.ids.begin(), all.ids.end()));
  EXPECT_EQ(all.ids[101], "a00100x");
  ASSERT_EQ(all.messages.size(), 3u);
  EXPECT_EQ(all.messages[0].artists_size(), kExportMessageArtists);
  EXPECT_EQ(all.messages[1].artists_size(), kExportMessageArtists);
  EXPECT_EQ(all.messages[2].artists_size(), 501);
  // The records as Get returns them, versions included.
  absl::StatusOr<Artist> stored = server.holder().Current()->Get("a00007");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(all.messages[0].artists(7).SerializeAsString(), stored->SerializeAsString());

  Exported searchable = Export(server, kWriteToken, /*searchable_only=*/true);
  ASSERT_TRUE(searchable.status.ok());
  EXPECT_EQ(searchable.ids.size(), 2500u);
  EXPECT_EQ(std::count(searchable.ids.begin(), searchable.ids.end(), "a00100x"), 0);
  EXPECT_THAT(server.LogText(), HasSubstr("\"artists\":2501,\"messages\":3"));
}

TEST(AdminExportArtistsTest, MessagesStayUnderAboutOneMebibyte) {
  TestServer server;
  server.Seed(NumberedArtists(600, std::string(3000, 'b')));  // ~3 KB each
  Exported all = Export(server, kWriteToken);
  ASSERT_TRUE(all.status.ok()) << all.status.error_message();
  EXPECT_EQ(all.ids.size(), 600u);
  ASSERT_GE(all.messages.size(), 2u);
  for (const auto& m : all.messages) {
    EXPECT_LE(m.ByteSizeLong(), kExportMessageBytes + 4000);
    EXPECT_LT(m.artists_size(), kExportMessageArtists);
  }
}

TEST(AdminExportArtistsTest, MessagesFitMaxMessageBytesAndAnArtistTooLargeFails) {
  TestServerOptions options;
  options.max_message_bytes = 4096;
  TestServer server(options);
  server.Seed(NumberedArtists(40, std::string(500, 'b')));
  Exported all = Export(server, kWriteToken);
  ASSERT_TRUE(all.status.ok()) << all.status.error_message();
  EXPECT_EQ(all.ids.size(), 40u);
  EXPECT_GT(all.messages.size(), 5u);
  for (const auto& m : all.messages) EXPECT_LE(m.ByteSizeLong(), 4096u);

  Artist large = LeedsArtist("a00020x", "Large", {"fineline"});
  large.set_biography(std::string(5000, 'l'));
  server.Seed({large});
  Exported failed = Export(server, kWriteToken);
  EXPECT_EQ(failed.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(failed.status.error_message(), HasSubstr("artist 'a00020x'"));
  EXPECT_THAT(failed.status.error_message(), HasSubstr("--max-message-bytes"));
  EXPECT_LE(failed.ids.size(), 21u) << "artists after the failure were sent";
}

TEST(AdminExportArtistsTest, NeedsTheWriteToken) {
  TestServerOptions options;
  options.read_token = kReadToken;
  TestServer server(options);
  server.Seed(NumberedArtists(3));
  EXPECT_EQ(Export(server, "").status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  Exported read = Export(server, kReadToken);
  EXPECT_EQ(read.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(read.ids.empty());
}

}  // namespace
}  // namespace inkdex::server
