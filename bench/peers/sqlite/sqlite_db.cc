#include "sqlite_db.h"

#include "absl/strings/str_cat.h"

namespace inkdex::bench::sqlite {

absl::Status Stmt::status() const {
  if (rc_ == SQLITE_OK) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat("sqlite: ", sqlite3_errmsg(sqlite3_db_handle(s_)), " in: ", sqlite3_sql(s_)));
}

absl::Status Stmt::Exec() {
  while (Step()) {
  }
  return Reset();
}

absl::Status Stmt::Reset() {
  absl::Status s = status();
  rc_ = SQLITE_OK;
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
  return s;
}

absl::StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    const std::string msg = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return absl::InternalError(absl::StrCat("sqlite: cannot open ", path, ": ", msg));
  }
  return std::unique_ptr<SqliteDb>(new SqliteDb(db));
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

absl::Status SqliteDb::Exec(std::string_view sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return absl::InternalError(absl::StrCat("sqlite: ", msg, " in: ", std::string(sql)));
  }
  return absl::OkStatus();
}

absl::StatusOr<Stmt> SqliteDb::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(it->second);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &s, nullptr) != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_), " preparing: ", sql));
  }
  cache_.emplace(sql, s);
  return Stmt(s);
}

}  // namespace inkdex::bench::sqlite
