"""`pip install ./clients/python` works with no package index, and the installed package has its version."""

import os
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile

import build_backend
import cairn_client

HERE = os.path.dirname(os.path.abspath(__file__))


def pip_install(source, target):
    # --no-index: nothing may come from a package index, build isolation included (the backend needs nothing).
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", "--no-cache-dir", "--target", target, source],
        check=True,
        capture_output=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )


def installed(target):
    """__version__ and the file of the cairn_client that a fresh interpreter imports from `target` alone."""
    shown = subprocess.run(
        [sys.executable, "-I", "-c", "import sys; sys.path.insert(0, sys.argv[1]); import cairn_client as c; print(c.__version__, c.__file__)", target],
        check=True,
        capture_output=True,
        text=True,
        cwd=target,
    ).stdout.split()
    return shown[0], shown[1]


class Packaging(unittest.TestCase):
    def test_pip_installs_the_directory_offline_with_the_module_version(self):
        with tempfile.TemporaryDirectory() as target:
            pip_install(HERE, target)
            self.assertEqual(installed(target), (cairn_client.__version__, os.path.join(target, "cairn_client.py")))
            info = os.path.join(target, "cairn_client-%s.dist-info" % cairn_client.__version__)
            with open(os.path.join(info, "METADATA"), encoding="utf-8") as f:
                metadata = f.read()
            self.assertIn("Name: cairn-client\n", metadata)
            self.assertIn("Version: %s\n" % cairn_client.__version__, metadata)
            self.assertIn("Requires-Python: >=3.8\n", metadata)

    def test_the_sdist_holds_what_building_needs_and_installs_too(self):
        with tempfile.TemporaryDirectory() as out:
            sdist = os.path.join(out, build_backend.build_sdist(out))
            with tarfile.open(sdist) as archive:
                names = sorted(archive.getnames())
            root = "cairn_client-%s/" % cairn_client.__version__
            self.assertEqual(names, sorted(root + name for name in ["PKG-INFO", "build_backend.py", "cairn_client.py", "pyproject.toml"]))
            target = os.path.join(out, "target")
            pip_install(sdist, target)
            self.assertEqual(installed(target)[0], cairn_client.__version__)

    def test_wheels_are_the_same_byte_for_byte_and_hold_only_the_module(self):
        with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
            name = build_backend.build_wheel(first)
            self.assertEqual(build_backend.build_wheel(second), name)
            self.assertEqual(name, "cairn_client-%s-py3-none-any.whl" % cairn_client.__version__)
            with open(os.path.join(first, name), "rb") as a, open(os.path.join(second, name), "rb") as b:
                self.assertEqual(a.read(), b.read())
            with zipfile.ZipFile(os.path.join(first, name)) as wheel:
                self.assertEqual([n for n in wheel.namelist() if ".dist-info/" not in n], ["cairn_client.py"])

    def test_the_version_has_one_source(self):
        with open(os.path.join(HERE, "pyproject.toml"), encoding="utf-8") as f:
            text = f.read()
        project = build_backend.project_table(text)
        self.assertEqual(project["dynamic"], ["version"])
        self.assertNotIn("version", project)
        self.assertEqual(build_backend.version(), cairn_client.__version__)
        # Pythons before 3.11 (no tomllib) read the same table.
        self.assertEqual(build_backend.project_table_plain(text), project)
        with self.assertRaises(ValueError):
            build_backend.project_table_plain('[project]\nname = "x" # a comment\n')


if __name__ == "__main__":
    unittest.main()
