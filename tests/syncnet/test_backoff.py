import random

import pytest

from sync.network.poller import next_delay

POLL, CAP = 600, 3600


class Fixed(random.Random):
    """uniform() at its lowest (0.0) or highest (1.0) point."""

    def __init__(self, point):
        super().__init__(0)
        self.point = point

    def uniform(self, a, b):
        return a + (b - a) * self.point


@pytest.mark.parametrize("failures, low, high", [
    (0, 540, 660),       # normal poll, ±10 %
    (1, 300, 600),       # first failure: half to full interval
    (2, 600, 1200),
    (3, 1200, 2400),
    (4, 1800, 3600),     # capped
    (20, 1800, 3600),
])
def test_delay_grows_with_failures_and_stays_under_the_cap(failures, low, high):
    assert next_delay(failures, poll_seconds=POLL, max_seconds=CAP, rng=Fixed(0.0)) == low
    assert next_delay(failures, poll_seconds=POLL, max_seconds=CAP, rng=Fixed(1.0)) == high


def test_boxes_do_not_retry_in_step():
    delays = {next_delay(3, poll_seconds=POLL, max_seconds=CAP, rng=random.Random(seed)) for seed in range(20)}
    assert len(delays) == 20
