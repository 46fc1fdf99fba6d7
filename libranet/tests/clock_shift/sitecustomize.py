"""The wall clock moved ahead for a whole test run, subprocesses included.

CI runs the suite a second time with this folder on ``PYTHONPATH`` and
``LIBRANET_TEST_CLOCK_SHIFT_DAYS`` set (``.ci/run``), so that a test which reads "now" without
fixing the clock fails today, not on the day its date passes. Python starts every process by
importing ``sitecustomize``: the test runner, and the workers and servers that tests start.
time-machine moves the wall clock only; the monotonic clock, sleeps and timed waits stay real
(libfaketime, which moves the system's clock, breaks Python's timed lock waits).
"""

import datetime
import os

_days = os.environ.get("LIBRANET_TEST_CLOCK_SHIFT_DAYS")
if _days:
    import time_machine

    _now = datetime.datetime.now(datetime.UTC)
    time_machine.travel(_now + datetime.timedelta(days=int(_days)), tick=True).start()
