#include "pg_connection.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace inkdex::bench::postgis {

int64_t PgResult::int64(int row, int col) const {
  return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10);
}

double PgResult::float64(int row, int col) const {
  return std::strtod(PQgetvalue(r_.get(), row, col), nullptr);
}

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& dsn) {
  PGconn* c = PQconnectdb(dsn.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string msg = PQerrorMessage(c);
    PQfinish(c);
    return absl::UnavailableError(absl::StrCat("postgres: cannot connect to '", dsn, "': ", msg));
  }
  return std::unique_ptr<PgConnection>(new PgConnection(c));
}

PgConnection::~PgConnection() { PQfinish(c_); }

absl::Status PgConnection::Error(std::string_view what, std::string_view sql) const {
  return absl::InternalError(absl::StrCat("postgres: ", std::string(what), ": ", PQerrorMessage(c_),
                                          " (in: ", std::string(sql.substr(0, 200)), ")"));
}

absl::StatusOr<PgResult> PgConnection::Exec(std::string_view sql) {
  PgResult r(PQexec(c_, std::string(sql).c_str()));
  const ExecStatusType st = r.status();
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Error("query failed", sql);
  return r;
}

absl::Status PgConnection::CopyIn(std::string_view copy_sql, std::string_view data) {
  {
    PgResult start(PQexec(c_, std::string(copy_sql).c_str()));
    if (start.status() != PGRES_COPY_IN) return Error("COPY did not start", copy_sql);
  }
  // Sent in pieces: libpq buffers each call.
  constexpr size_t kChunk = 1 << 20;
  for (size_t pos = 0; pos < data.size(); pos += kChunk) {
    const size_t n = std::min(kChunk, data.size() - pos);
    if (PQputCopyData(c_, data.data() + pos, static_cast<int>(n)) != 1) {
      return Error("COPY data", copy_sql);
    }
  }
  if (PQputCopyEnd(c_, nullptr) != 1) return Error("COPY end", copy_sql);
  absl::Status status = absl::OkStatus();
  for (PGresult* r = PQgetResult(c_); r != nullptr; r = PQgetResult(c_)) {
    PgResult owned(r);
    if (owned.status() != PGRES_COMMAND_OK && status.ok()) status = Error("COPY failed", copy_sql);
  }
  return status;
}

std::string SqlString(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string SqlDouble(double v) { return absl::StrFormat("%.17g", v); }

void AppendCopyField(std::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:
        out->push_back(c);
    }
  }
}

}  // namespace inkdex::bench::postgis
