// JSON Lines, in parallel: the main thread reads the input in chunks that end at a newline,
// worker threads parse chunks (line by line: scan_simple_record, else simdjson) into
// chunk-local tables, and the main thread appends those in input order. Line numbers are
// chunk-local until the merge adds the lines before them, so the first error reported is always the
// earliest, whatever the thread count.

#include <simdjson.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "votelog/json_record.hpp"
#include "votelog/readers.hpp"

namespace paddock::votelog {

namespace {

constexpr std::size_t kDefaultChunkBytes = std::size_t{4} << 20;
constexpr std::size_t kPadding = simdjson::SIMDJSON_PADDING;
constexpr int kChunksInFlightPerWorker = 2;
constexpr double kReserveSlack = 1.02;            // room over the estimated vote count
constexpr std::size_t kTypicalRecordBytes = 100;  // for reserving a chunk's table

struct Chunk {
  std::unique_ptr<char[]> data;
  std::size_t capacity = 0;  // bytes usable before the padding
  std::size_t size = 0;      // bytes of whole lines
  rating::VoteTable table;   // the chunk's votes once parsed; recycled with the buffer
};

struct LocalProblem {
  int64_t line;
  Problem problem;
};

struct ChunkOutcome {
  int64_t lines = 0, records = 0, filtered = 0;
  std::vector<LocalProblem> problems;
};

bool blank(const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
  }
  return true;
}

// Calls f(start, length) for each line of the chunk.
template <typename F>
void for_each_line(const Chunk& chunk, F f) {
  const char* data = chunk.data.get();
  std::size_t pos = 0;
  while (pos < chunk.size) {
    const char* start = data + pos;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', chunk.size - pos));
    const std::size_t len =
        newline != nullptr ? static_cast<std::size_t>(newline - start) : chunk.size - pos;
    pos += len + 1;
    if (!f(start, len)) return;
  }
}

// One line at a time, each line one complete JSON value: the common records by
// scan_simple_record, anything else (and every malformed line) by simdjson.
void parse_chunk(Chunk& chunk, const ReadOptions& options, simdjson::dom::parser& parser,
                 ChunkOutcome& out) {
  chunk.table.clear();
  chunk.table.reserve(chunk.size / kTypicalRecordBytes);
  VoteSink sink(options, chunk.table);
  RawVote raw;
  for_each_line(chunk, [&](const char* start, std::size_t len) {
    ++out.lines;
    if (blank(start, len)) return true;
    ++out.records;
    std::optional<Problem> problem;
    if (!scan_simple_record(std::string_view(start, len), raw)) {
      simdjson::dom::element element;
      // The chunk's padding lies after every line, so no copy is needed.
      if (auto e = parser.parse(start, len, false).get(element)) {
        problem = json_problem(e);
      } else {
        problem = read_dom_record(element, raw);
      }
    }
    if (!problem) problem = sink.accept(raw);
    if (problem) {
      out.problems.push_back({out.lines, std::move(*problem)});
      if (!options.skip_invalid) return false;
    }
    return true;
  });
  out.filtered = sink.filtered;
}

class ChunkReader {
 public:
  ChunkReader(ByteSource& source, std::string head, std::size_t chunk_bytes)
      : source_(source), carry_(std::move(head)), chunk_bytes_(chunk_bytes) {}

  // The next chunk of whole lines, or an empty chunk at the end.
  Result<Chunk> next(Chunk recycled) {
    Chunk c = std::move(recycled);
    c.size = 0;
    std::size_t target = std::max(chunk_bytes_, carry_.size() * 2);
    reserve(c, target);
    std::memcpy(c.data.get(), carry_.data(), carry_.size());
    std::size_t used = carry_.size();
    carry_.clear();
    for (;;) {
      while (used < target && !eof_) {
        auto n = source_.read(c.data.get() + used, target - used);
        if (!n) return std::unexpected(n.error());
        if (*n == 0) eof_ = true;
        used += *n;
      }
      const void* last = memrchr(c.data.get(), '\n', used);
      if (last != nullptr) {
        const std::size_t size = static_cast<const char*>(last) - c.data.get() + 1;
        carry_.assign(c.data.get() + size, used - size);
        c.size = size;
        return c;
      }
      if (eof_) {
        c.size = used;
        return c;
      }
      target *= 2;  // one line longer than a chunk: grow
      reserve(c, target, used);
    }
  }

 private:
  static void reserve(Chunk& c, std::size_t capacity, std::size_t keep = 0) {
    if (c.capacity >= capacity && c.data) return;
    // Not zero-filled: only the bytes read are used (simdjson never reads past the padding).
    std::unique_ptr<char[]> data(new char[capacity + kPadding]);
    if (keep > 0) std::memcpy(data.get(), c.data.get(), keep);
    c.data = std::move(data);
    c.capacity = capacity;
  }

  ByteSource& source_;
  std::string carry_;
  std::size_t chunk_bytes_;
  bool eof_ = false;
};

// Appends a parsed chunk to the context, in order.
Status merge(ReadContext& ctx, const rating::VoteTable& table, ChunkOutcome& outcome,
             int64_t& lines_before) {
  ctx.report.records += outcome.records;
  ctx.report.filtered += outcome.filtered;
  ctx.report.added += static_cast<int64_t>(table.size());
  ctx.table.append(table);
  for (const auto& p : outcome.problems) {
    if (auto status = report_problem(ctx, lines_before + p.line, p.problem); !status) {
      return status;
    }
  }
  lines_before += outcome.lines;
  return ok();
}

void reserve_for(ReadContext& ctx, const Chunk& first, std::size_t total_bytes) {
  if (total_bytes <= first.size || first.size == 0) return;
  std::size_t lines = 0;
  for (const char* p = first.data.get(); p != nullptr;) {
    p = static_cast<const char*>(
        std::memchr(p, '\n', first.size - static_cast<std::size_t>(p - first.data.get())));
    if (p != nullptr) {
      ++lines;
      ++p;
      if (p == first.data.get() + first.size) break;
    }
  }
  if (lines == 0) return;
  const double per_line = static_cast<double>(first.size) / static_cast<double>(lines);
  ctx.table.reserve(
      static_cast<std::size_t>(static_cast<double>(total_bytes) / per_line * kReserveSlack));
}

}  // namespace

Status read_json_lines(ByteSource& source, std::string head, ReadContext& ctx) {
  const std::size_t chunk_bytes =
      ctx.options.chunk_bytes > 0 ? ctx.options.chunk_bytes : kDefaultChunkBytes;
  ChunkReader reader(source, std::move(head), chunk_bytes);
  int64_t lines_before = 0;

  auto first = reader.next(Chunk{});
  if (!first) return std::unexpected(first.error());
  reserve_for(ctx, *first, source.size_hint());
  auto second = reader.next(Chunk{});
  if (!second) return std::unexpected(second.error());

  const int workers = ctx.options.threads > 0
                          ? ctx.options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (second->size == 0 || workers == 1) {
    // Small input (or one thread): parse here, chunk by chunk.
    simdjson::dom::parser parser;
    Chunk chunk = std::move(*first);
    Chunk spare = std::move(*second);
    while (chunk.size > 0) {
      ChunkOutcome outcome;
      parse_chunk(chunk, ctx.options, parser, outcome);
      if (auto status = merge(ctx, chunk.table, outcome, lines_before); !status) return status;
      if (spare.size > 0) {
        std::swap(chunk, spare);
        spare.size = 0;
        continue;
      }
      auto next = reader.next(std::move(chunk));
      if (!next) return std::unexpected(next.error());
      chunk = std::move(*next);
    }
    return ok();
  }

  struct Job {
    std::size_t seq;
    Chunk chunk;
  };
  struct Done {
    ChunkOutcome outcome;
    Chunk chunk;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Job> jobs;
  std::map<std::size_t, Done> done;
  bool closing = false;
  bool cancelled = false;

  auto work = [&]() {
    simdjson::dom::parser parser;
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !jobs.empty() || closing; });
        if (jobs.empty()) return;
        job = std::move(jobs.front());
        jobs.pop_front();
        if (cancelled) job.chunk.size = 0;
      }
      Done d;
      parse_chunk(job.chunk, ctx.options, parser, d.outcome);
      d.chunk = std::move(job.chunk);
      {
        std::lock_guard lock(mu);
        done.emplace(job.seq, std::move(d));
      }
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < workers; ++t) pool.emplace_back(work);

  std::size_t submitted = 0, merged = 0;
  std::vector<Chunk> spare_buffers;
  auto submit = [&](Chunk c) {
    {
      std::lock_guard lock(mu);
      jobs.push_back({submitted++, std::move(c)});
    }
    cv.notify_all();
  };
  auto merge_next = [&]() -> Status {
    Done d;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return done.count(merged) > 0; });
      d = std::move(done.at(merged));
      done.erase(merged);
    }
    ++merged;
    auto status = merge(ctx, d.chunk.table, d.outcome, lines_before);
    spare_buffers.push_back(std::move(d.chunk));
    return status;
  };

  Status status = ok();
  submit(std::move(*first));
  submit(std::move(*second));
  const std::size_t in_flight = static_cast<std::size_t>(workers) * kChunksInFlightPerWorker;
  for (bool more = true; more && status;) {
    while (status && submitted - merged >= in_flight) status = merge_next();
    if (!status) break;
    Chunk recycled;
    if (!spare_buffers.empty()) {
      recycled = std::move(spare_buffers.back());
      spare_buffers.pop_back();
    }
    auto next = reader.next(std::move(recycled));
    if (!next) {
      status = std::unexpected(next.error());
      break;
    }
    if (next->size == 0) {
      more = false;
    } else {
      submit(std::move(*next));
    }
  }
  while (status && merged < submitted) status = merge_next();
  {
    std::lock_guard lock(mu);
    closing = true;
    cancelled = !status.has_value();
  }
  cv.notify_all();
  for (auto& t : pool) t.join();
  return status;
}

}  // namespace paddock::votelog
