#include "store/connection_pool.hpp"

#include <fmt/core.h>

namespace paddock::store {

ConnectionLease::~ConnectionLease() {
  if (pool_ != nullptr && connection_) pool_->give_back(std::move(connection_));
}

ConnectionPool::ConnectionPool(Factory factory, int max_size, std::chrono::milliseconds wait,
                               std::string database)
    : factory_(std::move(factory)),
      max_size_(max_size < 1 ? 1 : max_size),
      wait_(wait),
      database_(std::move(database)) {}

Result<ConnectionLease> ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  const bool free =
      returned_.wait_for(lock, wait_, [&] { return !idle_.empty() || open_ < max_size_; });
  if (!free) {
    return fail("db_busy", fmt::format("{}: all {} connections stayed in use for {} ms", database_,
                                       max_size_, wait_.count()));
  }
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return ConnectionLease(this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  auto opened = factory_();  // slow (PostgreSQL: a network round trip), so outside the lock
  if (!opened) {
    lock.lock();
    --open_;
    returned_.notify_one();
    return std::unexpected(opened.error());
  }
  return ConnectionLease(this, std::move(*opened));
}

void ConnectionPool::adopt(std::unique_ptr<SqlConnection> connection) {
  std::lock_guard lock(mutex_);
  ++open_;
  idle_.push_back(std::move(connection));
  returned_.notify_one();
}

void ConnectionPool::drop_idle() {
  std::vector<std::unique_ptr<SqlConnection>> dropped;
  {
    std::lock_guard lock(mutex_);
    open_ -= static_cast<int>(idle_.size());
    dropped.swap(idle_);
    returned_.notify_all();
  }
  // closed here, outside the lock
}

void ConnectionPool::give_back(std::unique_ptr<SqlConnection> connection) {
  std::unique_ptr<SqlConnection> closing;
  {
    std::lock_guard lock(mutex_);
    if (connection->usable()) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
      closing = std::move(connection);
    }
    returned_.notify_one();
  }
}

}  // namespace paddock::store
