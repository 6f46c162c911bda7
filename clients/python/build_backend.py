"""This package's PEP 517 build backend, standard library only, as the client is: `pip install ./clients/python`
then needs nothing from a package index (setuptools, wheel), which a notebook behind a firewall does not reach.

It builds a pure-Python wheel of cairn_client.py (and an sdist, and an editable wheel) with the metadata of
pyproject.toml's [project] table and the version of cairn_client.__version__, that version's only source.
"""

import ast
import base64
import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = "cairn_client.py"
SDIST_FILES = ["pyproject.toml", "build_backend.py", MODULE]
# The [project] keys turned into metadata; any other is refused rather than left out unseen.
SUPPORTED = {"name", "dynamic", "description", "requires-python", "dependencies"}
# The same sources give the same files, byte for byte: zip's earliest date, and a fixed time in the sdist.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
TAR_MTIME = 315532800
WHEEL = "Wheel-Version: 1.0\nGenerator: cairn build_backend.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _read(name):
    with open(os.path.join(HERE, name), "rb") as f:
        return f.read()


def project_table(text):
    """pyproject.toml's [project] table."""
    try:
        import tomllib
    except ImportError:  # Python before 3.11
        return project_table_plain(text)
    return tomllib.loads(text)["project"]


def project_table_plain(text):
    """[project] read without tomllib: one-line strings and arrays of strings only, as this pyproject.toml has."""
    table, inside = {}, False
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line.startswith("["):
            inside = line == "[project]"
            continue
        if not inside or not line or line.startswith("#"):
            continue
        key, equals, value = (part.strip() for part in line.partition("="))
        string = r'"(?:[^"\\]|\\.)*"'
        if equals and re.fullmatch(string, value):
            table[key] = json.loads(value)
        elif equals and re.fullmatch(r"\[\s*(?:%s\s*,\s*)*(?:%s\s*,?\s*)?\]" % (string, string), value):
            table[key] = [json.loads(item) for item in re.findall(string, value)]
        else:
            raise ValueError("pyproject.toml line %d: only one-line strings and arrays of strings can be read without tomllib" % number)
    return table


def version():
    """cairn_client.__version__, read without importing the module."""
    for node in ast.parse(_read(MODULE)).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__version__"]:
            return ast.literal_eval(node.value)
    raise ValueError("%s sets no __version__" % MODULE)


def metadata():
    """The distribution's name (as wheel file names spell it) and its core metadata (METADATA, PKG-INFO)."""
    project = project_table(_read("pyproject.toml").decode("utf-8"))
    unknown = sorted(set(project) - SUPPORTED)
    if unknown:
        raise ValueError("build_backend.py does not turn [project] %s into metadata" % ", ".join(unknown))
    if project.get("dynamic") != ["version"]:
        raise ValueError('pyproject.toml: the version is cairn_client.__version__: dynamic = ["version"]')
    lines = ["Metadata-Version: 2.1", "Name: " + project["name"], "Version: " + version()]
    if "description" in project:
        lines.append("Summary: " + project["description"])
    if "requires-python" in project:
        lines.append("Requires-Python: " + project["requires-python"])
    lines += ["Requires-Dist: " + requirement for requirement in project.get("dependencies", [])]
    return re.sub(r"[-_.]+", "_", project["name"]).lower(), "\n".join(lines) + "\n"


def _digest(data):
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def _wheel(wheel_directory, files):
    """A py3-none-any wheel of `files` ([(path in the wheel, bytes)]) with its .dist-info; its file name."""
    name, core = metadata()
    dist = "%s-%s" % (name, version())
    info = dist + ".dist-info"
    files = files + [(info + "/METADATA", core.encode("utf-8")), (info + "/WHEEL", WHEEL.encode("ascii"))]
    record = ["%s,sha256=%s,%d" % (path, _digest(data), len(data)) for path, data in files] + [info + "/RECORD,,"]
    files.append((info + "/RECORD", ("\n".join(record) + "\n").encode("utf-8")))
    filename = dist + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as wheel:
        for path, data in files:
            entry = zipfile.ZipInfo(path, ZIP_DATE)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    return filename


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, [(MODULE, _read(MODULE))])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 660 (`pip install -e`): a wheel whose .pth puts this directory on sys.path."""
    return _wheel(wheel_directory, [("cairn_client.pth", (HERE + "\n").encode("utf-8"))])


def build_sdist(sdist_directory, config_settings=None):
    name, core = metadata()
    dist = "%s-%s" % (name, version())
    files = [(path, _read(path)) for path in SDIST_FILES] + [("PKG-INFO", core.encode("utf-8"))]
    filename = dist + ".tar.gz"
    with open(os.path.join(sdist_directory, filename), "wb") as out:
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as zipped:
            with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as sdist:
                for path, data in files:
                    entry = tarfile.TarInfo(dist + "/" + path)
                    entry.size, entry.mtime, entry.mode = len(data), TAR_MTIME, 0o644
                    sdist.addfile(entry, io.BytesIO(data))
    return filename
