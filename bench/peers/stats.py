"""Summary statistics shared by the Python peers; the same definitions as bench/harness/stats.ts."""
import statistics


def summarize(samples):
    """median, min, max and spread = (max - min) / median of a list of numbers."""
    xs = sorted(float(x) for x in samples)
    if not xs:
        raise ValueError("stats.py summarize: expected at least one sample, got none")
    med = statistics.median(xs)
    return {
        "median": med,
        "min": xs[0],
        "max": xs[-1],
        "spread": (xs[-1] - xs[0]) / med if med != 0 else 0.0,
        "n": len(xs),
    }
