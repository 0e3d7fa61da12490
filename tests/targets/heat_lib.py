"""gamma() for tests/targets/heat_target.py: in a file of its own, so the
heatmap groups it apart from alpha and beta."""
import time


def gamma(budget):
    end = time.perf_counter() + budget
    while time.perf_counter() < end:  # MARK: gamma
        pass
