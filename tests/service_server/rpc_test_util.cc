#include "service_server/rpc_test_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace inkdex::server::testing {

TestServer::TestServer(TestServerOptions options) {
  auto holder = IndexHolder::Open(dir_.path() + "/index", IndexOptions{});
  EXPECT_TRUE(holder.ok()) << holder.status();
  holder_ = *std::move(holder);

  log_path_ = dir_.path() + "/server.log";
  log_fd_ = ::open(log_path_.c_str(), O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0600);
  EXPECT_GE(log_fd_, 0);
  CallEnvironmentOptions env_options;
  env_options.write_token = options.write_token;
  env_options.read_token = options.read_token;
  env_options.max_concurrent_requests = options.max_concurrent_requests;
  env_options.log_fd = log_fd_;
  env_ = std::make_unique<CallEnvironment>(env_options);

  WriteCommitter::Options committer_options;
  committer_options.commit_interval = options.commit_interval;
  committer_ = std::make_unique<WriteCommitter>(*holder_, committer_options);

  ServiceInfo info;
  info.test_search_delay = options.test_search_delay;
  info.read_threads = options.read_threads;
  info.source_table = options.source_table;
  info.max_message_bytes = options.max_message_bytes;
  search_service_ =
      std::make_unique<ArtistSearchServiceImpl>(*env_, *holder_, *committer_, std::move(info));
  admin_service_ =
      std::make_unique<AdminServiceImpl>(*env_, *holder_, *committer_, options.max_message_bytes);
  ingest_service_ = std::make_unique<StreamIngestServiceImpl>(
      *env_, *holder_, *committer_, stream::ItemMapping::Default(), options.source_table);

  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(search_service_.get());
  builder.RegisterService(admin_service_.get());
  builder.RegisterService(ingest_service_.get());
  search_service_->AddReadQueue(builder);
  server_ = builder.BuildAndStart();
  EXPECT_NE(server_, nullptr);
  search_service_->StartReads();
  EXPECT_GT(port, 0);
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  search_ = v1::ArtistSearch::NewStub(channel);
  admin_ = v1::Admin::NewStub(channel);
  ingest_ = v1::StreamIngest::NewStub(channel);
}

TestServer::~TestServer() {
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    search_service_->StopReads();
  }
  committer_->Stop();
  if (log_fd_ >= 0) ::close(log_fd_);
}

void TestServer::Seed(const std::vector<Artist>& artists) {
  WriteBatch batch;
  for (const Artist& a : artists) batch.Upsert(a);
  auto applied = holder_->Current()->Apply(batch);
  ASSERT_TRUE(applied.ok()) << applied.status();
}

std::string TestServer::LogText() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void Authorize(grpc::ClientContext* context, const std::string& token) {
  context->AddMetadata("authorization", "Bearer " + token);
}

Artist LeedsArtist(const std::string& id, const std::string& name, std::vector<std::string> styles,
                   uint64_t version) {
  Artist a =
      inkdex::testing::MakeArtist(id, name, kLeedsLat, kLeedsLon, std::move(styles), version);
  a.mutable_studio()->set_id("studio-" + id);
  a.mutable_studio()->set_name("Studio " + name);
  a.set_biography("Tattoos by " + name);
  return a;
}

}  // namespace inkdex::server::testing
