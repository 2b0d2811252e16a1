"""The retry delay: exponential backoff with full jitter, capped; Retry-After (seconds or an HTTP
date) wins, capped too."""

from __future__ import annotations

import time
from email.utils import formatdate

from labelworks.assist.outbound import RetryPolicy, retry_delay


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap() -> None:
    policy = RetryPolicy(max_retries=10, base_s=0.5, cap_s=20.0)
    assert [retry_delay(n, None, policy, rng=lambda: 1.0) for n in (1, 2, 3, 4, 7)] == [0.5, 1.0, 2.0, 4.0, 20.0]
    assert retry_delay(3, None, policy, rng=lambda: 0.25) == 0.5
    assert retry_delay(3, None, policy, rng=lambda: 0.0) == 0.0


def test_retry_after_wins_in_seconds_or_as_a_date_and_is_capped() -> None:
    policy = RetryPolicy(cap_s=20.0)
    assert retry_delay(1, "3", policy, rng=lambda: 1.0) == 3.0
    assert retry_delay(1, "3600", policy) == 20.0
    in_five = retry_delay(1, formatdate(time.time() + 5, usegmt=True), policy)
    assert 3.5 < in_five <= 5.0
    assert retry_delay(2, "soon", policy, rng=lambda: 1.0) == 1.0  # unreadable: the backoff
