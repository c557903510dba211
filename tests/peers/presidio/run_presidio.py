#!/usr/bin/env python3
"""Run Microsoft Presidio's analyzer on corpus.jsonl and write presidio.json.

Presidio's default English pipeline needs the spaCy model en_core_web_lg, which
is downloaded from GitHub at run time and cannot be installed here (no network
but package registries). So Presidio runs with ALL of its default predefined
recognizers (regex + checksum + libphonenumber) on a blank spaCy English
pipeline. spaCy's blank pipeline has a tokenizer but no lemmatizer, so we give
Presidio lower-cased tokens as lemmas: its context enhancer (context words
within 5 tokens raise the score) then works as designed. What this loses is
only the NER model (PERSON, LOCATION, NRP, DATE_TIME from spaCy), which none of
the compared entities use.

Presidio's default score threshold (0) is used: everything it reports counts.

Usage: python run_presidio.py [corpus.jsonl] [out.json]
Prints texts/s and MB/s of text analysed (analysis only, engine already built).
"""
import json
import os
import sys
import time

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARED = {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS", "MAC_ADDRESS"}


class BlankSpacyEngine(SpacyNlpEngine):
    """spaCy tokenizer only; lemmas are lower-cased tokens."""

    def load(self):
        self.nlp = {"en": spacy.blank("en")}

    def _doc_to_nlp_artifact(self, doc, language):
        art = super()._doc_to_nlp_artifact(doc, language)
        art.lemmas = [t.text.lower() for t in doc]
        return art


def build():
    nlp = BlankSpacyEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    nlp.load()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus.jsonl")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "presidio.json")
    texts = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line)["text"])
    engine = build()
    # Warm-up outside the timing: tldextract tries to fetch the public suffix
    # list once (no network here: it falls back to its bundled snapshot).
    engine.analyze(text="warm up a@example.com", language="en")
    t0 = time.perf_counter()
    results = []
    for text in texts:
        found = engine.analyze(text=text, language="en")
        results.append(
            sorted(
                (
                    {"start": r.start, "end": r.end, "entity": r.entity_type, "score": round(r.score, 3)}
                    for r in found
                    if r.entity_type in COMPARED
                ),
                key=lambda r: (r["start"], r["end"]),
            )
        )
    dt = time.perf_counter() - t0
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    from importlib.metadata import version

    doc = {
        "tool": "presidio-analyzer",
        "version": version("presidio-analyzer"),
        "setup": "default predefined recognizers, blank spaCy English tokenizer (no NER model), lemmas = lower-cased tokens, score threshold 0",
        "entities": sorted(COMPARED),
        "results": results,
    }
    if out != "-":
        with open(out, "w", encoding="utf-8") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
    print(json.dumps({"texts": len(texts), "seconds": round(dt, 3), "mb": round(mb, 3), "mb_per_s": round(mb / dt, 4), "texts_per_s": round(len(texts) / dt, 1)}))


if __name__ == "__main__":
    main()
