"""The DynamoDB Local harness's process handling: a missing or broken
emulator is a clear failure (never a skip), stop() ends the JVM, and a test
process killed with SIGKILL takes its JVM with it (no orphan java)."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from unittest import mock

import botocore.exceptions

import dynamodb_local as ddbl


def _alive(pid):
    """True while `pid` runs (a zombie, dead but not yet reaped, is not alive)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_dead(pid, timeout=10.0):
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


class MissingEmulatorTest(unittest.TestCase):
    def test_missing_emulator_names_the_install_script(self):
        with tempfile.TemporaryDirectory() as empty, \
                mock.patch.dict(os.environ, {"INKDEX_DYNAMODB_LOCAL_DIR": empty}):
            with self.assertRaisesRegex(ddbl.EmulatorMissing,
                                        "DynamoDBLocal.jar is missing.*install-deps.sh"):
                ddbl.DynamoDBLocal()

    def test_missing_java_names_the_install_script(self):
        with mock.patch.dict(os.environ, {"PATH": "/nonexistent"}):
            with self.assertRaisesRegex(ddbl.EmulatorMissing, "java is not on PATH.*install-deps"):
                ddbl.DynamoDBLocal()

    def test_emulator_that_dies_at_start_fails_with_its_log_tail(self):
        with tempfile.TemporaryDirectory() as broken, \
                mock.patch.dict(os.environ, {"INKDEX_DYNAMODB_LOCAL_DIR": broken}):
            with open(os.path.join(broken, "DynamoDBLocal.jar"), "w") as f:
                f.write("not a jar")
            started = time.monotonic()
            with self.assertRaisesRegex(ddbl.StartError, "(?s)log tail:.*jarfile"):
                ddbl.DynamoDBLocal(timeout=30)
            self.assertLess(time.monotonic() - started, 10, "an early exit must not wait out the timeout")


class ProcessLifecycleTest(unittest.TestCase):
    def test_stop_ends_the_jvm_and_the_endpoint(self):
        ddb = ddbl.DynamoDBLocal()
        self.addCleanup(ddb.stop)
        pid, client = ddb.pid, ddb.client(connect_timeout=0.5)
        self.addCleanup(client.close)
        self.assertEqual(client.list_tables()["TableNames"], [])
        ddb.stop()
        self.assertTrue(_wait_dead(pid), "java %d still running after stop()" % pid)
        with self.assertRaises(botocore.exceptions.EndpointConnectionError):
            client.list_tables()
        ddb.stop()  # idempotent

    def test_sigkill_of_the_test_process_takes_the_jvm_with_it(self):
        child = subprocess.Popen(
            [sys.executable, "-c",
             "import os, sys, time, dynamodb_local as d\n"
             "ddb = d.DynamoDBLocal()\n"
             "print(ddb.pid, os.path.dirname(ddb.log_path), flush=True)\n"
             "time.sleep(120)\n"],
            stdout=subprocess.PIPE, text=True, env=os.environ)
        self.addCleanup(child.stdout.close)
        self.addCleanup(child.kill)
        line = child.stdout.readline().split()
        self.assertTrue(len(line) == 2 and line[0].isdigit(), "child printed %r" % line)
        java_pid = int(line[0])
        # A SIGKILLed process cleans nothing up: its emulator's files are ours.
        self.addCleanup(shutil.rmtree, line[1], True)
        self.assertTrue(_alive(java_pid))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        if not _wait_dead(java_pid):
            os.kill(java_pid, signal.SIGKILL)
            self.fail("java %d outlived its SIGKILLed parent" % java_pid)


if __name__ == "__main__":
    unittest.main()
