"""The notebook flow against a running Cairn (CAIRN_URL, CAIRN_TOKEN); npm test starts one and runs this."""

import hashlib
import os
import pickle
import tempfile
import unittest
import uuid

from cairn_client import Cairn, CairnError


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
        self.assertEqual([e["type"] for e in model.history()], ["ModelCreated", "VersionCreated", "FormatUploaded", "VersionPublished"])

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


if __name__ == "__main__":
    unittest.main()
