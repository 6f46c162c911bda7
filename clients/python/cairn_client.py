"""Cairn model registry client for notebooks and scripts: standard library only.

    from cairn_client import Cairn
    cairn = Cairn("http://localhost:4000", token)
    model = cairn.create_model("churn", exist_ok=True)  # created on the first run, the same model after
    version = model.create_version(hyperparameters={"max_depth": 6}, config={"threshold": 0.7})
    version.upload("pkl", pickle.dumps(my_model))     # bytes, or a path streamed from disk
    version.publish()
    restored = pickle.loads(version.download("pkl"))  # checksum verified
    version.record_evaluation("s3://data/holdout.csv", {"auc": 0.91})
    model.compare([1, 3])                              # side by side: rows of section, key, dataset, values, differs
    model.set_alias("production", version.number)      # a deployment follows it: model.download("pkl", alias="production")

Every refusal raises CairnError with the server's code (NAME_TAKEN, VERSION_PUBLISHED, VERSION_ALIASED, ...); a
context, model, version, alias or format that is not there raises NotFoundError (a CairnError with code NOT_FOUND),
always worded `No version 3 of model "churn" in context "research"`.

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
from collections import namedtuple

__version__ = "0.3.0"
__all__ = ["Cairn", "CairnError", "NotFoundError", "Model", "Version", "Comparison", "Fetched", "__version__"]

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_CHUNK = 1024 * 1024

_MODEL = "id name description tags versionCount createdAt updatedAt"
_VERSION = (
    "number status description tags hyperparameters config records { uri name } "
    "formats { id filename size sha256 contentType downloadUrl } createdAt publishedAt"
)
# Each event type's own fields; `data`, the payload as JSON, stays for code written before them (deprecated).
_EVENT = (
    "__typename id schemaVersion position type recordedAt actor requestId modelId data "
    "... on ModelCreatedEvent { name description tags contextId } "
    "... on ModelUpdatedEvent { changed changes { name description tags } } "
    "... on VersionCreatedEvent { number description tags hyperparameters config records { uri name } } "
    "... on VersionUpdatedEvent { number changed changes { description tags hyperparameters config records { uri name } } } "
    "... on VersionPublishedEvent { number } ... on VersionDeletedEvent { number } "
    "... on FormatUploadedEvent { number format sha256 size filename contentType replaced } "
    "... on FormatDeletedEvent { number format } "
    "... on EvaluationRecordedEvent { number evaluationId dataset { uri name } metrics notes } "
    "... on AliasSetEvent { alias number previousNumber } ... on AliasRemovedEvent { alias number }"
)
_EVALUATION = "id dataset { uri name } metrics notes recordedAt recordedBy"
_ERROR = "... on Error { code message }"
_MUTATION = re.compile(r"^\s*mutation\b")
_QUOTED_MAX = 200

Fetched = namedtuple("Fetched", "content etag number")
Fetched.__doc__ = """A file fetched by Cairn.fetch_if_changed: its bytes (or the path written), its ETag to send next time, and
the number of the version it is of (the one the alias pointed at)."""


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


def _quoted(text):
    """A name as it goes into a message: double-quoted, escaped, cut short; safe to print whatever it holds."""
    text = str(text)
    cut = text[:_QUOTED_MAX] + ("..." if len(text) > _QUOTED_MAX else "")
    # Lone surrogates (which no terminal can print) become \\udXXX escapes, as quotes and control characters do.
    return json.dumps(cut, ensure_ascii=False).encode("utf-8", "backslashreplace").decode("utf-8")


class NotFoundError(CairnError, LookupError):
    """NOT_FOUND: the context, model, version or format asked for is not there, or not visible to this token.

    The message names the most precise thing asked for, in one wording:
    `No format "pkl" of version 3 of model "churn" in context "research"`, `No alias "production" of model "churn"
    in context "research"`. The parts are attributes (`context`, `model`, `model_id`, `version`, `alias`, `format`),
    None where the request did not name them.
    """

    def __init__(self, context=None, model=None, model_id=None, version=None, format=None, status=None, extensions=None, alias=None):
        self.context, self.model, self.model_id, self.version, self.format = context, model, model_id, version, format
        self.alias = alias
        if model is None and model_id is None:
            message = "No context %s" % _quoted(context) if context is not None else (
                'No context given, and none to fall back on (this token has no single context, and none named "default"): '
                "name one with Cairn(url, token, context=...)"
            )
        else:
            what = "model %s" % _quoted(model) if model is not None else "model with id %s" % _quoted(model_id)
            if version is not None:
                what = "version %s of %s" % (version, what)
            elif alias is not None:
                what = "alias %s of %s" % (_quoted(alias), what)
            if format is not None:
                what = "format %s of %s" % (_quoted(format), what)
            message = "No " + what + (" in context %s" % _quoted(context) if context is not None else "")
        super().__init__("NOT_FOUND", message, status, extensions)


class Cairn:
    """A session with a Cairn server: its URL, an API token, and optionally a context (a name or an id; without
    one, the token's only context, else `default`)."""

    def __init__(self, url, token, context=None, timeout=300, retries=3):
        self.url = re.sub(r"/graphql/?$", "", url.rstrip("/"))
        self.token = token
        self.context = context
        self.timeout = timeout
        self.retries = retries
        # The server's name for the context it chose, asked for once when a message needs it (context=None).
        self._context_name = None

    def __repr__(self):
        return "<Cairn url=%r context=%r>" % (self.url, self.context)

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
        headers = {"Authorization": "Bearer " + self.token}
        if self.context:
            headers["X-Cairn-Context"] = self.context
        headers.update(extra or {})
        return headers

    def _context_label(self):
        """The context a NOT_FOUND message names: as given, else as the server names the one it chose (None if unknown)."""
        if self.context is not None:
            return self.context
        if self._context_name is None:
            try:
                self._context_name = self.graphql("query { me { context { name } } }")["me"]["context"]["name"]
            except CairnError:
                return None
        return self._context_name

    def _not_found(self, status=None, extensions=None, **asked):
        """NotFoundError for what was asked for: model= (a name) or model_id=, version=, format=."""
        return NotFoundError(context=self._context_label(), status=status, extensions=extensions, **asked)

    def _open(self, request, asked=None):
        """urlopen, refusals raised as CairnError. A 404 on /graphql is the context's; elsewhere it is what was `asked`.
        None for a 304 (the file asked for with If-None-Match has not changed)."""
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            if error.code == 304:
                error.close()
                return None
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
            # A download's 404 is what was asked for, also for a path the server cannot read (a name that is no alias).
            if code == "NOT_FOUND" or (error.code == 404 and asked is not None):
                if asked is not None:
                    raise self._not_found(error.code, extensions, **asked) from None
                raise NotFoundError(context=self.context, status=error.code, extensions=extensions) from None
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
        try:
            body = json.dumps({"query": query, "variables": variables or {}}, allow_nan=False).encode("utf-8")
        except ValueError:
            # json.dumps would write NaN or Infinity, which JSON does not have: refused here, in the server's words.
            raise CairnError("VALIDATION", "NaN and infinite numbers cannot be sent: JSON has only finite numbers") from None
        headers = self._headers({"Content-Type": "application/json"})
        keyed = bool(_MUTATION.match(query))
        if keyed:
            headers["Idempotency-Key"] = str(uuid.uuid4())

        def send():
            request = urllib.request.Request(self.url + "/graphql", data=body, method="POST", headers=headers)
            with self._open(request) as response:
                return self._result(response)

        return self._repeating(send, keyed)

    def _refusal(self, result, asked):
        """The exception for a mutation's error result; NOT_FOUND names what was `asked` for. The error type's own
        fields that the mutation selects (VERSION_ALIASED's `aliases`) are in `extensions`, as a top-level error's are."""
        if result["code"] == "NOT_FOUND" and asked is not None:
            return self._not_found(**asked)
        fields = {k: v for k, v in result.items() if k not in ("__typename", "code", "message")}
        return CairnError(result["code"], result["message"], extensions=fields)

    def _mutation(self, field, query, variables, asked=None):
        result = self.graphql(query, variables)[field]
        if "code" in result and result.get("__typename", "").endswith("Error"):
            raise self._refusal(result, asked)
        return result

    # Files

    def _download(self, model, version, format, path=None, etag=None):
        """GET /files/<model>/<version>/<format>, the sha256 verified: a Fetched, or None when `etag` is given and
        still the file's (304). model: a Model, or a model's id or name; version: a number or an alias."""
        if isinstance(model, Model):
            asked, key = {"model": model.name}, model.id
        else:
            asked, key = ({"model_id": model} if _UUID.match(model) else {"model": model}), model
        # The server reads a number as a number, anything else as an alias (which never is one), and so does the message.
        by_number = isinstance(version, int) or str(version).isdigit()
        asked.update({"version": int(version)} if by_number else {"alias": version}, format=format)
        # Each part one path segment; a lone surrogate goes as the bytes it would be, which the server finds nothing by.
        url = "%s/files/%s" % (self.url, "/".join(urllib.parse.quote(str(part), safe="", errors="surrogatepass") for part in (key, version, format)))
        request = urllib.request.Request(url, headers=self._headers({"If-None-Match": etag} if etag else None))
        response = self._open(request, asked=asked)
        if response is None:
            return None
        sha = hashlib.sha256()
        with response:
            expected, etag, number = response.headers.get("X-Checksum-Sha256", ""), response.headers.get("ETag"), response.headers.get("Cairn-Version")
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
        return Fetched(result, etag, int(number) if number and number.isdigit() else None)

    def fetch_if_changed(self, model, version, format, etag=None, path=None):
        """For a deployment that follows an alias: the file of `format` of the version that `version` (an alias,
        or a number) names, its sha256 verified, as a Fetched (content: bytes, or `path` written; etag; number: the
        version it is of); None, in one request that transfers nothing, while `etag` (the one returned before) is
        still the file's. model: a Model, an id or a name (no lookup: one request in all).

            content, etag, number = cairn.fetch_if_changed("churn", "production", "pkl")
            ...  # later, and again and again:
            changed = cairn.fetch_if_changed("churn", "production", "pkl", etag)
            if changed is not None:
                content, etag, number = changed  # the alias moved to another version
        """
        return self._download(model, version, format, path, etag)

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

    def _model_node(self, key, value):
        return self.graphql("query ($v: %s) { model(%s: $v) { %s } }" % ("ID" if key == "id" else "String", key, _MODEL), {"v": value})["model"]

    def model(self, id_or_name):
        """A model by id or by name (case-insensitively); raises NotFoundError when there is none."""
        by_id = bool(_UUID.match(id_or_name))
        node = self._model_node("id" if by_id else "name", id_or_name)
        if node is None:
            raise self._not_found(**({"model_id": id_or_name} if by_id else {"model": id_or_name}))
        return Model(self, node)

    def create_model(self, name, description=None, tags=None, exist_ok=False):
        """A new model. A taken name raises CairnError NAME_TAKEN, unless exist_ok: then the model that has the
        name (compared case-insensitively, as names are) is returned as it is, its description and tags unchanged.

        exist_ok is safe when several scripts start at once: the model is always created first, and only the
        server's NAME_TAKEN answer leads to the existing one, so all of them get the same model.
        """
        query = "mutation ($input: CreateModelInput!) { createModel(input: $input) { __typename ... on CreateModelSuccess { model { %s } } %s } }" % (
            _MODEL,
            _ERROR,
        )
        variables = {"input": {"name": name, "description": description, "tags": tags}}
        for _ in range(3):
            try:
                return Model(self, self._mutation("createModel", query, variables)["model"])
            except CairnError as error:
                if not exist_ok or error.code != "NAME_TAKEN":
                    raise
                taken = error
            # Gone again by the time it is looked up (deleted meanwhile): the name is free, and creating is tried again.
            node = self._model_node("name", name)
            if node is not None:
                return Model(self, node)
        raise taken


class Model:
    """A model; `id`, `name`, `tags`, `description` and the rest of its fields are attributes."""

    def __init__(self, cairn, fields):
        self._cairn = cairn
        self.__dict__.update(fields)

    def __repr__(self):
        return "<Model name=%r id=%r context=%r url=%r>" % (self.name, self.id, self._cairn.context, self._cairn.url)

    def _pages(self, field, selection):
        """Every node of one of the model's connections, page by page; NotFoundError when the model is gone."""
        found, after = [], None
        while True:
            data = self._cairn.graphql(
                "query ($id: ID!, $after: String) { model(id: $id) { %s(first: 100, after: $after) "
                "{ pageInfo { hasNextPage endCursor } edges { node { %s } } } } }" % (field, selection),
                {"id": self.id, "after": after},
            )["model"]
            if data is None:
                raise self._cairn._not_found(model=self.name)
            page = data[field]
            found.extend(edge["node"] for edge in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]

    def versions(self):
        """The live versions, by number: a list of Version."""
        return [Version(self, node) for node in self._pages("versions", _VERSION)]

    def version(self, number=None, alias=None):
        """A version by number, or the one an alias points at now (`alias="production"`); give one of the two.
        Raises NotFoundError when there is none (deleted numbers stay missing)."""
        if (number is None) == (alias is None):
            raise TypeError("version() takes a number or an alias, not %s" % ("both" if number is not None else "neither"))
        data = self._cairn.graphql(
            "query ($id: ID!, $n: Int, $a: String) { model(id: $id) { version(number: $n, alias: $a) { %s } } }" % _VERSION,
            {"id": self.id, "n": number, "a": alias},
        )["model"]
        if data is None or data["version"] is None:
            raise self._cairn._not_found(model=self.name, **({"version": number} if alias is None else {"alias": alias}))
        return Version(self, data["version"])

    @property
    def aliases(self):
        """The model's aliases as they are now, asked for each time: a dict of name -> version number, by name."""
        data = self._cairn.graphql("query ($id: ID!) { model(id: $id) { aliases { name version { number } } } }", {"id": self.id})["model"]
        if data is None:
            raise self._cairn._not_found(model=self.name)
        return {alias["name"]: alias["version"]["number"] for alias in data["aliases"]}

    def set_alias(self, alias, number):
        """Points an alias (`production`) at a published version (a number or a Version): creates it, or moves it.

        A draft raises CairnError VERSION_NOT_PUBLISHED (what a deployment follows can no longer change); a name
        that is not an alias (1-32 characters: a lower-case letter, then lower-case letters, digits, _ or -), or an
        11th alias, raises VALIDATION. Setting it where it already points changes nothing. Returns the alias:
        a dict with name, number, setAt and setBy.
        """
        number = getattr(number, "number", number)
        result = self._cairn._mutation(
            "setAlias",
            "mutation ($input: SetAliasInput!) { setAlias(input: $input) { __typename "
            "... on SetAliasSuccess { alias { name version { number } setAt setBy } } ... on VersionNotPublishedError { number } %s } }" % _ERROR,
            {"input": {"modelId": self.id, "alias": alias, "number": number}},
            asked={"model": self.name, "version": number},
        )["alias"]
        return {"name": result["name"], "number": result["version"]["number"], "setAt": result["setAt"], "setBy": result["setBy"]}

    def remove_alias(self, alias):
        """Removes an alias (the version stays); NotFoundError when the model has no such alias."""
        self._cairn._mutation(
            "removeAlias",
            "mutation ($id: ID!, $a: String!) { removeAlias(modelId: $id, alias: $a) { __typename %s } }" % _ERROR,
            {"id": self.id, "a": alias},
            asked={"model": self.name, "alias": alias},
        )

    def compare(self, numbers):
        """2-10 live versions side by side: a Comparison, the list of its rows, with the versions in `versions`.

        Each row is a dict: `section` (HYPERPARAMETERS, CONFIG, then METRICS), `key` (a dotted path for nested
        settings, `optimizer.beta`; the metric name for METRICS), `dataset` (the dataset's URI for METRICS, else
        None), `values` (one per number asked, in that order; None where a version lacks the key) and `differs`.
        METRICS come from each version's latest evaluation on the dataset. A number that is not a live version
        raises NotFoundError naming it.
        """
        numbers = [getattr(n, "number", n) for n in numbers]
        try:
            data = self._cairn.graphql(
                "query ($id: ID!, $numbers: [Int!]!) { model(id: $id) { comparison(numbers: $numbers) "
                "{ versions { %s } rows { section key dataset values differs } } } }" % _VERSION,
                {"id": self.id, "numbers": numbers},
            )["model"]
        except CairnError as error:
            if error.code == "NOT_FOUND" and "number" in error.extensions:
                raise self._cairn._not_found(error.status, error.extensions, model=self.name, version=error.extensions["number"]) from None
            raise
        if data is None:
            raise self._cairn._not_found(model=self.name)
        comparison = data["comparison"]
        return Comparison(comparison["rows"], [Version(self, node) for node in comparison["versions"]])

    def download(self, format, number=None, alias=None, path=None):
        """The file of one format of a version by number, or of the one an alias points at (`alias="production"`),
        its sha256 verified: bytes, or written to `path` (returned)."""
        if (number is None) == (alias is None):
            raise TypeError("download() takes a number or an alias, not %s" % ("both" if number is not None else "neither"))
        return self._cairn._download(self, number if alias is None else alias, format, path)[0]

    def create_version(self, description=None, tags=None, hyperparameters=None, config=None, records=None):
        """The model's next version. records: dataset URIs, or dicts {"uri": ..., "name": ...}."""
        records = [r if isinstance(r, dict) else {"uri": r} for r in (records or [])]
        result = self._cairn._mutation(
            "createVersion",
            "mutation ($input: CreateVersionInput!) { createVersion(input: $input) { __typename ... on CreateVersionSuccess { version { %s } } %s } }"
            % (_VERSION, _ERROR),
            {"input": {"modelId": self.id, "description": description, "tags": tags, "hyperparameters": hyperparameters, "config": config, "records": records}},
            asked={"model": self.name},
        )
        return Version(self, result["version"])

    def history(self):
        """The model's events, oldest first: dicts with id, position, type, recordedAt, actor and the fields of
        their type: number for a version's events, format, sha256 and size for an upload, `changed` (the
        fields it set) and `changes` (their values) for an update. `data` is the payload as JSON (deprecated)."""
        return self._pages("history", _EVENT)

    def delete(self):
        self._cairn._mutation(
            "deleteModel", "mutation ($id: ID!) { deleteModel(id: $id) { __typename %s } }" % _ERROR, {"id": self.id}, asked={"model": self.name}
        )


class Version:
    """A numbered version of a model: `number`, `status`, `hyperparameters`, `config`, `formats` ..."""

    def __init__(self, model, fields):
        self.model = model
        self.__dict__.update(fields)

    def __repr__(self):
        cairn = self.model._cairn
        return "<Version number=%r status=%r model=%r context=%r url=%r>" % (self.number, self.status, self.model.name, cairn.context, cairn.url)

    def _asked(self, **more):
        return dict(model=self.model.name, version=self.number, **more)

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
            raise cairn._refusal(result, self._asked())
        return result["format"]

    def download(self, format, path=None):
        """The file of one format, its sha256 verified: bytes, or written to `path` (returned)."""
        return self.model._cairn._download(self.model, self.number, format, path)[0]

    def record_evaluation(self, dataset, metrics, notes=None):
        """Records the version's results on a dataset, draft or published alike (the version itself does not change).

        dataset: a URI (`s3://data/holdout.csv`), a dict {"uri": ..., "name": ...} or a tuple (uri, name).
        metrics: a dict of 1-200 metric names (1-64 characters, kept exactly) to finite numbers; anything else
        raises CairnError VALIDATION. Returns the evaluation: a dict with id, dataset, metrics, notes,
        recordedAt and recordedBy.
        """
        if isinstance(dataset, (tuple, list)):
            dataset = dict(zip(("uri", "name"), dataset))
        elif not isinstance(dataset, dict):
            dataset = {"uri": dataset}
        result = self.model._cairn._mutation(
            "recordEvaluation",
            "mutation ($input: RecordEvaluationInput!) { recordEvaluation(input: $input) { __typename "
            "... on RecordEvaluationSuccess { evaluation { %s } } %s } }" % (_EVALUATION, _ERROR),
            {"input": {"modelId": self.model.id, "number": self.number, "dataset": dataset, "metrics": metrics, "notes": notes}},
            asked=self._asked(),
        )
        return result["evaluation"]

    def _now(self, selection):
        """One of the version's fields as it is now: what a published version still gains (evaluations, aliases)."""
        data = self.model._cairn.graphql(
            "query ($id: ID!, $n: Int!) { model(id: $id) { version(number: $n) { %s } } }" % selection, {"id": self.model.id, "n": self.number}
        )["model"]
        if data is None or data["version"] is None:
            raise self.model._cairn._not_found(**self._asked())
        return data["version"]

    @property
    def evaluations(self):
        """The version's evaluations, in the order recorded, asked for each time: dicts as record_evaluation returns."""
        return self._now("evaluations { %s }" % _EVALUATION)["evaluations"]

    @property
    def aliases(self):
        """The names of the model's aliases that point at this version now, asked for each time."""
        return self._now("aliases")["aliases"]

    def publish(self):
        result = self.model._cairn._mutation(
            "publishVersion",
            "mutation ($id: ID!, $n: Int!) { publishVersion(modelId: $id, number: $n) { __typename ... on PublishVersionSuccess { version { %s } } %s } }"
            % (_VERSION, _ERROR),
            {"id": self.model.id, "n": self.number},
            asked=self._asked(),
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
            asked=self._asked(),
        )
        self.__dict__.update(result["version"])
        return self

    def delete(self):
        """Deletes the version and its files. While aliases point at it, raises CairnError VERSION_ALIASED with
        their names in `extensions["aliases"]`: move or remove them first."""
        self.model._cairn._mutation(
            "deleteVersion",
            "mutation ($id: ID!, $n: Int!) { deleteVersion(modelId: $id, number: $n) { __typename ... on VersionAliasedError { aliases } %s } }" % _ERROR,
            {"id": self.model.id, "n": self.number},
            asked=self._asked(),
        )


class Comparison(list):
    """Model.compare's rows (dicts: section, key, dataset, values, differs); `versions`: the Versions compared, in
    the order asked, which is the order of each row's `values`."""

    def __init__(self, rows, versions):
        super().__init__(rows)
        self.versions = versions

    @property
    def numbers(self):
        return [v.number for v in self.versions]

    def differing(self):
        """The rows whose values are not all the same."""
        return [row for row in self if row["differs"]]
