"""From training to deployment against a running Cairn (CAIRN_URL, CAIRN_TOKEN): evaluations, comparison, aliases."""

import hashlib
import os
import pickle
import tempfile
import unittest
import uuid

from cairn_client import Cairn, CairnError, Comparison, NotFoundError


class Releases(unittest.TestCase):
    def setUp(self):
        self.cairn = Cairn(os.environ["CAIRN_URL"], os.environ["CAIRN_TOKEN"])
        self.name = "py-rel-" + uuid.uuid4().hex[:8]
        self.model = self.cairn.create_model(self.name)

    def published(self, content, **settings):
        version = self.model.create_version(**settings)
        version.upload("pkl", content)
        return version.publish()

    def assertRefused(self, code, call):
        with self.assertRaises(CairnError) as refused:
            call()
        self.assertEqual(refused.exception.code, code, refused.exception)
        return refused.exception


class Evaluations(Releases):
    def test_recorded_on_a_draft_and_on_a_published_version_in_the_order_recorded(self):
        draft = self.model.create_version()
        first = draft.record_evaluation("s3://data/holdout.csv", {"auc": 0.91, "f1@0.5": 0.5, "loss": 3})
        self.assertEqual((first["dataset"], first["metrics"], first["notes"]), ({"uri": "s3://data/holdout.csv", "name": None}, {"auc": 0.91, "f1@0.5": 0.5, "loss": 3}, None))
        self.assertTrue(first["id"] and first["recordedAt"])
        self.assertEqual(draft.status, "DRAFT")
        second = draft.record_evaluation(("s3://data/march.csv", "March"), {"auc": 0.89}, notes="after the fix")
        self.assertEqual((second["dataset"], second["notes"]), ({"uri": "s3://data/march.csv", "name": "March"}, "after the fix"))
        self.assertEqual([e["id"] for e in draft.evaluations], [first["id"], second["id"]])
        self.assertEqual(self.model.version(1).evaluations, [first, second])

        published = self.published(b"v2")
        recorded = published.record_evaluation({"uri": "dataset:42", "name": "golden"}, {"rmse": 1.5e-3})
        self.assertEqual(published.evaluations, [recorded])
        self.assertEqual((recorded["dataset"], recorded["metrics"]), ({"uri": "dataset:42", "name": "golden"}, {"rmse": 1.5e-3}))
        # The version did not change: still published, and its own evaluations only.
        self.assertEqual(self.model.version(2).status, "PUBLISHED")
        self.assertEqual(len(draft.evaluations), 2)
        events = [e for e in self.model.history() if e["type"] == "EvaluationRecorded"]
        self.assertEqual(
            [(e["number"], e["evaluationId"], e["dataset"]["uri"], e["metrics"], e["notes"]) for e in events],
            [
                (1, first["id"], "s3://data/holdout.csv", first["metrics"], None),
                (1, second["id"], "s3://data/march.csv", {"auc": 0.89}, "after the fix"),
                (2, recorded["id"], "dataset:42", {"rmse": 1.5e-3}, None),
            ],
        )

    def test_metrics_that_are_not_finite_numbers_are_refused(self):
        version = self.model.create_version()
        for metrics in [{"auc": "high"}, {"auc": None}, {"auc": [0.9]}, {"auc": True}, {}, [0.9], {" auc": 0.9}, {"x" * 65: 1}, {"a\ud800": 1}, {"a\x00": 1}, {"auc": float("nan")}, {"auc": float("inf")}]:
            self.assertRefused("VALIDATION", lambda: version.record_evaluation("s3://data/holdout.csv", metrics))
        self.assertRefused("VALIDATION", lambda: version.record_evaluation("no scheme", {"auc": 0.9}))
        self.assertEqual(version.evaluations, [])
        gone = self.model.create_version()
        gone.delete()
        with self.assertRaises(NotFoundError) as missing:
            gone.record_evaluation("s3://data/holdout.csv", {"auc": 0.9})
        self.assertEqual((missing.exception.model, missing.exception.version), (self.name, 2))
        with self.assertRaises(NotFoundError):
            gone.evaluations


class Comparisons(Releases):
    def test_values_aligned_with_the_numbers_asked_none_where_a_version_lacks_the_key(self):
        one = self.model.create_version(
            hyperparameters={"optimizer": {"name": "adam", "beta": 0.9}, "layers": [64, 32], "dropout": 0.1}, config={"threshold": 0.7}
        )
        two = self.model.create_version(hyperparameters={"optimizer": {"name": "adam", "beta": 0.99}, "layers": [64, 32]}, config={"threshold": 0.7, "batch": 8})
        one.record_evaluation("s3://data/holdout.csv", {"auc": 0.80})
        one.record_evaluation("s3://data/holdout.csv", {"auc": 0.85, "f1": 0.5})  # the latest on the dataset counts
        two.record_evaluation("s3://data/holdout.csv", {"auc": 0.85})
        two.record_evaluation("dataset:7", {"auc": 0.7})

        rows = self.model.compare([2, 1])
        self.assertIsInstance(rows, Comparison)
        self.assertEqual(rows.numbers, [2, 1])
        self.assertEqual([(v.number, v.hyperparameters.get("dropout")) for v in rows.versions], [(2, None), (1, 0.1)])
        self.assertEqual(
            [(r["section"], r["key"], r["dataset"], r["values"], r["differs"]) for r in rows],
            [
                ("HYPERPARAMETERS", "dropout", None, [None, 0.1], True),
                ("HYPERPARAMETERS", "layers", None, [[64, 32], [64, 32]], False),
                ("HYPERPARAMETERS", "optimizer.beta", None, [0.99, 0.9], True),
                ("HYPERPARAMETERS", "optimizer.name", None, ["adam", "adam"], False),
                ("CONFIG", "batch", None, [8, None], True),
                ("CONFIG", "threshold", None, [0.7, 0.7], False),
                ("METRICS", "auc", "dataset:7", [0.7, None], True),
                ("METRICS", "auc", "s3://data/holdout.csv", [0.85, 0.85], False),
                ("METRICS", "f1", "s3://data/holdout.csv", [None, 0.5], True),
            ],
        )
        self.assertEqual([r["key"] for r in rows.differing()], ["dropout", "optimizer.beta", "batch", "auc", "f1"])
        # Versions compare as well as numbers, in the order given.
        self.assertEqual([r["values"] for r in self.model.compare([one, two])][:1], [[0.1, None]])

    def test_a_number_that_is_not_a_live_version_is_named_and_the_count_is_checked(self):
        self.model.create_version()
        self.model.create_version().delete()
        for numbers, missing in [([1, 2], 2), ([1, 9], 9)]:
            with self.assertRaises(NotFoundError) as raised:
                self.model.compare(numbers)
            self.assertEqual((raised.exception.model, raised.exception.version), (self.name, missing))
            self.assertEqual(raised.exception.message, 'No version %d of model "%s" in context "default"' % (missing, self.name))
        for numbers in ([1], [1, 1], list(range(1, 12))):
            self.assertRefused("VALIDATION", lambda: self.model.compare(numbers))


class Aliases(Releases):
    def test_set_move_and_remove_with_version_by_alias_following(self):
        one, two = self.published(b"one", description="first"), self.published(b"two", description="second")
        self.assertEqual(self.model.aliases, {})
        set_ = self.model.set_alias("production", 1)
        self.assertEqual((set_["name"], set_["number"]), ("production", 1))
        self.assertTrue(set_["setAt"])
        self.model.set_alias("staging", two)
        self.assertEqual(self.model.aliases, {"production": 1, "staging": 2})
        self.assertEqual(self.model.version(alias="production").description, "first")
        self.assertEqual((one.aliases, two.aliases), (["production"], ["staging"]))

        # Setting it where it points records nothing; moving it records where it was.
        self.model.set_alias("production", 1)
        self.model.set_alias("production", 2)
        self.assertEqual(self.model.aliases, {"production": 2, "staging": 2})
        self.assertEqual(self.model.version(alias="production").description, "second")
        self.assertEqual((one.aliases, sorted(two.aliases)), ([], ["production", "staging"]))

        self.model.remove_alias("production")
        self.assertEqual(self.model.aliases, {"staging": 2})
        with self.assertRaises(NotFoundError) as gone:
            self.model.version(alias="production")
        self.assertEqual((gone.exception.alias, gone.exception.version), ("production", None))
        self.assertEqual(gone.exception.message, 'No alias "production" of model "%s" in context "default"' % self.name)
        with self.assertRaises(NotFoundError) as again:
            self.model.remove_alias("production")
        self.assertEqual(again.exception.alias, "production")
        events = [(e["type"], e["alias"], e["number"], e.get("previousNumber")) for e in self.model.history() if e["type"].startswith("Alias")]
        self.assertEqual(
            events,
            [("AliasSet", "production", 1, None), ("AliasSet", "staging", 2, None), ("AliasSet", "production", 2, 1), ("AliasRemoved", "production", 2, None)],
        )
        self.assertEqual(self.model.version(2).number, 2)
        for call in (lambda: self.model.version(), lambda: self.model.version(2, alias="staging")):
            self.assertRaises(TypeError, call)

    def test_refusals(self):
        published, draft = self.published(b"one"), self.model.create_version()
        refused = self.assertRefused("VERSION_NOT_PUBLISHED", lambda: self.model.set_alias("production", draft.number))
        self.assertEqual(refused.extensions["number"], 2)
        for bad in ["Production", "3", "", "a b", "x" * 33, "prod\x00", "prod\ud800"]:
            self.assertRefused("VALIDATION", lambda: self.model.set_alias(bad, published.number))
        with self.assertRaises(NotFoundError) as missing:
            self.model.set_alias("production", 7)
        self.assertEqual(missing.exception.version, 7)
        for n in range(10):
            self.model.set_alias("a%d" % n, published.number)
        self.assertRefused("VALIDATION", lambda: self.model.set_alias("eleventh", published.number))
        self.model.set_alias("a0", published.number)  # already there: not an eleventh
        aliased = self.assertRefused("VERSION_ALIASED", published.delete)
        self.assertEqual(sorted(aliased.extensions["aliases"]), ["a%d" % n for n in range(10)])
        self.assertEqual(self.model.version(1).number, 1)
        for n in range(10):
            self.model.remove_alias("a%d" % n)
        published.delete()
        self.assertEqual(self.model.aliases, {})


class DownloadsByAlias(Releases):
    def test_the_same_url_follows_the_alias_and_unchanged_is_one_empty_answer(self):
        first, second = pickle.dumps({"weights": [1, 2]}), pickle.dumps({"weights": [3, 4]})
        self.published(first)
        self.published(second)
        self.model.set_alias("production", 1)
        self.assertEqual(self.model.download("pkl", alias="production"), first)
        self.assertEqual(self.model.download("pkl", 2), second)
        data, etag, number = self.cairn.fetch_if_changed(self.name, "production", "pkl")
        self.assertEqual((data, etag, number), (first, '"%s"' % hashlib.sha256(first).hexdigest(), 1))
        # The deployment polls: nothing changed, nothing sent; by id, by name in any case, by number alike.
        self.assertIsNone(self.cairn.fetch_if_changed(self.name, "production", "pkl", etag))
        self.assertIsNone(self.cairn.fetch_if_changed(self.model.id, "production", "pkl", etag))
        self.assertIsNone(self.cairn.fetch_if_changed(self.model, 1, "pkl", etag))
        self.assertIsNone(self.cairn.fetch_if_changed(self.name.upper(), "production", "pkl", etag))

        self.model.set_alias("production", 2)
        with tempfile.TemporaryDirectory() as tmp:
            target = os.path.join(tmp, "model.pkl")
            fetched = self.cairn.fetch_if_changed(self.name, "production", "pkl", etag, path=target)
            moved = fetched.etag
            self.assertEqual(fetched, (target, '"%s"' % hashlib.sha256(second).hexdigest(), 2))
            with open(target, "rb") as f:
                self.assertEqual(f.read(), second)
            self.assertEqual(os.listdir(tmp), ["model.pkl"])
        self.assertIsNone(self.cairn.fetch_if_changed(self.name, "production", "pkl", moved))
        self.assertEqual(self.model.download("pkl", alias="production"), second)
        # The old ETag for the old version by number is still that file's.
        self.assertIsNone(self.cairn.fetch_if_changed(self.name, 1, "pkl", etag))

    def test_what_is_not_there_is_named(self):
        self.published(b"one")
        self.model.set_alias("production", 1)
        cases = [
            (lambda: self.model.download("pkl", alias="staging"), {"model": self.name, "alias": "staging", "format": "pkl"}),
            (lambda: self.model.download("onnx", alias="production"), {"model": self.name, "alias": "production", "format": "onnx"}),
            (lambda: self.cairn.fetch_if_changed("no-" + self.name, "production", "pkl"), {"model": "no-" + self.name, "alias": "production", "format": "pkl"}),
            # Not an alias (upper case): not there either, whatever the server makes of the path.
            (lambda: self.cairn.fetch_if_changed(self.model.id, "Production", "pkl"), {"model_id": self.model.id, "alias": "Production", "format": "pkl"}),
            (lambda: self.cairn.fetch_if_changed(self.name, 5, "pkl"), {"model": self.name, "version": 5, "format": "pkl"}),
        ]
        for call, parts in cases:
            with self.assertRaises(NotFoundError) as missing:
                call()
            for part in ("model", "model_id", "version", "alias", "format"):
                self.assertEqual(getattr(missing.exception, part), parts.get(part), (part, parts))
        self.assertEqual(missing.exception.message, 'No format "pkl" of version 5 of model "%s" in context "default"' % self.name)
        self.assertEqual(
            NotFoundError(context="default", model="churn", alias="production", format="pkl").message,
            'No format "pkl" of alias "production" of model "churn" in context "default"',
        )
        self.assertRaises(TypeError, lambda: self.model.download("pkl"))
        # Hostile names and aliases are looked up as they are, and are not there; what no path can hold is refused.
        for name, alias in [("a/b", "production"), ("", "production"), ("%2e%2e", "production"), (self.name, "../1"), (self.name, "a/b")]:
            with self.assertRaises(NotFoundError) as missing:
                self.cairn.fetch_if_changed(name, alias, "pkl")
            self.assertEqual((missing.exception.model, missing.exception.alias), (name, alias))
        for name, alias in [("x\x00y", "production"), ("s\ud800t", "production"), (self.name, "prod\ud800"), (self.name, "prod\x00")]:
            refused = self.assertRefused("VALIDATION", lambda: self.cairn.fetch_if_changed(name, alias, "pkl"))
            self.assertEqual(refused.status, 400)
        for alias in ("prod\ud800", "prod\x00"):
            self.assertRefused("VALIDATION", lambda: self.model.version(alias=alias))
        with self.assertRaises(NotFoundError) as missing:
            self.model.version(alias="Production")
        self.assertEqual(missing.exception.alias, "Production")


if __name__ == "__main__":
    unittest.main()
