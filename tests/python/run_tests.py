#!/usr/bin/python3
"""Runs unittest modules of tests/python and prints unittest's summary
("OK" / "FAILED (...)") followed by a plain "N passed, M failed, K skipped".

Usage: run_tests.py MODULE [MODULE ...]     (e.g. test_api)
Exit status: 0 all passed, 1 a failure, 77 everything was skipped (CTest: skipped).
"""
import os
import sys
import unittest


def main(argv):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    suite = unittest.defaultTestLoader.loadTestsFromNames(argv[1:] or ["test_api"])
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    skipped = len(result.skipped)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - skipped - len(result.expectedFailures)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    sys.stdout.flush()
    if not result.wasSuccessful():
        return 1
    return 77 if result.testsRun and skipped == result.testsRun else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
