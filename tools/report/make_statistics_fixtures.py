#!/usr/bin/env python3
"""Writes tests/fixtures/statistics/*.csv: reference values for tools/report/statistics.cpp.

Each value comes from an implementation independent of ours: NumPy for the median and the
coefficient of variation, SciPy for the Mann-Whitney U test and the binomial coverage of the
median's interval, and a complete enumeration of every bootstrap resample (exact fractions) for
the ratio of medians. Deterministic: rerunning it rewrites the same files.

Usage: python3 tools/report/make_statistics_fixtures.py [output-directory]
(the default output directory is tests/fixtures/statistics beside this script's repository).
"""

import csv
import itertools
import math
import statistics
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy import stats

# The C++ test draws this many resamples for the bootstrap cases; the accepted band around
# each exact percentile is sized for it.
TEST_RESAMPLES = 200000
# Our rule for the exact Mann-Whitney distribution (SciPy's "auto" uses exact only when one
# sample has at most 8 values); each case names the method SciPy is asked for explicitly.
EXACT_MAX_TOTAL = 50


def fmt(x):
    """A double as text that reads back to the same double."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    return repr(x)


def fmt_list(values):
    return " ".join(fmt(v) for v in values)


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def distinct_floats(rng, n, scale=1.0):
    """n distinct values rounded to 1e-6 (timings-like, no ties)."""
    while True:
        v = np.round(rng.uniform(0.5, 1.5, n) * scale, 6)
        if len(set(v)) == n:
            return [float(x) for x in v]


# ---- median and coefficient of variation (NumPy) ----

def median_cv_rows(rng):
    cases = [
        ("one", [3.5]),
        ("two", [1.0, 4.0]),
        ("odd", [5.0, 1.0, 3.0, 2.0, 4.0]),
        ("even", [0.4, 0.1, 0.3, 0.2]),
        ("ties", [2.0, 2.0, 1.0, 2.0, 9.0, 2.0]),
        ("constant", [0.25] * 7),
        ("timings_20", [float(x) for x in np.round(rng.lognormal(-3.0, 0.1, 20), 9)]),
        ("timings_31", [float(x) for x in np.round(rng.lognormal(0.0, 0.3, 31), 9)]),
        ("negative_mean", [-1.0, -2.0, -4.0]),
    ]
    rows = []
    for name, v in cases:
        a = np.array(v)
        med = float(np.median(a))
        assert med == statistics.median(v)
        cv = float(np.std(a, ddof=1) / np.mean(a)) if len(v) >= 2 else 0.0
        if len(v) >= 2:
            assert math.isclose(cv, statistics.stdev(v) / statistics.mean(v), rel_tol=1e-12,
                                abs_tol=1e-15)
        rows.append([name, fmt_list(v), fmt(med), fmt(cv)])
    return rows


# ---- Mann-Whitney U (SciPy) ----

def mann_whitney_rows(rng):
    big_a = distinct_floats(rng, 30, 1.0)
    cases = [
        ("exact_5_6", distinct_floats(rng, 5), distinct_floats(rng, 6)),
        ("exact_separated_3_2", [1.1, 2.2, 3.3], [4.4, 5.5]),
        ("exact_interleaved_2_2", [1.0, 4.0], [2.0, 3.0]),
        ("exact_single_values", [1.0], [2.0]),
        ("exact_shifted_10_10", distinct_floats(rng, 10), distinct_floats(rng, 10, 1.3)),
        ("exact_separated_10_12", [float(i) for i in range(10, 20)],
         [float(i) for i in range(20, 32)]),
        ("exact_25_25", distinct_floats(rng, 25), distinct_floats(rng, 25, 1.1)),
        ("exact_3_40", distinct_floats(rng, 3, 1.2), distinct_floats(rng, 40)),
        ("asymptotic_26_25", distinct_floats(rng, 26), distinct_floats(rng, 25, 1.1)),
        ("asymptotic_3_60", distinct_floats(rng, 3, 1.2), distinct_floats(rng, 60)),
        ("asymptotic_separated_30_30", [x + 10.0 for x in big_a], distinct_floats(rng, 30)),
        ("ties_small", [1.0, 2.0, 2.0, 3.0], [2.0, 3.0, 3.0, 4.0]),
        ("ties_integers_20_20", [float(x) for x in rng.integers(10, 16, 20)],
         [float(x) for x in rng.integers(11, 17, 20)]),
        ("identical_samples", [1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0]),
        ("all_equal", [7.0] * 6, [7.0] * 4),
    ]
    rows = []
    for name, a, b in cases:
        ties = len(set(a + b)) < len(a) + len(b)
        method = "exact" if not ties and len(a) + len(b) <= EXACT_MAX_TOTAL else "asymptotic"
        assert name.startswith(method) or ties, name
        r = stats.mannwhitneyu(a, b, use_continuity=True, alternative="two-sided",
                               method=method)
        rows.append([name, method, fmt_list(a), fmt_list(b), fmt(r.statistic), fmt(r.pvalue)])
    return rows


# ---- distribution-free interval of the median (SciPy's binomial) ----

def median_interval_rows(rng):
    rows = []
    for n in [3, 5, 6, 7, 8, 9, 10, 12, 15, 20, 30, 50, 100, 1000]:
        for level in [0.9, 0.95, 0.99]:
            values = distinct_floats(rng, n)
            order = sorted(values)
            best_k, best_cover = 0, float("nan")
            for k in range(1, n // 2 + 1):
                if k > n + 1 - k:
                    break
                cover = 1.0 - 2.0 * float(stats.binom.cdf(k - 1, n, 0.5))
                # A coverage this close to the level would make the fixture depend on rounding.
                assert abs(cover - level) > 1e-9, (n, level, k)
                if cover >= level:
                    best_k, best_cover = k, cover
            if best_k == 0:
                low = high = float("nan")
            else:
                low, high = order[best_k - 1], order[n - best_k]
            rows.append([f"n{n}_level{level}", fmt(level), fmt_list(values), best_k,
                         fmt(best_cover), fmt(low), fmt(high)])
    return rows


# ---- ratio of medians: the exact bootstrap distribution ----

def exact_quantile(dist, p):
    """Smallest attainable value x with P(X <= x) >= p; dist maps value -> Fraction mass."""
    cum = Fraction(0)
    for x in sorted(dist):
        cum += dist[x]
        if cum >= p:
            return x
    return max(dist)


def band(dist, p, resamples):
    """Values between which a percentile of `resamples` draws lands, all but surely.

    The exact quantiles at p -/+ 5 standard errors of an empirical CDF, widened to at least the
    attainable values just below and above the exact quantile at p."""
    se = math.sqrt(p * (1 - p) / resamples)
    atoms = sorted(dist)
    q = exact_quantile(dist, p)
    i = atoms.index(q)
    lo = min(exact_quantile(dist, Fraction(max(p - 5 * se, 0.0))), atoms[max(i - 1, 0)])
    hi = max(exact_quantile(dist, Fraction(min(p + 5 * se, 1.0))), atoms[min(i + 1,
                                                                              len(atoms) - 1)])
    return q, lo, hi


def median_distribution(values):
    """The exact distribution of the median of a resample (with replacement) of `values`."""
    n = len(values)
    counts = Counter(statistics.median(values[i] for i in idx)
                     for idx in itertools.product(range(n), repeat=n))
    total = n ** n
    return {m: Fraction(c, total) for m, c in counts.items()}


def ratio_distribution(num, den, paired):
    if paired:
        n = len(num)
        counts = Counter()
        for idx in itertools.product(range(n), repeat=n):
            counts[statistics.median(num[i] for i in idx) /
                   statistics.median(den[i] for i in idx)] += 1
        return {r: Fraction(c, n ** n) for r, c in counts.items()}
    dn, dd = median_distribution(num), median_distribution(den)
    out = Counter()
    for a, pa in dn.items():
        for b, pb in dd.items():
            out[a / b] += pa * pb
    return dict(out)


def ratio_rows():
    cases = [
        ("unpaired_3_3", [2.0, 2.4, 2.1], [1.0, 1.3, 1.1], False),
        ("unpaired_4_5", [4.1, 3.9, 4.6, 4.0], [1.02, 0.98, 1.1, 1.0, 1.05], False),
        ("unpaired_5_5", [10.0, 10.5, 9.8, 12.0, 10.2], [5.0, 5.1, 4.9, 5.6, 5.3], False),
        ("unpaired_5_4_ties", [3.0, 3.0, 3.5, 3.0, 4.0], [1.5, 1.5, 1.6, 1.4], False),
        ("paired_3", [2.0, 2.4, 2.1], [1.0, 1.3, 1.1], True),
        ("paired_4", [4.1, 3.9, 4.6, 4.0], [1.02, 0.98, 1.1, 1.0], True),
        ("paired_5", [10.0, 10.5, 9.8, 12.0, 10.2], [5.0, 5.1, 4.9, 6.5, 5.3], True),
        # Each round's slowdown hits both sides: pairing makes the interval much tighter.
        ("paired_5_shared_noise", [2.0, 4.2, 3.0, 8.0, 5.0], [1.0, 2.0, 1.5, 4.1, 2.5], True),
        ("unpaired_5_shared_noise", [2.0, 4.2, 3.0, 8.0, 5.0], [1.0, 2.0, 1.5, 4.1, 2.5], False),
    ]
    rows = []
    for name, num, den, paired in cases:
        for level in [0.95, 0.8]:
            dist = ratio_distribution(num, den, paired)
            assert sum(dist.values()) == 1
            alpha = Fraction(1) - Fraction(level).limit_denominator(1000)
            q_lo, lo_min, lo_max = band(dist, alpha / 2, TEST_RESAMPLES)
            q_hi, hi_min, hi_max = band(dist, 1 - alpha / 2, TEST_RESAMPLES)
            value = statistics.median(num) / statistics.median(den)
            rows.append([f"{name}_level{level}", "paired" if paired else "unpaired",
                         fmt_list(num), fmt_list(den), fmt(level), TEST_RESAMPLES, fmt(value),
                         fmt(q_lo), fmt(lo_min), fmt(lo_max), fmt(q_hi), fmt(hi_min),
                         fmt(hi_max)])
    return rows


def main():
    root = Path(__file__).resolve().parents[2]
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "tests" / "fixtures" / "statistics"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240607)
    write(out / "median_cv.csv", ["name", "values", "median", "cv"], median_cv_rows(rng))
    write(out / "mann_whitney.csv", ["name", "method", "a", "b", "u", "p"],
          mann_whitney_rows(rng))
    write(out / "median_interval.csv",
          ["name", "level", "values", "k", "coverage", "low", "high"], median_interval_rows(rng))
    write(out / "ratio_of_medians.csv",
          ["name", "pairing", "numerator", "denominator", "level", "resamples", "value",
           "low", "low_min", "low_max", "high", "high_min", "high_max"], ratio_rows())


if __name__ == "__main__":
    main()
