#!/usr/bin/python3
"""Reference Bradley-Terry leaderboard in Python, for bench/rate.sh only (never the product).

Written for paddock from the method the most-used open arena code describes: pandas reads the
votes and aggregates them into unique (pair, outcome) cells with counts; the Bradley-Terry
log-likelihood and its gradient are minimized with scipy's L-BFGS-B; the bootstrap draws
multinomial counts over the cells and fits each round on a pool of worker processes.
Ties and both-bad count half a win to each side; scores are on the 400-point scale with mean
1000; intervals are percentile intervals.

usage: bt_reference.py VOTES.jsonl [--rounds 1000] [--processes 2] [--seed 1] [--ci 0.95]
prints a JSON object {"models": [{"model", "rating", "ci_low", "ci_high"}], "timings": {...}}
"""
import argparse
import json
import math
import sys
import time
from multiprocessing import Pool

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit

SCALE = 400.0
BASE = 10.0
ANCHOR = 1000.0
POINTS_PER_NATURAL = SCALE / math.log(BASE)
OUTCOME_SCORE = {"model_a": 1.0, "model_b": 0.0, "tie": 0.5, "tie (bothbad)": 0.5}
GRADIENT_TOLERANCE = 1e-9
MAX_ITERATIONS = 500


def read_votes(path):
    return pd.read_json(path, lines=True, dtype={"model_a": str, "model_b": str, "winner": str})


def aggregate(votes):
    """Unique (model_a, model_b, outcome) cells and how many votes fell in each."""
    models = sorted(set(votes["model_a"]).union(votes["model_b"]))
    kind = pd.CategoricalDtype(models)
    table = pd.DataFrame({
        "a": votes["model_a"].astype(kind).cat.codes,
        "b": votes["model_b"].astype(kind).cat.codes,
        "y": votes["winner"].map(OUTCOME_SCORE),
    })
    if table["y"].isna().any():
        raise SystemExit("unknown winner in the log")
    cells = table.groupby(["a", "b", "y"], sort=True).size().reset_index(name="count")
    return (models, cells["a"].to_numpy(np.int64), cells["b"].to_numpy(np.int64),
            cells["y"].to_numpy(np.float64), cells["count"].to_numpy(np.float64))


class Problem:
    """Cells shared by every fit (set once per worker process)."""
    a = b = y = None
    models = 0


def loss_and_gradient(theta, weights):
    d = theta[Problem.a] - theta[Problem.b]
    p = expit(d)
    # -[y log p + (1 - y) log(1 - p)] with log p = -log(1 + e^-d), log(1 - p) = -log(1 + e^d)
    loss = np.sum(weights * (Problem.y * np.logaddexp(0.0, -d) + (1.0 - Problem.y) * np.logaddexp(0.0, d)))
    g = weights * (p - Problem.y)
    gradient = (np.bincount(Problem.a, weights=g, minlength=Problem.models)
                - np.bincount(Problem.b, weights=g, minlength=Problem.models))
    return loss, gradient


def fit(counts):
    weights = counts / counts.sum()  # same optimum; keeps the gradient's scale near 1
    result = minimize(loss_and_gradient, np.zeros(Problem.models), args=(weights,), jac=True,
                      method="L-BFGS-B",
                      options={"maxiter": MAX_ITERATIONS, "gtol": GRADIENT_TOLERANCE})
    theta = result.x
    return ANCHOR + POINTS_PER_NATURAL * (theta - theta.mean())


def init_worker(a, b, y, models):
    Problem.a, Problem.b, Problem.y, Problem.models = a, b, y, models


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("votes")
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ci", type=float, default=0.95)
    args = parser.parse_args()

    timings = {}
    start = time.perf_counter()
    votes = read_votes(args.votes)
    timings["parse"] = time.perf_counter() - start

    mark = time.perf_counter()
    models, a, b, y, counts = aggregate(votes)
    n_votes = int(counts.sum())
    del votes
    timings["aggregate"] = time.perf_counter() - mark

    mark = time.perf_counter()
    init_worker(a, b, y, len(models))
    ratings = fit(counts)
    timings["fit"] = time.perf_counter() - mark

    mark = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    draws = rng.multinomial(n_votes, counts / n_votes, size=args.rounds).astype(np.float64)
    with Pool(args.processes, initializer=init_worker, initargs=(a, b, y, len(models))) as pool:
        boot = np.array(pool.map(fit, list(draws), chunksize=8))
    tail = (1.0 - args.ci) / 2.0
    low, high = np.percentile(boot, [100 * tail, 100 * (1 - tail)], axis=0)
    timings["bootstrap"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - start

    order = np.argsort(-ratings, kind="stable")
    out = {
        "votes": n_votes,
        "cells": int(len(counts)),
        "models": [{"model": models[i], "rating": float(ratings[i]), "ci_low": float(low[i]),
                    "ci_high": float(high[i])} for i in order],
        "timings": timings,
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
