#!/usr/bin/python3
"""Compares paddock's board (rate --format json) with the reference's: prints the largest
difference between scores and between interval widths, in points."""
import json
import sys


def by_model(path):
    with open(path) as f:
        return {m["model"]: m for m in json.load(f)["models"]}


def main():
    paddock, reference = by_model(sys.argv[1]), by_model(sys.argv[2])
    if set(paddock) != set(reference):
        raise SystemExit("the two boards have different models")
    score = max(abs(paddock[m]["rating"] - reference[m]["rating"]) for m in paddock)
    width = max(abs((paddock[m]["ci_high"] - paddock[m]["ci_low"])
                    - (reference[m]["ci_high"] - reference[m]["ci_low"])) for m in paddock)
    mean_width = sum(p["ci_high"] - p["ci_low"] for p in paddock.values()) / len(paddock)
    print(f"max_score_difference {score:.4f}")
    print(f"max_interval_width_difference {width:.4f}")
    print(f"mean_interval_width {mean_width:.4f}")


if __name__ == "__main__":
    main()
