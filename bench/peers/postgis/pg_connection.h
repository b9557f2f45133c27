// PgConnection: a libpq connection with Status-returning calls, for the
// PostGIS peer. PgResult owns a PGresult.
//
// Thread safety: a connection is used by one thread at a time (libpq's rule).
#ifndef INKDEX_BENCH_PEERS_POSTGIS_PG_CONNECTION_H_
#define INKDEX_BENCH_PEERS_POSTGIS_PG_CONNECTION_H_

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace inkdex::bench::postgis {

class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r, &PQclear) {}
  ExecStatusType status() const { return PQresultStatus(r_.get()); }
  int rows() const { return PQntuples(r_.get()); }
  bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  // Text format; "" for NULL. Valid while this result lives.
  std::string_view text(int row, int col) const {
    return std::string_view(PQgetvalue(r_.get(), row, col), PQgetlength(r_.get(), row, col));
  }
  int64_t int64(int row, int col) const;
  double float64(int row, int col) const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

class PgConnection {
 public:
  // UNAVAILABLE naming the DSN's failure when the server cannot be reached.
  static absl::StatusOr<std::unique_ptr<PgConnection>> Connect(const std::string& dsn);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one or more statements; the result of the last. INTERNAL with the
  // server's message (and the first 200 bytes of the SQL) on failure.
  absl::StatusOr<PgResult> Exec(std::string_view sql);
  // COPY ... FROM STDIN with `data` in COPY text format.
  absl::Status CopyIn(std::string_view copy_sql, std::string_view data);

 private:
  explicit PgConnection(PGconn* c) : c_(c) {}
  absl::Status Error(std::string_view what, std::string_view sql) const;
  PGconn* c_;
};

// `s` as an SQL string literal ('...', quotes doubled; the server runs with
// standard_conforming_strings on, PostgreSQL's default, so backslashes are
// plain characters).
std::string SqlString(std::string_view s);

// `v` as an SQL number literal that reads back as the same double.
std::string SqlDouble(double v);

// Appends `s` to `out` escaped for a COPY text-format field.
void AppendCopyField(std::string_view s, std::string* out);

}  // namespace inkdex::bench::postgis

#endif  // INKDEX_BENCH_PEERS_POSTGIS_PG_CONNECTION_H_
