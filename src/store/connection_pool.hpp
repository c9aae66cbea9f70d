#pragma once
// Private to the store layer: a bounded set of database connections shared by threads.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "store/sql_connection.hpp"

namespace paddock::store {

class ConnectionPool;

// One connection lent to one caller; returned to the pool when the lease ends (or dropped,
// if it became unusable).
class ConnectionLease {
 public:
  ConnectionLease(ConnectionPool* pool, std::unique_ptr<SqlConnection> connection)
      : pool_(pool), connection_(std::move(connection)) {}
  ConnectionLease(ConnectionLease&&) noexcept = default;
  ConnectionLease& operator=(ConnectionLease&&) = delete;
  ConnectionLease(const ConnectionLease&) = delete;
  ConnectionLease& operator=(const ConnectionLease&) = delete;
  ~ConnectionLease();

  SqlConnection& operator*() const { return *connection_; }
  SqlConnection* operator->() const { return connection_.get(); }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<SqlConnection> connection_;
};

class ConnectionPool {
 public:
  using Factory = std::function<Result<std::unique_ptr<SqlConnection>>()>;

  // Opens connections with `factory` as needed, at most `max_size` at once. `database`
  // names the database in errors.
  ConnectionPool(Factory factory, int max_size, std::chrono::milliseconds wait,
                 std::string database);

  // Hands out an idle connection or opens a new one. Waits up to `wait` when all are lent
  // out, then fails with "db_busy"; fails with the factory's error if opening fails.
  Result<ConnectionLease> acquire();

  // Gives the pool a connection opened elsewhere (the one that ran the migrations).
  void adopt(std::unique_ptr<SqlConnection>);

  // Closes the idle connections: after one turned out unusable the others, opened before
  // the same outage, most likely are too.
  void drop_idle();

 private:
  friend class ConnectionLease;
  void give_back(std::unique_ptr<SqlConnection>);

  Factory factory_;
  const int max_size_;
  const std::chrono::milliseconds wait_;
  const std::string database_;

  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;
  int open_ = 0;  // idle + lent out + being opened
};

}  // namespace paddock::store
