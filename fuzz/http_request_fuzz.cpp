// Whole requests through paddock's HTTP handler (http::Dispatcher) over a real arena on a
// scratch SQLite database: routing, sessions, cross-site checks, the admin token, and every
// endpoint parsing its body or query as it does in production (votes, battles, admin model
// and void bodies, leaderboard filters and weights, exports, media tokens). Only the socket
// layer (Beast) is left out.
//
// An input is one to four requests separated by a line "~~~"; each is written like HTTP:
//   POST /api/votes
//   Cookie: paddock_session=$SESSION
//   Content-Type: application/json
//
//   {"ticket":"$TICKET","choice":"left"}
// In any part, $SESSION becomes a valid session cookie value, $TICKET a ticket just issued
// to that session, $CLIP that battle's left clip token and $ADMIN the admin token, so the
// fuzzer gets past the authentication and reaches what lies behind it.
//
// Checks: every request is answered, within 10 s; never with 500 (an exception escaped an
// endpoint, or an error without a status); /api/ answers are JSON, and errors say
// {"error":{"code","message"}}; no answer to a voter names a hidden model, or the real name
// or organization of an anonymous one (unless the request itself did: error messages quote it).

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "arena/arena.hpp"
#include "http/dispatcher.hpp"
#include "http/session_cookie.hpp"
#include "store/open_store.hpp"
#include "store/store.hpp"
#include "support/fuzz_support.hpp"

namespace {

using namespace paddock;
namespace fs = std::filesystem;

constexpr const char* kAdminToken = "fuzz-admin-token-0123456789abcdef";
constexpr const char* kTicketKey =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
// Inputs before the arena starts over from an empty database, so it does not grow forever.
constexpr int kInputsPerArena = 20000;

// Strings that must not reach a voter: the hidden model, and who the anonymous one really is.
const std::vector<std::string> kSecrets = {"ghost-model", "Ghost Model",   "Ghost Labs",
                                           "zebra-q9",    "Zebra Quantum", "Zebra Labs"};

std::string hash_of(int n) {
  std::string h(64, '0');
  const std::string tail = std::to_string(n);
  h.replace(64 - tail.size(), tail.size(), tail);
  return h;
}

template <typename T>
T must(Result<T> r, const char* what) {
  FUZZ_CHECK(r.has_value(), "%s: %s", what, r.error().message.c_str());
  return std::move(*r);
}

void fill_catalog(store::Store& s) {
  for (const char* id : {"t2v", "i2v"}) {
    store::Track t;
    t.id = id;
    t.name = id;
    t.task = std::string_view(id) == "i2v" ? store::Task::ImageToVideo : store::Task::TextToVideo;
    t.duration_s = 1;
    t.aspect = "16:9";
    t.width = 320;
    t.height = 180;
    must(s.upsert_track(t), "track");
  }
  const std::vector<store::Model> models = {
      {"seedance-2", "Seedance 2.0", "ByteDance", store::ModelStatus::Public, ""},
      {"kling-21", "Kling 2.1", "Kuaishou", store::ModelStatus::Public, ""},
      {"zebra-q9", "Zebra Quantum 9", "Zebra Labs", store::ModelStatus::Anonymous,
       "HappyHorse-1.0"},
      {"ghost-model", "Ghost Model", "Ghost Labs", store::ModelStatus::Hidden, ""},
  };
  for (const auto& m : models) must(s.upsert_model(m), "model");
  int clip = 0;
  for (const char* track : {"t2v", "i2v"}) {
    for (const char* prompt : {"p1", "p2"}) {
      store::Prompt p;
      p.track_id = track;
      p.id = prompt;
      p.text = std::string("a prompt ") + prompt;
      p.language = "en";
      p.categories = std::string_view(prompt) == "p1"
                         ? std::vector<std::string>{"animals", "motion"}
                         : std::vector<std::string>{"landscape"};
      if (std::string_view(track) == "i2v") {
        p.source_hash = hash_of(999);
        p.source_mime = "image/png";
      }
      must(s.upsert_prompt(p), "prompt");
      for (const auto& m : models) {
        store::Clip c;
        c.track_id = track;
        c.prompt_id = prompt;
        c.model_id = m.id;
        c.hash = hash_of(++clip);
        c.mime = "video/mp4";
        c.duration_s = 1;
        c.width = 320;
        c.height = 180;
        c.fps = 24;
        c.video_codec = "h264";
        c.bytes = 1000;
        must(s.upsert_clip(c), "clip");
      }
    }
  }
}

// One arena on a fresh database, with its handler.
struct Harness {
  fs::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<arena::Arena> arena;
  std::unique_ptr<http::WorkQueue> blocking;
  std::unique_ptr<http::Dispatcher> dispatcher;
  std::unique_ptr<http::SessionCodec> sessions;
  http::Session session;

  explicit Harness(int generation) {
    dir = fuzz::scratch_dir() / ("arena-" + std::to_string(generation));
    fs::remove_all(dir);
    fs::create_directories(dir / "media");
    fs::create_directories(dir / "web");
    store = must(store::open_store((dir / "paddock.db").string()), "open the store");
    fill_catalog(*store);
    arena::ArenaOptions ao;
    ao.media_dir = dir / "media";
    ao.ticket_key = kTicketKey;
    ao.leaderboards.bootstrap_rounds = 20;
    ao.leaderboards.min_votes = 1;
    ao.leaderboards.interval = std::chrono::milliseconds(200);
    ao.leaderboards.render_board = http::render_board_json;
    ao.leaderboards.render_history = http::render_history_json;
    arena = must(arena::Arena::open(*store, ao), "open the arena");
    blocking = std::make_unique<http::WorkQueue>(1);
    http::DispatcherOptions dopt;
    dopt.web_root = dir / "web";
    dopt.admin_token = kAdminToken;
    dopt.trust_forwarded_for = true;
    dopt.limits = {0, 0, 0, 0};  // the fuzzer would spend its time being told to wait
    dispatcher = std::make_unique<http::Dispatcher>(*arena, *blocking, dopt);
    sessions = std::make_unique<http::SessionCodec>(arena->keys().session);
    session = sessions->mint();
    // Warm up every background thread (battle recorder, vote writer, leaderboards), so the
    // function-local statics they make exist before stop_at_exit is first registered.
    auto battle = must(arena->issue_battle("t2v", session.id, "127.0.0.1"), "a first battle");
    std::promise<void> voted;
    arena->cast_vote({battle.ticket, "left", 5000, 5000, 6000, session.id, "127.0.0.1"},
                     [&voted](Result<arena::VoteReceipt>) { voted.set_value(); });
    voted.get_future().wait();
    arena->flush_battles();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (arena->leaderboards().board({"t2v", {}, "as_voted", {}}).state ==
               arena::LeaderboardCache::State::Computing &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ~Harness() {
    arena->stop();
    blocking->shutdown();
    dispatcher.reset();
    arena.reset();
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

void replace_all(std::string& s, std::string_view from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

http::Method method_of(std::string_view m) {
  if (m == "GET") return http::Method::Get;
  if (m == "HEAD") return http::Method::Head;
  if (m == "POST") return http::Method::Post;
  if (m == "PUT") return http::Method::Put;
  if (m == "DELETE") return http::Method::Delete;
  if (m == "PATCH") return http::Method::Patch;
  if (m == "OPTIONS") return http::Method::Options;
  return http::Method::Other;
}

void set_header(http::Request& r, std::string_view name, std::string value) {
  auto is = [&](std::string_view n) {
    return name.size() == n.size() &&
           std::equal(name.begin(), name.end(), n.begin(),
                      [](char a, char b) { return std::tolower(a) == std::tolower(b); });
  };
  if (is("host"))
    r.host = std::move(value);
  else if (is("content-type"))
    r.content_type = std::move(value);
  else if (is("cookie"))
    r.cookie = std::move(value);
  else if (is("origin"))
    r.origin = std::move(value);
  else if (is("sec-fetch-site"))
    r.sec_fetch_site = std::move(value);
  else if (is("range"))
    r.range = std::move(value);
  else if (is("if-range"))
    r.if_range = std::move(value);
  else if (is("if-none-match"))
    r.if_none_match = std::move(value);
  else if (is("accept-encoding"))
    r.accept_encoding = std::move(value);
  else if (is("authorization"))
    r.authorization = std::move(value);
  else if (is("x-forwarded-for"))
    r.forwarded_for = std::move(value);
}

http::Request parse_request(std::string text) {
  http::Request r;
  r.peer_address = "127.0.0.1";
  r.host = "arena.test";
  const auto head_end = text.find("\n\n");
  std::string_view head(text.data(), head_end == std::string::npos ? text.size() : head_end);
  if (head_end != std::string::npos) r.body = text.substr(head_end + 2);
  const auto first_end = head.find('\n');
  std::string_view first = head.substr(0, first_end);
  const auto space = first.find(' ');
  r.method = method_of(first.substr(0, space));
  r.target = space == std::string_view::npos ? "/" : std::string(first.substr(space + 1));
  const auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  std::string_view rest = first_end == std::string_view::npos ? "" : head.substr(first_end + 1);
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? "" : rest.substr(nl + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    set_header(r, line.substr(0, colon), std::string(value));
  }
  return r;
}

// Sends one request and waits for its answer (a streamed body is read to its end).
http::Response exchange(http::Dispatcher& d, http::Request request) {
  auto promise = std::make_shared<std::promise<http::Response>>();
  auto answer = promise->get_future();
  d.handle(std::move(request), [promise](http::Response&& r) { promise->set_value(std::move(r)); });
  FUZZ_CHECK(answer.wait_for(std::chrono::seconds(10)) == std::future_status::ready,
             "no answer within 10 s");
  http::Response r = answer.get();
  if (r.stream) {
    for (int pieces = 0; pieces < 100000; ++pieces) {
      auto piece = r.stream();
      if (!piece || !*piece) break;
      r.body += **piece;
    }
  }
  return r;
}

void check(const http::Request& request, const http::Response& r, bool catalog_changed) {
  FUZZ_CHECK(r.status != 500, "500 for %s %s: %s", request.target.c_str(),
             request.body.substr(0, 200).c_str(), r.body.c_str());
  FUZZ_CHECK(r.status >= 200 && r.status < 600, "status %d", r.status);
  const bool api = request.path.starts_with("/api/") || request.path.starts_with("/media/");
  const std::string* type = r.find_header("Content-Type");
  if (api && type && type->starts_with("application/json") && !r.body.empty()) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    FUZZ_CHECK(!j.is_discarded(), "%s answered JSON that does not parse: %s",
               request.target.c_str(), r.body.substr(0, 300).c_str());
    if (r.status >= 400) {
      FUZZ_CHECK(j.contains("error") && j["error"].contains("code") &&
                     j["error"]["code"].is_string() && j["error"].contains("message"),
                 "an error answer without code and message: %s", r.body.c_str());
    }
  }
  if (!request.path.starts_with("/api/admin/") && !catalog_changed) {
    const std::string asked = request.target + request.body + request.cookie;
    for (const auto& secret : kSecrets) {
      if (asked.find(secret) != std::string::npos) continue;  // an echo of the request
      FUZZ_CHECK(r.body.find(secret) == std::string::npos, "%s revealed \"%s\": %s",
                 request.target.c_str(), secret.c_str(), r.body.substr(0, 300).c_str());
      for (const auto& [name, value] : r.headers) {
        FUZZ_CHECK(value.find(secret) == std::string::npos, "header %s revealed \"%s\"",
                   name.c_str(), secret.c_str());
      }
    }
  }
}

std::unique_ptr<Harness> h;

// At exit the arena's threads must stop before static objects they use are destroyed, so
// this runs first: it is registered again every few inputs (exit handlers run last
// registered first, and a thread may make a function-local static at any time), and it
// ends the process itself, skipping whatever was registered before it.
void stop_at_exit() {
  h.reset();
  std::error_code ec;
  fs::remove_all(fuzz::scratch_dir(), ec);  // _Exit skips the scratch folder's own remover
  std::_Exit(0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static int inputs = 0;
  static bool catalog_changed = false;
  if (!h || catalog_changed || inputs % kInputsPerArena == 0) {
    const bool first = !h;
    h.reset();
    h = std::make_unique<Harness>(inputs);
    catalog_changed = false;
    if (first) std::atexit(stop_at_exit);
  }
  if (++inputs % 16 == 0) std::atexit(stop_at_exit);

  std::string_view input = fuzz::as_text(data, size);
  for (int n = 0; n < 4 && !input.empty(); ++n) {
    const auto cut = input.find("\n~~~\n");
    std::string text(input.substr(0, cut));
    input = cut == std::string_view::npos ? std::string_view() : input.substr(cut + 5);

    if (text.find("$TICKET") != std::string::npos || text.find("$CLIP") != std::string::npos) {
      auto battle = h->arena->issue_battle("t2v", h->session.id, "127.0.0.1");
      FUZZ_CHECK(battle.has_value(), "no battle: %s", battle.error().message.c_str());
      replace_all(text, "$TICKET", battle->ticket);
      replace_all(text, "$CLIP", battle->left_token);
    }
    replace_all(text, "$SESSION", h->session.cookie_value);
    replace_all(text, "$ADMIN", kAdminToken);

    http::Request request = parse_request(std::move(text));
    const http::Request copy = request;
    const http::Response response = exchange(*h->dispatcher, std::move(request));
    check(copy, response, catalog_changed);
    // An administrator may reveal a model: from then on its names are no secret, and the
    // next input gets a fresh arena.
    if (copy.path == "/api/admin/models" && copy.method == http::Method::Post &&
        response.status < 300) {
      catalog_changed = true;
    }
  }
  return 0;
}
