"""Cairn model registry client for notebooks and scripts: standard library only.

    from cairn_client import Cairn
    cairn = Cairn("http://localhost:4000", token)
    model = cairn.model("churn")                      # or cairn.create_model("churn", tags=["demo"])
    version = model.create_version(hyperparameters={"max_depth": 6}, config={"threshold": 0.7})
    version.upload("pkl", pickle.dumps(my_model))     # bytes, or a path streamed from disk
    version.publish()
    restored = pickle.loads(version.download("pkl"))  # checksum verified

Every refusal raises CairnError with the server's code (NAME_TAKEN, VERSION_PUBLISHED, ...).

Every mutation is sent with a fresh Idempotency-Key, and repeated with the same key (a bounded number of
times) when the server says it may be: a retryable 503, or an outcome it cannot know (a connection lost
while committing), which the key makes safe to repeat: the server then answers what was done, once.
"""

import hashlib
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

__all__ = ["Cairn", "CairnError", "Model", "Version"]

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_CHUNK = 1024 * 1024

_MODEL = "id name description tags versionCount createdAt updatedAt"
_VERSION = (
    "number status description tags hyperparameters config records { uri name } "
    "formats { id filename size sha256 contentType downloadUrl } createdAt publishedAt"
)
_ERROR = "... on Error { code message }"
_MUTATION = re.compile(r"^\s*mutation\b")


class CairnError(Exception):
    """A refusal (code such as NOT_FOUND, NAME_TAKEN, VERSION_PUBLISHED, CHECKSUM_MISMATCH) or a failure to talk to Cairn."""

    def __init__(self, code, message, status=None, extensions=None):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.status = status
        self.extensions = extensions or {}

    def may_repeat(self, keyed):
        """Whether sending the request again is safe: with an idempotency key, also after an unknown outcome."""
        if self.extensions.get("retryable") is True:
            return True
        return keyed and (self.extensions.get("outcomeUnknown") is True or self.code == "UNREACHABLE")


class Cairn:
    """A session with a Cairn server: its URL, an API token, and optionally a context."""

    def __init__(self, url, token, context=None, timeout=300, retries=3):
        self.url = re.sub(r"/graphql/?$", "", url.rstrip("/"))
        self.token = token
        self.context = context
        self.timeout = timeout
        self.retries = retries

    def _repeating(self, send, keyed):
        """send(), repeated up to `retries` times with a growing pause while the failure says it may be."""
        for attempt in range(self.retries + 1):
            try:
                return send()
            except CairnError as error:
                if attempt >= self.retries or not error.may_repeat(keyed):
                    raise
                time.sleep(min(2.0, 0.25 * 2**attempt))

    def _headers(self, extra=None):
        headers = {"Authorization": "Bearer " + self.token, "x-cairn-csrf": "1"}
        if self.context:
            headers["X-Cairn-Context"] = self.context
        headers.update(extra or {})
        return headers

    def _open(self, request):
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            extensions = {}
            try:
                parsed = json.loads(body)
                first = (parsed.get("errors") or [{}])[0]
                extensions = first.get("extensions") or {}
                message = first.get("message") or parsed.get("error") or body
                code = extensions.get("code") or parsed.get("code") or "HTTP_%d" % error.code
            except (ValueError, AttributeError):
                message, code = body, "HTTP_%d" % error.code
            raise CairnError(code, message, error.code, extensions) from None
        except urllib.error.URLError as error:
            raise CairnError("UNREACHABLE", "cannot reach Cairn at %s: %s" % (self.url, error.reason)) from None

    def _result(self, response):
        payload = json.loads(response.read().decode("utf-8"))
        if payload.get("errors"):
            first = payload["errors"][0]
            extensions = first.get("extensions") or {}
            raise CairnError(extensions.get("code", "ERROR"), first.get("message", ""), response.status, extensions)
        return payload["data"]

    def graphql(self, query, variables=None):
        """Runs any GraphQL operation and returns its data; top-level errors raise CairnError."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode("utf-8")
        headers = self._headers({"Content-Type": "application/json"})
        keyed = bool(_MUTATION.match(query))
        if keyed:
            headers["Idempotency-Key"] = str(uuid.uuid4())

        def send():
            request = urllib.request.Request(self.url + "/graphql", data=body, method="POST", headers=headers)
            with self._open(request) as response:
                return self._result(response)

        return self._repeating(send, keyed)

    def _mutation(self, field, query, variables):
        result = self.graphql(query, variables)[field]
        if "code" in result and result.get("__typename", "").endswith("Error"):
            raise CairnError(result["code"], result["message"])
        return result

    # Models

    def models(self, search=None, tags=None):
        """Every model in the context, optionally filtered: a list of Model."""
        found, after = [], None
        while True:
            page = self.graphql(
                "query ($after: String, $search: String, $tags: [String!]) { models(first: 100, after: $after, search: $search, tags: $tags) "
                "{ pageInfo { hasNextPage endCursor } edges { node { %s } } } }" % _MODEL,
                {"after": after, "search": search, "tags": tags},
            )["models"]
            found.extend(Model(self, edge["node"]) for edge in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]

    def model(self, id_or_name):
        """A model by id or by name; raises CairnError NOT_FOUND when there is none."""
        key = "id" if _UUID.match(id_or_name) else "name"
        node = self.graphql("query ($v: %s) { model(%s: $v) { %s } }" % ("ID" if key == "id" else "String", key, _MODEL), {"v": id_or_name})["model"]
        if node is None:
            raise CairnError("NOT_FOUND", "no model %r" % id_or_name)
        return Model(self, node)

    def create_model(self, name, description=None, tags=None):
        result = self._mutation(
            "createModel",
            "mutation ($input: CreateModelInput!) { createModel(input: $input) { __typename ... on CreateModelSuccess { model { %s } } %s } }" % (_MODEL, _ERROR),
            {"input": {"name": name, "description": description, "tags": tags}},
        )
        return Model(self, result["model"])


class Model:
    """A model; `id`, `name`, `tags`, `description` and the rest of its fields are attributes."""

    def __init__(self, cairn, fields):
        self._cairn = cairn
        self.__dict__.update(fields)

    def __repr__(self):
        return "<Model %s %s>" % (self.name, self.id)

    def versions(self):
        data = self._cairn.graphql(
            "query ($id: ID!) { model(id: $id) { versions(first: 100) { edges { node { %s } } } } }" % _VERSION, {"id": self.id}
        )["model"]
        return [Version(self, edge["node"]) for edge in data["versions"]["edges"]] if data else []

    def version(self, number):
        for version in self.versions():
            if version.number == number:
                return version
        raise CairnError("NOT_FOUND", "%s has no version %d" % (self.name, number))

    def create_version(self, description=None, tags=None, hyperparameters=None, config=None, records=None):
        """The model's next version. records: dataset URIs, or dicts {"uri": ..., "name": ...}."""
        records = [r if isinstance(r, dict) else {"uri": r} for r in (records or [])]
        result = self._cairn._mutation(
            "createVersion",
            "mutation ($input: CreateVersionInput!) { createVersion(input: $input) { __typename ... on CreateVersionSuccess { version { %s } } %s } }"
            % (_VERSION, _ERROR),
            {"input": {"modelId": self.id, "description": description, "tags": tags, "hyperparameters": hyperparameters, "config": config, "records": records}},
        )
        return Version(self, result["version"])

    def history(self):
        data = self._cairn.graphql(
            "query ($id: ID!) { model(id: $id) { history(first: 100) { edges { node { position type recordedAt actor data } } } } }", {"id": self.id}
        )["model"]
        return [edge["node"] for edge in data["history"]["edges"]] if data else []

    def delete(self):
        self._cairn._mutation("deleteModel", "mutation ($id: ID!) { deleteModel(id: $id) { __typename %s } }" % _ERROR, {"id": self.id})


class Version:
    """A numbered version of a model: `number`, `status`, `hyperparameters`, `config`, `formats` ..."""

    def __init__(self, model, fields):
        self.model = model
        self.__dict__.update(fields)

    def __repr__(self):
        return "<Version %s #%d %s>" % (self.model.name, self.number, self.status)

    def upload(self, format, data_or_path, filename=None):
        """Stores a file for one format: bytes (e.g. pickle.dumps(obj)) or a path, streamed from disk.

        The sha256 is computed first and sent, so the server refuses a file that arrives different.
        Returns the stored format's fields (id, size, sha256, ...).
        """
        cairn = self.model._cairn
        if isinstance(data_or_path, (bytes, bytearray, memoryview)):
            data = bytes(data_or_path)
            size, digest = len(data), hashlib.sha256(data).hexdigest()
            filename = filename or "model." + format

            def chunks():
                for start in range(0, size, _CHUNK):
                    yield data[start : start + _CHUNK]
        else:
            path = os.fspath(data_or_path)
            size, sha = os.path.getsize(path), hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(_CHUNK), b""):
                    sha.update(block)
            digest = sha.hexdigest()
            filename = filename or os.path.basename(path)

            def chunks():
                with open(path, "rb") as f:
                    for block in iter(lambda: f.read(_CHUNK), b""):
                        yield block

        boundary = "cairn-" + uuid.uuid4().hex
        operations = json.dumps(
            {
                "query": "mutation ($input: UploadFormatInput!) { uploadFormat(input: $input) { __typename "
                "... on UploadFormatSuccess { format { id filename size sha256 contentType downloadUrl } } %s } }" % _ERROR,
                "variables": {"input": {"modelId": self.model.id, "number": self.number, "format": format, "file": None, "sha256": digest}},
            }
        )
        safe = re.sub(r'["\r\n\\]', "_", filename)
        head = (
            '--%s\r\nContent-Disposition: form-data; name="operations"\r\n\r\n%s\r\n'
            '--%s\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.input.file"]}\r\n'
            '--%s\r\nContent-Disposition: form-data; name="0"; filename="%s"\r\nContent-Type: application/octet-stream\r\n\r\n'
            % (boundary, operations, boundary, boundary, safe)
        ).encode("utf-8")
        tail = ("\r\n--%s--\r\n" % boundary).encode("ascii")

        def body():
            yield head
            yield from chunks()
            yield tail

        headers = cairn._headers(
            {
                "Content-Type": "multipart/form-data; boundary=" + boundary,
                "Content-Length": str(len(head) + size + len(tail)),
                "Idempotency-Key": str(uuid.uuid4()),
            }
        )

        def send():
            request = urllib.request.Request(cairn.url + "/graphql", data=body(), method="POST", headers=headers)
            with cairn._open(request) as response:
                return cairn._result(response)["uploadFormat"]

        result = cairn._repeating(send, True)
        if result["__typename"] != "UploadFormatSuccess":
            raise CairnError(result["code"], result["message"])
        return result["format"]

    def download(self, format, path=None):
        """The file of one format, its sha256 verified: bytes, or written to `path` (returned)."""
        cairn = self.model._cairn
        url = "%s/files/%s/%d/%s" % (cairn.url, self.model.id, self.number, urllib.parse.quote(format))
        request = urllib.request.Request(url, headers=cairn._headers())
        sha = hashlib.sha256()
        with cairn._open(request) as response:
            expected = response.headers.get("X-Checksum-Sha256", "")
            if path is None:
                parts = []
                for block in iter(lambda: response.read(_CHUNK), b""):
                    sha.update(block)
                    parts.append(block)
                result = b"".join(parts)
            else:
                partial = os.fspath(path) + ".part"
                with open(partial, "wb") as out:
                    for block in iter(lambda: response.read(_CHUNK), b""):
                        sha.update(block)
                        out.write(block)
                result = os.fspath(path)
        if sha.hexdigest() != expected:
            if path is not None:
                os.remove(partial)
            raise CairnError("CHECKSUM_MISMATCH", "downloaded sha256 %s, recorded %s" % (sha.hexdigest(), expected))
        if path is not None:
            os.replace(partial, result)
        return result

    def publish(self):
        result = self.model._cairn._mutation(
            "publishVersion",
            "mutation ($id: ID!, $n: Int!) { publishVersion(modelId: $id, number: $n) { __typename ... on PublishVersionSuccess { version { %s } } %s } }"
            % (_VERSION, _ERROR),
            {"id": self.model.id, "n": self.number},
        )
        self.__dict__.update(result["version"])
        return self

    def update(self, **settings):
        """Changes a draft's description, tags, hyperparameters, config or records."""
        result = self.model._cairn._mutation(
            "updateVersion",
            "mutation ($input: UpdateVersionInput!) { updateVersion(input: $input) { __typename ... on UpdateVersionSuccess { version { %s } } %s } }"
            % (_VERSION, _ERROR),
            {"input": dict(modelId=self.model.id, number=self.number, **settings)},
        )
        self.__dict__.update(result["version"])
        return self

    def delete(self):
        self.model._cairn._mutation(
            "deleteVersion",
            "mutation ($id: ID!, $n: Int!) { deleteVersion(modelId: $id, number: $n) { __typename %s } }" % _ERROR,
            {"id": self.model.id, "n": self.number},
        )
