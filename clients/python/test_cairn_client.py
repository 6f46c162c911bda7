"""The notebook flow against a running Cairn (CAIRN_URL, CAIRN_TOKEN); npm test starts one and runs this."""

import hashlib
import os
import pickle
import tempfile
import threading
import unittest
import uuid

from cairn_client import Cairn, CairnError, NotFoundError


class TrainedModel:
    """Stands in for a scikit-learn estimator: an object with learned state."""

    def __init__(self, weights, bias):
        self.weights = weights
        self.bias = bias

    def predict(self, x):
        return sum(w * v for w, v in zip(self.weights, x)) + self.bias


class NotebookFlow(unittest.TestCase):
    def setUp(self):
        self.cairn = Cairn(os.environ["CAIRN_URL"], os.environ["CAIRN_TOKEN"])
        self.name = "py-" + uuid.uuid4().hex[:8]

    def test_the_five_steps_with_a_pickled_model_and_back(self):
        model = self.cairn.create_model(self.name, tags=["python"], description="from a notebook")
        self.assertEqual(self.cairn.model(self.name).id, model.id)
        version = model.create_version(hyperparameters={"lr": 0.05}, config={"threshold": 0.7}, records=["s3://data/train.csv"])
        self.assertEqual(version.number, 1)
        trained = TrainedModel([0.5, -1.25, 2.0], 0.1)
        stored = version.upload("pkl", pickle.dumps(trained))
        self.assertEqual(stored["sha256"], hashlib.sha256(pickle.dumps(trained)).hexdigest())
        version.publish()
        self.assertEqual(version.status, "PUBLISHED")
        restored = pickle.loads(self.cairn.model(self.name).version(1).download("pkl"))
        self.assertEqual(restored.predict([1, 2, 3]), trained.predict([1, 2, 3]))
        events = model.history()
        self.assertEqual([e["type"] for e in events], ["ModelCreated", "VersionCreated", "FormatUploaded", "VersionPublished"])
        created, made, uploaded, published = events
        self.assertEqual(
            (created["__typename"], created["schemaVersion"], created["name"], created["tags"], created["description"]),
            ("ModelCreatedEvent", 2, self.name, ["python"], "from a notebook"),
        )
        self.assertEqual(
            (made["number"], made["hyperparameters"], made["config"], made["records"]),
            (1, {"lr": 0.05}, {"threshold": 0.7}, [{"uri": "s3://data/train.csv", "name": None}]),
        )
        self.assertEqual(
            (uploaded["number"], uploaded["format"], uploaded["sha256"], uploaded["size"], uploaded["replaced"]),
            (1, "pkl", stored["sha256"], len(pickle.dumps(trained)), False),
        )
        self.assertEqual(published["number"], 1)
        self.assertEqual({e["modelId"] for e in events}, {model.id})
        self.assertEqual(len({e["id"] for e in events}), 4)
        # `data` is still there for code written against it.
        self.assertEqual((created["data"]["modelId"], published["data"]), (model.id, {"number": 1}))

    def test_a_path_is_streamed_and_a_download_can_go_to_a_file(self):
        version = self.cairn.create_model(self.name).create_version()
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "model.pmml")
            with open(source, "wb") as f:
                f.write(os.urandom(3 * 1024 * 1024 + 5))
            stored = version.upload("pmml", source)
            self.assertEqual(stored["filename"], "model.pmml")
            target = version.download("pmml", path=os.path.join(tmp, "back.pmml"))
            with open(source, "rb") as a, open(target, "rb") as b:
                self.assertEqual(a.read(), b.read())

    def test_refusals_raise_with_their_code(self):
        self.cairn.create_model(self.name)
        with self.assertRaises(CairnError) as taken:
            self.cairn.create_model(self.name.upper())
        self.assertEqual(taken.exception.code, "NAME_TAKEN")
        with self.assertRaises(CairnError) as missing:
            self.cairn.model("no-such-model-" + self.name)
        self.assertEqual(missing.exception.code, "NOT_FOUND")
        version = self.cairn.model(self.name).create_version()
        with self.assertRaises(CairnError) as unknown:
            version.upload("onnx", b"bytes")
        self.assertEqual(unknown.exception.code, "UNKNOWN_FORMAT")
        version.publish()
        with self.assertRaises(CairnError) as published:
            version.update(description="too late")
        self.assertEqual(published.exception.code, "VERSION_PUBLISHED")
        with self.assertRaises(CairnError) as bad:
            Cairn(os.environ["CAIRN_URL"], "cairn_wrong").models()
        self.assertEqual(bad.exception.code, "UNAUTHENTICATED")


class CreateModelExistOk(unittest.TestCase):
    def setUp(self):
        self.cairn = Cairn(os.environ["CAIRN_URL"], os.environ["CAIRN_TOKEN"])
        self.name = "py-" + uuid.uuid4().hex[:8]

    def test_the_model_that_has_the_name_is_returned_as_it_is(self):
        first = self.cairn.create_model(self.name, tags=["a"], description="first", exist_ok=True)
        again = self.cairn.create_model(self.name, tags=["b"], description="second", exist_ok=True)
        self.assertEqual(again.id, first.id)
        self.assertEqual((again.tags, again.description), (["a"], "first"))
        # Names are compared as the server compares them: case-insensitively, trimmed.
        self.assertEqual(self.cairn.create_model("  %s " % self.name.upper(), exist_ok=True).id, first.id)
        self.assertEqual([m.id for m in self.cairn.models(search=self.name)], [first.id])
        with self.assertRaises(CairnError) as taken:
            self.cairn.create_model(self.name)
        self.assertEqual(taken.exception.code, "NAME_TAKEN")

    def test_concurrent_creates_all_get_the_one_model(self):
        for _ in range(3):
            name = "py-race-" + uuid.uuid4().hex[:8]
            start, ids, failures = threading.Barrier(4), [], []

            def create():
                start.wait()
                try:
                    ids.append(Cairn(os.environ["CAIRN_URL"], os.environ["CAIRN_TOKEN"]).create_model(name, exist_ok=True).id)
                except Exception as error:  # reported below, with the ids the others got
                    failures.append(error)

            threads = [threading.Thread(target=create) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            self.assertEqual(failures, [])
            self.assertEqual(len(ids), 4)
            self.assertEqual(len(set(ids)), 1, ids)
            self.assertEqual([m.id for m in self.cairn.models(search=name)], ids[:1])

    def test_bad_names_are_refused_not_taken_for_existing(self):
        for bad in ["", "x\x00y", "s\ud800t", "z" * 201]:
            with self.assertRaises(CairnError) as refused:
                self.cairn.create_model(bad, exist_ok=True)
            self.assertEqual(refused.exception.code, "VALIDATION", repr(bad))


class Reprs(unittest.TestCase):
    def test_each_names_url_context_model_and_version_and_never_the_token(self):
        token, url = os.environ["CAIRN_TOKEN"], os.environ["CAIRN_URL"]
        cairn = Cairn(url, token)
        name = "py-repr-\u00e9'\"" + uuid.uuid4().hex[:6]
        model = cairn.create_model(name)
        version = model.create_version()
        self.assertEqual(repr(cairn), "<Cairn url=%r context=None>" % url)
        self.assertEqual(repr(Cairn(url + "/graphql", token, context="research")), "<Cairn url=%r context='research'>" % url)
        self.assertEqual(repr(model), "<Model name=%r id=%r context=None url=%r>" % (name, model.id, url))
        self.assertEqual(repr(version), "<Version number=1 status='DRAFT' model=%r context=None url=%r>" % (name, url))
        with self.assertRaises(NotFoundError) as missing:
            model.version(2)
        with self.assertRaises(CairnError) as unauthenticated:
            Cairn(url, token + "x").models()
        for shown in [cairn, Cairn(url, token, context="research"), model, version, missing.exception, unauthenticated.exception]:
            for text in (repr(shown), str(shown)):
                self.assertNotIn(token, text)
                self.assertNotIn("\n", text)


class NotFoundWording(unittest.TestCase):
    """Every NOT_FOUND is a NotFoundError worded `No <the most precise thing asked for> in context "<context>"`."""

    def setUp(self):
        url, token = os.environ["CAIRN_URL"], os.environ["CAIRN_TOKEN"]
        self.context = "py-ctx-" + uuid.uuid4().hex[:8]
        created = Cairn(url, token).graphql(
            "mutation ($n: String!) { createContext(name: $n) { __typename ... on Error { message } } }", {"n": self.context}
        )["createContext"]
        self.assertEqual(created["__typename"], "CreateContextSuccess", created)
        self.cairn = Cairn(url, token, context=self.context)
        self.model = self.cairn.create_model("churn")

    def assertNotFound(self, call, message, **parts):
        with self.assertRaises(NotFoundError) as raised:
            call()
        error = raised.exception
        self.assertIsInstance(error, CairnError)
        self.assertIsInstance(error, LookupError)
        self.assertEqual(error.code, "NOT_FOUND")
        self.assertEqual(error.message, message)
        self.assertEqual(str(error), "NOT_FOUND: " + message)
        for part in ("context", "model", "model_id", "version", "format"):
            self.assertEqual(getattr(error, part), parts.get(part), part)

    def test_model_version_format_and_context(self):
        ctx = self.context
        self.assertNotFound(lambda: self.cairn.model("fraud"), 'No model "fraud" in context "%s"' % ctx, context=ctx, model="fraud")
        no_id = str(uuid.uuid4())
        self.assertNotFound(lambda: self.cairn.model(no_id), 'No model with id "%s" in context "%s"' % (no_id, ctx), context=ctx, model_id=no_id)
        self.assertNotFound(lambda: self.model.version(3), 'No version 3 of model "churn" in context "%s"' % ctx, context=ctx, model="churn", version=3)
        version = self.model.create_version()
        self.assertNotFound(
            lambda: version.download("pkl"), 'No format "pkl" of version 1 of model "churn" in context "%s"' % ctx, context=ctx, model="churn", version=1, format="pkl"
        )
        nowhere = "nowhere-" + uuid.uuid4().hex[:6]
        elsewhere = Cairn(os.environ["CAIRN_URL"], os.environ["CAIRN_TOKEN"], context=nowhere)
        self.assertNotFound(elsewhere.models, 'No context "%s"' % nowhere, context=nowhere)
        # Another context's model is not there.
        self.assertNotFound(
            lambda: Cairn(os.environ["CAIRN_URL"], os.environ["CAIRN_TOKEN"]).model(self.model.id),
            'No model with id "%s" in context "default"' % self.model.id,
            context="default",
            model_id=self.model.id,
        )

    def test_without_a_context_the_message_names_the_one_the_server_chose(self):
        cairn = Cairn(os.environ["CAIRN_URL"], os.environ["CAIRN_TOKEN"])
        self.assertNotFound(lambda: cairn.model("fraud-" + self.context), 'No model "fraud-%s" in context "default"' % self.context, context="default", model="fraud-" + self.context)

    def test_what_was_deleted_meanwhile(self):
        ctx = self.context
        version = self.model.create_version()
        gone = self.model.create_version()
        gone.delete()
        message = 'No version 2 of model "churn" in context "%s"' % ctx
        for call in (gone.publish, lambda: gone.update(description="x"), gone.delete, lambda: gone.upload("pkl", b"bytes")):
            self.assertNotFound(call, message, context=ctx, model="churn", version=2)
        self.model.delete()
        message = 'No model "churn" in context "%s"' % ctx
        for call in (self.model.create_version, self.model.versions, self.model.history, self.model.delete):
            self.assertNotFound(call, message, context=ctx, model="churn")
        self.assertNotFound(version.publish, 'No version 1 of model "churn" in context "%s"' % ctx, context=ctx, model="churn", version=1)

    def test_names_are_quoted_and_cut_so_the_message_stays_one_printable_line(self):
        for name, shown in [('a"b\nc', '"a\\"b\\nc"'), ("z" * 300, '"%s..."' % ("z" * 200))]:
            self.assertNotFound(lambda: self.cairn.model(name), "No model %s in context \"%s\"" % (shown, self.context), context=self.context, model=name)
        odd = Cairn(os.environ["CAIRN_URL"], os.environ["CAIRN_TOKEN"], context='a"b')
        self.assertNotFound(odd.models, 'No context "a\\"b"', context='a"b')
        # What the server would refuse to look up still reads safely when a message names it.
        message = NotFoundError(context="c\ud800", model="m\x00").message
        self.assertEqual(message, 'No model "m\\u0000" in context "c\\ud800"')
        message.encode("utf-8")


if __name__ == "__main__":
    unittest.main()
