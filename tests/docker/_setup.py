"""Puts tests/pyharness on sys.path so every test file can `import harness`."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "pyharness"))
