"""Running calls at the same moment, for the race tests (each thread on its own database connection)."""

import threading

from django.db import connection


def at_once(*calls):
    """Run each call in its own thread (its own connection), released together; their results and errors."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors
