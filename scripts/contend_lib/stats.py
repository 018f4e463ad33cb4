"""The statistics every topic module shares: the two-sided Mann–Whitney U test and the bootstrap
interval of a ratio of medians. Nothing here knows about results, tables or charts.

The test follows Google Benchmark's tools/compare.py (gbench/report.py): two-sided, alpha 0.05,
at least 2 repetitions per side to run at all, 9 or more for a result to be trusted. With 3
repetitions per side the smallest possible two-sided p-value is 0.1, so nothing can be
"significant" at 0.05 then. The interval is a percentile bootstrap: each side's repetitions
resampled with replacement, seeded from the configuration's name so the same data always gives
the same interval (and the same chart bytes).
"""
import math
import warnings
import zlib

ALPHA = 0.05
MIN_REPETITIONS = 2       # gbench: UTEST_MIN_REPETITIONS
OPTIMAL_REPETITIONS = 9   # gbench: UTEST_OPTIMAL_REPETITIONS
CONFIDENCE = 0.95
RESAMPLES = 2000


def p_value(a, b):
    """Two-sided Mann–Whitney U p-value, or None when either side has < 2 repetitions."""
    from scipy.stats import mannwhitneyu  # scipy only when a test is run
    if len(a) < MIN_REPETITIONS or len(b) < MIN_REPETITIONS:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return float(mannwhitneyu(list(a), list(b), alternative="two-sided").pvalue)
        except ValueError:
            return None


def _median_ratio(a, b, axis=-1):
    import numpy as np
    return np.median(b, axis=axis) / np.median(a, axis=axis)


def ratio_interval(a, b, seed):
    """95% percentile-bootstrap interval of median(B) / median(A), or (nan, nan) when either side
    has fewer than 2 repetitions (nothing to resample)."""
    import numpy as np
    from scipy.stats import bootstrap
    if len(a) < MIN_REPETITIONS or len(b) < MIN_REPETITIONS:
        return math.nan, math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # identical repetitions: a degenerate, still valid, interval
        res = bootstrap((np.asarray(a, float), np.asarray(b, float)), _median_ratio, vectorized=True,
                        paired=False, confidence_level=CONFIDENCE, n_resamples=RESAMPLES,
                        method="percentile", random_state=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def seed_of(key):
    """A bootstrap seed from a configuration's name: the same data, the same interval."""
    return zlib.crc32("/".join(map(str, key)).encode())
