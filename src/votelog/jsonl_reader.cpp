// JSON Lines, in parallel: the main thread reads the input in chunks that end at a newline,
// worker threads parse chunks (line by line: SimpleRecordScanner, else simdjson) into
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
// SimpleRecordScanner, anything else (and every malformed line) by simdjson.
void parse_chunk(Chunk& chunk, const ReadOptions& options, simdjson::dom::parser& parser,
                 ChunkOutcome& out) {
  chunk.table.clear();
  chunk.table.reserve(chunk.size / kTypicalRecordBytes);
  VoteSink sink(options, chunk.table);
  SimpleRecordScanner scanner;
  RawVote raw;
  for_each_line(chunk, [&](const char* start, std::size_t len) {
    ++out.lines;
    if (blank(start, len)) return true;
    ++out.records;
    std::optional<Problem> problem;
    if (!scanner.scan(std::string_view(start, len), raw)) {
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

// Parses chunks on this thread, one after another (a small input, or one thread).
Status read_serially(ChunkReader& reader, Chunk first, Chunk second, ReadContext& ctx) {
  simdjson::dom::parser parser;
  int64_t lines_before = 0;
  Chunk chunk = std::move(first);
  Chunk spare = std::move(second);
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

// Worker threads that parse the chunks submitted to them; the caller merges the results in
// the order it submitted the chunks. Destroying it stops the workers; chunks not parsed by
// then are skipped (the read failed, nobody will merge them).
class ParallelParser {
 public:
  ParallelParser(int workers, const ReadOptions& options) : options_(options) {
    for (int t = 0; t < workers; ++t) pool_.emplace_back([this] { work(); });
  }

  ~ParallelParser() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    for (auto& t : pool_) t.join();
  }

  void submit(Chunk chunk) {
    {
      std::lock_guard lock(mu_);
      jobs_.push_back({submitted_++, std::move(chunk)});
    }
    cv_.notify_all();
  }

  std::size_t in_flight() const { return submitted_ - merged_; }

  // Waits for the oldest chunk not merged yet and appends it to `ctx`; its buffer goes to
  // `spare` for reuse.
  Status merge_next(ReadContext& ctx, int64_t& lines_before, std::vector<Chunk>& spare) {
    Done d;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return done_.count(merged_) > 0; });
      d = std::move(done_.at(merged_));
      done_.erase(merged_);
    }
    ++merged_;
    auto status = merge(ctx, d.chunk.table, d.outcome, lines_before);
    spare.push_back(std::move(d.chunk));
    return status;
  }

 private:
  struct Job {
    std::size_t seq = 0;
    Chunk chunk;
  };
  struct Done {
    ChunkOutcome outcome;
    Chunk chunk;
  };

  void work() {
    simdjson::dom::parser parser;
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !jobs_.empty() || closing_; });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
        if (closing_) job.chunk.size = 0;
      }
      Done d;
      parse_chunk(job.chunk, options_, parser, d.outcome);
      d.chunk = std::move(job.chunk);
      {
        std::lock_guard lock(mu_);
        done_.emplace(job.seq, std::move(d));
      }
      cv_.notify_all();
    }
  }

  const ReadOptions& options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  std::map<std::size_t, Done> done_;
  bool closing_ = false;
  std::size_t submitted_ = 0, merged_ = 0;  // used by the caller's thread only
  std::vector<std::thread> pool_;
};

// Reads on while `workers` threads parse, keeping each busy with a couple of chunks.
Status read_in_parallel(ChunkReader& reader, Chunk first, Chunk second, int workers,
                        ReadContext& ctx) {
  ParallelParser parser(workers, ctx.options);
  int64_t lines_before = 0;
  std::vector<Chunk> spare;
  parser.submit(std::move(first));
  parser.submit(std::move(second));
  const std::size_t most_in_flight = static_cast<std::size_t>(workers) * kChunksInFlightPerWorker;
  for (;;) {
    while (parser.in_flight() >= most_in_flight) {
      if (auto status = parser.merge_next(ctx, lines_before, spare); !status) return status;
    }
    Chunk recycled;
    if (!spare.empty()) {
      recycled = std::move(spare.back());
      spare.pop_back();
    }
    auto next = reader.next(std::move(recycled));
    if (!next) return std::unexpected(next.error());
    if (next->size == 0) break;
    parser.submit(std::move(*next));
  }
  while (parser.in_flight() > 0) {
    if (auto status = parser.merge_next(ctx, lines_before, spare); !status) return status;
  }
  return ok();
}

}  // namespace

Status read_json_lines(ByteSource& source, std::string head, ReadContext& ctx) {
  const std::size_t chunk_bytes =
      ctx.options.chunk_bytes > 0 ? ctx.options.chunk_bytes : kDefaultChunkBytes;
  ChunkReader reader(source, std::move(head), chunk_bytes);
  auto first = reader.next(Chunk{});
  if (!first) return std::unexpected(first.error());
  reserve_for(ctx, *first, source.size_hint());
  auto second = reader.next(Chunk{});
  if (!second) return std::unexpected(second.error());

  const int workers = ctx.options.threads > 0
                          ? ctx.options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (second->size == 0 || workers == 1) {
    return read_serially(reader, std::move(*first), std::move(*second), ctx);
  }
  return read_in_parallel(reader, std::move(*first), std::move(*second), workers, ctx);
}

}  // namespace paddock::votelog
