// Routing the messages of the libraries inkdex-server links (gRPC's gpr_log,
// libprotobuf's GOOGLE_LOG) into its JSON log, so stderr stays one JSON
// object per line: both libraries would otherwise print plain text there
// (bind errors, TLS problems; a request string field with invalid UTF-8).
//
// Lines: {"event": "grpc" | "protobuf", "source": "file.cc:123",
// "message": ...} at the library's severity (protobuf's warnings as "warn",
// errors and fatal ones as "error", except its complaint about a request's
// string that is not UTF-8: a client's mistake, logged as "warn").
//
// Thread safety: RouteLibraryLogs is not thread-safe (the libraries' setters
// are not): call it once at start-up, before any thread logs. The routed
// messages themselves may come from any thread.
#ifndef INKDEX_SERVICE_SERVER_LIBRARY_LOGS_H_
#define INKDEX_SERVICE_SERVER_LIBRARY_LOGS_H_

#include "server/json_log.h"

namespace inkdex::server {

// From now on the libraries log to `log`, which must never be destroyed
// (library threads may log while the process exits). A later call replaces
// the log.
void RouteLibraryLogs(JsonLog* log);

}  // namespace inkdex::server

#endif  // INKDEX_SERVICE_SERVER_LIBRARY_LOGS_H_
