"""What the report's "Commit:" line says about uncommitted changes
(bench/report.py uncommitted_note): nothing for a clean tree, a note for a
changed file in the measured directories (the report's own outputs left
out), and "unknown" when git status itself fails, never a false claim."""
import os
import subprocess
import tempfile
import unittest

import report


def git(repo, *args):
    subprocess.run(["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com",
                    *args], check=True, capture_output=True)


class CommitNoteTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.repo = self.tmp.name
        git(self.repo, "init", "-q")
        for path in ["lib/a.cc", "bench/RESULTS.md", "bench/peers-latency.png", "tools/t.cc",
                     "README.md"]:
            os.makedirs(os.path.dirname(os.path.join(self.repo, path)) or self.repo,
                        exist_ok=True)
            with open(os.path.join(self.repo, path), "w") as f:
                f.write("v1\n")
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-m", "init")

    def tearDown(self):
        self.tmp.cleanup()

    def note(self):
        return report.uncommitted_note(self.repo, ["lib", "bench", "tools"])

    def write(self, path, text):
        with open(os.path.join(self.repo, path), "w") as f:
            f.write(text)

    def test_clean_tree_adds_nothing(self):
        self.assertEqual(self.note(), "")

    def test_report_outputs_and_other_dirs_do_not_count(self):
        self.write("bench/RESULTS.md", "rewritten\n")
        self.write("bench/peers-latency.png", "redrawn\n")
        self.write("bench/RESULTS.md.tmp", "being written\n")  # bench/run.sh's output file
        self.write("README.md", "edited\n")
        self.assertEqual(self.note(), "")

    def test_changed_or_new_file_in_a_measured_dir_is_noted(self):
        self.write("tools/t.cc", "v2\n")
        self.assertEqual(self.note(), " plus uncommitted changes in lib/, bench/ or tools/")
        git(self.repo, "checkout", "--", "tools/t.cc")
        self.write("lib/new.cc", "new\n")
        self.assertEqual(self.note(), " plus uncommitted changes in lib/, bench/ or tools/")

    def test_failing_git_status_says_unknown(self):
        missing = os.path.join(self.repo, "no-such-dir")
        self.assertEqual(
            report.uncommitted_note(missing, ["lib", "service", "bench"]),
            " (git status failed: whether lib/, service/ or bench/ held uncommitted changes"
            " is unknown)")


if __name__ == "__main__":
    unittest.main()
