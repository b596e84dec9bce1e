"""Times numpy.busday_offset on the dates, offsets and holidays the Swift
calendar benchmark wrote, and checks that both give the same answers."""
import sys
import time

import numpy as np

folder = sys.argv[1]


def read(name):
    with open(f"{folder}/{name}") as f:
        return [line.strip() for line in f if line.strip()]


dates = np.array(read("dates.txt"), dtype="datetime64[D]")
offsets = np.array([int(x) for x in read("offsets.txt")], dtype=np.int64)
expected = np.array(read("results.txt"), dtype="datetime64[D]")
holidays = np.array(read("holidays.txt"), dtype="datetime64[D]")

# foiflow counts day 1 as the first working day after the date, also from a
# non-working date; for positive offsets that is numpy's roll='backward'.
calendar = np.busdaycalendar(weekmask="1111100", holidays=holidays)
times = []
for _ in range(7):
    start = time.perf_counter_ns()
    got = np.busday_offset(dates, offsets, roll="backward", busdaycal=calendar)
    times.append((time.perf_counter_ns() - start) / len(dates))
times.sort()
mismatches = int((got != expected).sum())
print(f"numpy_busday_offset_ns_median={times[len(times) // 2]:.2f} min={times[0]:.2f}")
print(f"numpy_version={np.__version__} mismatches={mismatches}")
sys.exit(1 if mismatches else 0)
