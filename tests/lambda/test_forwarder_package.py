"""The forwarder's package (infra/lambda/stream-forwarder/build.sh): the zip
a deployment uploads must hold the handler and the gRPC stubs it imports,
and import as the Lambda runtime would (the package's root on the path).
Dependencies are left out here (SKIP_DEPENDENCIES=1: pip's index is not
reachable from the tests); Debian's grpcio stands in for the packaged one."""

import os
import subprocess
import sys
import tempfile
import unittest
import zipfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_SH = os.path.join(REPO, "infra", "lambda", "stream-forwarder", "build.sh")


def run_build(out_dir, **env):
    environment = dict(os.environ, SKIP_DEPENDENCIES="1", PYTHON=sys.executable)
    environment.update(env)
    return subprocess.run(["bash", BUILD_SH, out_dir], env=environment, capture_output=True,
                          text=True, timeout=120)


class ForwarderPackageTest(unittest.TestCase):
    def test_zip_holds_the_handler_and_stubs_and_imports(self):
        with tempfile.TemporaryDirectory(prefix="inkdex-fwd-pkg-") as out:
            built = run_build(out)
            self.assertEqual(built.returncode, 0, built.stderr)
            archive = os.path.join(out, "stream-forwarder.zip")
            with zipfile.ZipFile(archive) as z:
                names = set(z.namelist())
                for expected in ("handler.py", "inkdex/v1/stream_ingest_pb2.py",
                                 "inkdex/v1/stream_ingest_pb2_grpc.py"):
                    self.assertIn(expected, names)
                self.assertEqual(z.testzip(), None)
                root = os.path.join(out, "unzipped")
                z.extractall(root)
            # As the runtime loads it: the package root first on the path,
            # nothing from the repository.
            imported = subprocess.run(
                [sys.executable, "-c",
                 "import handler; print(callable(handler.lambda_handler), "
                 "handler.pb_grpc.StreamIngestStub.__name__)"],
                cwd=root, env={"PYTHONPATH": root, "PATH": os.environ.get("PATH", "")},
                capture_output=True, text=True, timeout=60)
            self.assertEqual(imported.returncode, 0, imported.stderr)
            self.assertEqual(imported.stdout.strip(), "True StreamIngestStub")

    def test_an_unknown_architecture_is_refused_by_name(self):
        with tempfile.TemporaryDirectory(prefix="inkdex-fwd-pkg-") as out:
            built = run_build(out, ARCH="sparc")
            self.assertEqual(built.returncode, 2)
            self.assertIn("ARCH must be arm64 or x86_64, got 'sparc'", built.stderr)
            self.assertFalse(os.path.exists(os.path.join(out, "stream-forwarder.zip")))


if __name__ == "__main__":
    unittest.main()
