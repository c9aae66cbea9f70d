#!/usr/bin/env python3
"""Where one paddock wrk run's time went (bench/server/run.sh calls this after each run).

  where_time_went.py RUN ROUTE CLK_TCK

RUN names the run's files: RUN.txt (wrk's report), RUN.metrics0 / RUN.metrics1 (/metrics
before and after) and RUN.threads0 / RUN.threads1 ("thread-name CPU-ticks" lines for every
paddock thread, before and after). Prints the server's own latency for ROUTE (from its
histogram: from a request read to its answer, so it leaves out the time a request waited
for a CPU before it was read), each thread's CPU time per request, and the vote writer's
group commits.
"""
import math
import re
import sys


def metrics(path):
    values = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        key, _, value = line.rstrip("\n").rpartition(" ")
        values[key] = float(value)
    return values


def thread_ticks(path):
    """{thread name: [CPU ticks, nanoseconds waiting for a CPU]}, summed over same names."""
    ticks = {}
    for line in open(path):
        parts = line.split()
        if len(parts) >= 2:
            entry = ticks.setdefault(parts[0], [0, 0])
            entry[0] += int(parts[1])
            entry[1] += int(parts[2]) if len(parts) > 2 else 0
    return ticks


def quantiles(before, after, prefix, qs=(0.5, 0.99, 0.999)):
    """Upper bounds of the histogram buckets holding each quantile of the run's requests."""
    buckets = []
    for key, value in after.items():
        if not key.startswith(prefix):
            continue
        le = re.search(r'le="([^"]+)"', key).group(1)
        buckets.append((math.inf if le == "+Inf" else float(le), value - before.get(key, 0)))
    buckets.sort()
    total = buckets[-1][1] if buckets else 0
    out = []
    for q in qs:
        bound = next((b for b, n in buckets if total and n >= q * total), math.nan)
        out.append("over 2.5 s" if math.isinf(bound) else f"<= {bound * 1e3:g} ms")
    return total, out


def main():
    run, route, hz = sys.argv[1], sys.argv[2], int(sys.argv[3])
    m0, m1 = metrics(run + ".metrics0"), metrics(run + ".metrics1")
    report = open(run + ".txt").read()
    found = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)\b", report)
    requests = int(found.group(1))
    seconds = float(found.group(2)) * {"ms": 1e-3, "s": 1, "m": 60}[found.group(3)]

    answered, (p50, p99, p999) = quantiles(
        m0, m1, f'paddock_http_request_duration_seconds_bucket{{route="{route}",')
    print(f"  server-side latency of {route} ({answered:.0f} answers, histogram buckets): "
          f"p50 {p50}, p99 {p99}, p99.9 {p999}")

    t0, t1 = thread_ticks(run + ".threads0"), thread_ticks(run + ".threads1")
    per_request = {name: (t1[name][0] - t0.get(name, [0, 0])[0]) / hz * 1e6 / max(1, requests)
                   for name in t1}
    busy = ", ".join(f"{name} {us:.1f}" for name, us in
                     sorted(per_request.items(), key=lambda kv: -kv[1]) if us >= 0.1)
    print(f"  paddock CPU time per request by thread (microseconds): {busy}")
    if "paddock-io" in t1:
        ran = (t1["paddock-io"][0] - t0.get("paddock-io", [0, 0])[0]) / hz
        waited = (t1["paddock-io"][1] - t0.get("paddock-io", [0, 0])[1]) / 1e9
        print(f"  the io threads ran {ran:.1f} s and waited {waited:.1f} s for a CPU "
              f"(ready to run, every core taken) in the {seconds:.0f} s run")

    commits = m1.get("paddock_vote_commits_total", 0) - m0.get("paddock_vote_commits_total", 0)
    if commits > 0:
        votes = (m1["paddock_vote_commit_votes_total"] - m0["paddock_vote_commit_votes_total"])
        spent = (m1["paddock_vote_commit_seconds_total"] -
                 m0["paddock_vote_commit_seconds_total"])
        _, (c50, c99, _) = quantiles(m0, m1, "paddock_vote_commit_duration_seconds_bucket{")
        print(f"  vote commits: {commits:.0f}, {votes / commits:.1f} votes each, "
              f"{spent / commits * 1e3:.2f} ms each on average (p50 {c50}, p99 {c99}); "
              f"the writer spent {spent / seconds * 100:.0f}% of the run committing")


if __name__ == "__main__":
    main()
