// The dispatcher's queues, in process over a real SQLite store: exports run on the work
// queue, and however busy it is, /healthz and the admin calls still answer (they have a
// queue of their own). Driven through Dispatcher::handle rather than a socket because only
// in process can the test hold the export queue busy for as long as it likes: over HTTP,
// "busy" would be a race against the machine's speed.

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "arena/arena.hpp"
#include "http/dispatcher.hpp"
#include "http/work_queue.hpp"
#include "store/open_store.hpp"
#include "support/temp_dir.hpp"

namespace paddock::http {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = "work-queues-test-admin-token";

class WorkQueues : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::open_store((dir_ / "paddock.db").string());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    arena::ArenaOptions o;
    o.media_dir = dir_ / "media";
    auto a = arena::Arena::open(*store_, o);
    ASSERT_TRUE(a) << a.error().message;
    arena_ = std::move(*a);
    // The export queue's only thread is held until the test lets go.
    exports_.post([gate = gate_.get_future().share()] { gate.wait(); });
  }
  void TearDown() override {
    release();
    exports_.shutdown();
    control_.shutdown();
    files_.shutdown();
    if (arena_) arena_->stop();
  }
  void release() {
    if (!released_) gate_.set_value();
    released_ = true;
  }

  // The status `dispatcher` answers `path` with, or 0 if no answer came within `wait`.
  int status_within(Dispatcher& dispatcher, const std::string& path,
                    std::chrono::milliseconds wait) {
    Request r;
    r.method = Method::Get;
    r.target = r.path = path;
    r.host = "127.0.0.1";
    r.peer_address = "127.0.0.1";
    r.authorization = std::string("Bearer ") + kToken;
    auto answer = std::make_shared<std::promise<int>>();
    auto status = answer->get_future();
    dispatcher.handle(std::move(r),
                      [answer](Response&& response) { answer->set_value(response.status); });
    if (status.wait_for(wait) != std::future_status::ready) {
      pending_.push_back(std::move(status));
      return 0;
    }
    return status.get();
  }

  DispatcherOptions options(bool own_queues) {
    DispatcherOptions o;
    o.admin_token = kToken;
    o.web_root = dir_ / "web";
    if (own_queues) {
      o.control_queue = &control_;
      o.file_queue = &files_;
    }
    return o;
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<arena::Arena> arena_;
  std::promise<void> gate_;
  bool released_ = false;
  WorkQueue exports_{1};
  WorkQueue control_{1};
  WorkQueue files_{1};
  std::vector<std::future<int>> pending_;
};

TEST_F(WorkQueues, HealthAndAdminAnswerWhileTheExportQueueIsBusy) {
  Dispatcher dispatcher(*arena_, exports_, options(true));
  EXPECT_EQ(status_within(dispatcher, "/healthz", 5s), 200);
  EXPECT_EQ(status_within(dispatcher, "/api/admin/stats", 5s), 200);
  EXPECT_EQ(status_within(dispatcher, "/api/admin/models", 5s), 200);
  // An export waits its turn behind the busy queue, as it should.
  EXPECT_EQ(status_within(dispatcher, "/api/admin/export", 200ms), 0);
  release();
  for (auto& p : pending_) EXPECT_EQ(p.wait_for(5s), std::future_status::ready);
}

TEST_F(WorkQueues, SharingTheExportQueueHealthChecksWouldWait) {
  // What the separate queue prevents (and proof that the test above can fail).
  Dispatcher dispatcher(*arena_, exports_, options(false));
  EXPECT_EQ(status_within(dispatcher, "/healthz", 300ms), 0);
  release();
  ASSERT_EQ(pending_.size(), 1u);
  ASSERT_EQ(pending_[0].wait_for(5s), std::future_status::ready);
  EXPECT_EQ(pending_[0].get(), 200);
}

}  // namespace
}  // namespace paddock::http
