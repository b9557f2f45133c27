// Thin RAII over the SQLite C API for the SQLite peer: a connection that
// owns a cache of prepared statements (one per SQL text, prepared once with
// SQLITE_PREPARE_PERSISTENT and reset between uses), and errors as
// absl::Status naming the statement.
//
// Thread safety: a SqliteDb and its statements belong to one thread.
#ifndef INKDEX_BENCH_PEERS_SQLITE_SQLITE_DB_H_
#define INKDEX_BENCH_PEERS_SQLITE_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace inkdex::bench::sqlite {

// A prepared statement borrowed from SqliteDb's cache: reset (bindings
// cleared) when the Stmt goes out of scope. Columns and parameters are
// 0-based and 1-based as in the C API.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  Stmt(Stmt&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() {
    if (s_ != nullptr) {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
  }

  Stmt& Bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  // The text is copied (SQLITE_TRANSIENT): callers may pass temporaries.
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }

  // True while a row is available; a failure ends the loop and is kept
  // for status().
  bool Step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) rc_ = rc;
    return false;
  }
  // Runs a statement that returns no rows (or ignores them), then resets
  // it and clears its bindings for the next use.
  absl::Status Exec();
  // Ends a use of the statement (its rows need not all have been read):
  // returns the status of the steps, resets it and clears its bindings.
  absl::Status Reset();
  absl::Status status() const;

  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  double Double(int col) const { return sqlite3_column_double(s_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::string_view Text(int col) const {
    const unsigned char* p = sqlite3_column_text(s_, col);
    return p == nullptr ? std::string_view()
                        : std::string_view(reinterpret_cast<const char*>(p),
                                           static_cast<size_t>(sqlite3_column_bytes(s_, col)));
  }

 private:
  sqlite3_stmt* s_;
  int rc_ = SQLITE_OK;
};

class SqliteDb {
 public:
  // Opens (creating when `create`) the database file at `path`.
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool create);
  ~SqliteDb();

  sqlite3* handle() const { return db_; }
  // Runs one or more statements without results (DDL, PRAGMAs).
  absl::Status Exec(std::string_view sql);
  // The cached prepared statement for `sql`, prepared on first use.
  absl::StatusOr<Stmt> Prepare(const std::string& sql);

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  absl::flat_hash_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace inkdex::bench::sqlite

#endif  // INKDEX_BENCH_PEERS_SQLITE_SQLITE_DB_H_
