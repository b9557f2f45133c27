#include "server/library_logs.h"

#include <google/protobuf/stubs/logging.h>
#include <grpc/support/log.h>

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "inkdex/v1/artist_search.pb.h"
#include "service_server/shell_test_util.h"

namespace inkdex::server {
namespace {

using ::testing::HasSubstr;
using testing::LogCapture;

// The routed log must outlive every library thread: never destroyed.
JsonLog* RoutedTo(const LogCapture& capture) {
  auto* log = new JsonLog(LogLevel::kDebug, capture.fd());
  RouteLibraryLogs(log);
  return log;
}

TEST(LibraryLogsTest, ProtobufMessagesBecomeJsonLines) {
  LogCapture capture;
  RoutedTo(capture);
  // GetArtistRequest.id (field 1) holding the single byte 0xFF: not UTF-8,
  // which libprotobuf reports (as plain text on stderr, by default) when
  // parsing.
  v1::GetArtistRequest request;
  EXPECT_FALSE(request.ParseFromString(std::string("\x0a\x01\xff", 3)));
  const auto lines = capture.Lines();
  ASSERT_EQ(lines.size(), 1u) << capture.Text();
  EXPECT_EQ(lines[0]["event"], "protobuf");
  // A request's bad string is the client's mistake: a warning.
  EXPECT_EQ(lines[0]["level"], "warn");
  EXPECT_THAT(lines[0]["message"].get<std::string>(), HasSubstr("invalid UTF-8"));
  EXPECT_THAT(lines[0]["source"].get<std::string>(), HasSubstr(".cc:"));
}

TEST(LibraryLogsTest, ProtobufErrorsStayErrors) {
  LogCapture capture;
  RoutedTo(capture);
  GOOGLE_LOG(ERROR) << "descriptor pool: conflicting definition";
  const auto lines = capture.Lines();
  ASSERT_EQ(lines.size(), 1u) << capture.Text();
  EXPECT_EQ(lines[0]["event"], "protobuf");
  EXPECT_EQ(lines[0]["level"], "error");
  EXPECT_EQ(lines[0]["message"], "descriptor pool: conflicting definition");
}

TEST(LibraryLogsTest, GrpcMessagesBecomeJsonLines) {
  LogCapture capture;
  RoutedTo(capture);
  // gRPC drops every message until grpc_init sets the verbosity (the
  // server's come after it); this test has no gRPC server.
  gpr_set_log_verbosity(GPR_LOG_SEVERITY_ERROR);
  gpr_log(GPR_ERROR, "bind failed: %s", "address in use");
  const auto lines = capture.Lines();
  ASSERT_EQ(lines.size(), 1u) << capture.Text();
  EXPECT_EQ(lines[0]["event"], "grpc");
  EXPECT_EQ(lines[0]["level"], "error");
  EXPECT_EQ(lines[0]["message"], "bind failed: address in use");
  EXPECT_THAT(lines[0]["source"].get<std::string>(), HasSubstr("library_logs_test.cc:"));
}

}  // namespace
}  // namespace inkdex::server
