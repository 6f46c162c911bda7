"""What the client puts on the wire, seen by a stand-in server on loopback: the bearer token, and no CSRF header."""

import hashlib
import http.server
import json
import threading
import unittest
import uuid

from cairn_client import Cairn, Model, Version

FILE = b"model bytes"


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers the three kinds of request the client sends (JSON POST, multipart POST, GET) and keeps their headers."""

    seen = []

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.command, self.headers.get("Content-Type", "").split(";")[0], self.headers))
        if self.headers.get("Content-Type", "").startswith("multipart/form-data"):
            data = {"uploadFormat": {"__typename": "UploadFormatSuccess", "format": {"format": "pkl"}}}
        else:
            data = {"models": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}}
        self.answer(200, json.dumps({"data": data}).encode("utf-8"), {"Content-Type": "application/json"})

    def do_GET(self):
        self.seen.append((self.command, None, self.headers))
        self.answer(200, FILE, {"X-Checksum-Sha256": hashlib.sha256(FILE).hexdigest()})


class WhatIsSent(unittest.TestCase):
    def setUp(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        Recorder.seen = []

    def test_a_bearer_token_and_no_csrf_header_on_json_multipart_and_get(self):
        cairn = Cairn("http://127.0.0.1:%d" % self.server.server_address[1], "cairn_secret", context="research")
        cairn.models()
        version = Version(Model(cairn, {"id": str(uuid.uuid4()), "name": "churn"}), {"number": 1, "status": "DRAFT"})
        version.upload("pkl", FILE)
        self.assertEqual(version.download("pkl"), FILE)
        self.assertEqual([(method, kind) for method, kind, _ in Recorder.seen], [("POST", "application/json"), ("POST", "multipart/form-data"), ("GET", None)])
        for _, _, headers in Recorder.seen:
            self.assertEqual(headers["Authorization"], "Bearer cairn_secret")
            self.assertEqual(headers["X-Cairn-Context"], "research")
            for csrf in ("x-cairn-csrf", "x-graphql-yoga-csrf", "apollo-require-preflight"):
                self.assertNotIn(csrf, {name.lower() for name in headers.keys()})


class Release(http.server.BaseHTTPRequestHandler):
    """Answers the release path's mutations as the server would, and a GET of the file with ETag and 304."""

    seen = []
    ANSWERS = {
        "recordEvaluation": {"__typename": "RecordEvaluationSuccess", "evaluation": {"id": "e1"}},
        "setAlias": {"__typename": "SetAliasSuccess", "alias": {"name": "production", "version": {"number": 1}, "setAt": "2026-12-03T09:00:00Z", "setBy": None}},
        "removeAlias": {"__typename": "RemoveAliasSuccess"},
    }

    log_message = Recorder.log_message
    answer = Recorder.answer

    def do_POST(self):
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["query"]
        field = next(name for name in self.ANSWERS if name + "(" in query)
        self.seen.append((field, self.headers))
        self.answer(200, json.dumps({"data": {field: self.ANSWERS[field]}}).encode("utf-8"), {"Content-Type": "application/json"})

    def do_GET(self):
        self.seen.append((self.path, self.headers))
        etag = '"%s"' % hashlib.sha256(FILE).hexdigest()
        if self.headers.get("If-None-Match") == etag:
            self.answer(304, b"", {"ETag": etag})
        else:
            self.answer(200, FILE, {"ETag": etag, "X-Checksum-Sha256": hashlib.sha256(FILE).hexdigest()})


class WhatTheReleasePathSends(unittest.TestCase):
    def setUp(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Release)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        Release.seen = []
        self.cairn = Cairn("http://127.0.0.1:%d" % self.server.server_address[1], "cairn_secret")

    def test_each_mutation_its_own_idempotency_key(self):
        model = Model(self.cairn, {"id": str(uuid.uuid4()), "name": "churn"})
        Version(model, {"number": 1, "status": "PUBLISHED"}).record_evaluation("s3://data/holdout.csv", {"auc": 0.9})
        model.set_alias("production", 1)
        model.remove_alias("production")
        self.assertEqual([field for field, _ in Release.seen], ["recordEvaluation", "setAlias", "removeAlias"])
        keys = [headers["Idempotency-Key"] for _, headers in Release.seen]
        self.assertEqual(len(set(keys)), 3)
        for key in keys:
            self.assertEqual(str(uuid.UUID(key)), key)

    def test_fetch_if_changed_sends_the_etag_and_takes_304_for_unchanged(self):
        data, etag, number = self.cairn.fetch_if_changed("churn model", "production", "pkl")
        self.assertEqual((data, etag, number), (FILE, '"%s"' % hashlib.sha256(FILE).hexdigest(), None))
        self.assertIsNone(self.cairn.fetch_if_changed("churn model", "production", "pkl", etag))
        self.assertEqual(self.cairn.fetch_if_changed("churn model", "production", "pkl", '"other"'), (FILE, etag, None))
        self.assertEqual([path for path, _ in Release.seen], ["/files/churn%20model/production/pkl"] * 3)
        self.assertEqual([headers.get("If-None-Match") for _, headers in Release.seen], [None, etag, '"other"'])


if __name__ == "__main__":
    unittest.main()
