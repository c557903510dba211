"""Check datagate's OpenLineage run events against the official client and (optionally) the spec.

    python validate.py EVENTS.jsonl [--spec DIR]

1. openlineage-python (PyPI): every event is rebuilt from the client's own generated classes
   (RunEvent, Run, Job, InputDataset, OutputDataset and the standard facets), whose validators
   check the run id (UUID), the event time (ISO 8601 with a time), URIs and the event type; the
   client's serialisation must then give back the same identifiers, names, versions and
   assertions, and the schema URLs the client itself writes (event and standard facets) must be
   exactly the ones datagate writes.
2. With --spec DIR (the `spec/` folder of the OpenLineage repository): JSON-schema validation
   (jsonschema, draft 2020-12) of every event against OpenLineage.json, and of every facet
   against the schema its `_schemaURL` names (standard facets from DIR/facets, datagate's own
   from crates/lineage/spec).

Prints one line per event and 'N passed, N failed'; exits 1 on any failure.
"""

import json
import pathlib
import sys

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    BaseFacet,
    data_quality_assertions_dataset,
    dataset_version_dataset,
    datasource_dataset,
    job_type_job,
)
from openlineage.client.serde import Serde

HERE = pathlib.Path(__file__).resolve().parent
OURS = HERE.parent.parent.parent / "crates" / "lineage" / "spec"

STANDARD = {
    "version": dataset_version_dataset.DatasetVersionDatasetFacet,
    "dataSource": datasource_dataset.DatasourceDatasetFacet,
    "jobType": job_type_job.JobTypeJobFacet,
    "dataQualityAssertions": data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet,
}


def body(facet):
    return {k: v for k, v in facet.items() if not k.startswith("_")}


def build_facet(name, facet, problems):
    cls = STANDARD.get(name)
    if cls is None:
        custom = BaseFacet()
        custom = custom.with_additional_properties(**body(facet))
        return custom
    expected = cls._get_schema()
    if facet.get("_schemaURL") != expected:
        problems.append(f"facet {name}: _schemaURL {facet.get('_schemaURL')!r}, the client writes {expected!r}")
    kwargs = body(facet)
    if cls is data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet:
        kwargs["assertions"] = [data_quality_assertions_dataset.Assertion(**a) for a in kwargs["assertions"]]
    return cls(**kwargs)


def build_dataset(cls, d, problems):
    facets = {k: build_facet(k, v, problems) for k, v in d.get("facets", {}).items()}
    extra = {}
    if cls is InputDataset and "inputFacets" in d:
        extra["inputFacets"] = {k: build_facet(k, v, problems) for k, v in d["inputFacets"].items()}
    return cls(namespace=d["namespace"], name=d["name"], facets=facets, **extra)


def client_check(ev):
    problems = []
    event = RunEvent(
        eventType=RunState(ev["eventType"]),
        eventTime=ev["eventTime"],
        run=Run(runId=ev["run"]["runId"], facets={k: build_facet(k, v, problems) for k, v in ev["run"].get("facets", {}).items()}),
        job=Job(
            namespace=ev["job"]["namespace"],
            name=ev["job"]["name"],
            facets={k: build_facet(k, v, problems) for k, v in ev["job"].get("facets", {}).items()},
        ),
        inputs=[build_dataset(InputDataset, d, problems) for d in ev.get("inputs", [])],
        outputs=[build_dataset(OutputDataset, d, problems) for d in ev.get("outputs", [])],
        producer=ev["producer"],
    )
    back = json.loads(Serde.to_json(event))
    if back["schemaURL"] != ev["schemaURL"]:
        problems.append(f"schemaURL {ev['schemaURL']!r}, the client writes {back['schemaURL']!r}")
    for key in ("eventType", "eventTime", "producer"):
        if back[key] != ev[key]:
            problems.append(f"{key}: {ev[key]!r} came back as {back[key]!r}")
    if back["run"]["runId"] != ev["run"]["runId"]:
        problems.append("runId changed")
    for side in ("inputs", "outputs"):
        for mine, theirs in zip(ev.get(side, []), back.get(side, [])):
            for key in ("namespace", "name"):
                if mine[key] != theirs[key]:
                    problems.append(f"{side} {key}: {mine[key]!r} vs {theirs[key]!r}")
            v1 = mine.get("facets", {}).get("version", {}).get("datasetVersion")
            v2 = theirs.get("facets", {}).get("version", {}).get("datasetVersion")
            if v1 != v2:
                problems.append(f"{side} {mine['name']}: datasetVersion {v1!r} vs {v2!r}")
            a1 = mine.get("inputFacets", {}).get("dataQualityAssertions", {}).get("assertions")
            a2 = theirs.get("inputFacets", {}).get("dataQualityAssertions", {}).get("assertions")
            if a1 is not None and [body(a) for a in a1] != [{k: v for k, v in body(a).items() if v not in (None, {})} for a in a2]:
                problems.append(f"{side} {mine['name']}: assertions differ after the round trip: {a1} vs {a2}")
    return problems


def schema_check(ev, spec_dir):
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource

    resources = []
    for path in list(spec_dir.glob("*.json")) + list(spec_dir.glob("facets/*.json")) + list(OURS.glob("*.json")):
        doc = json.loads(path.read_text())
        if "$id" in doc:
            resources.append((doc["$id"], Resource.from_contents(doc)))
    registry = Registry().with_resources(resources)
    main = json.loads((spec_dir / "OpenLineage.json").read_text())
    problems = []
    v = Draft202012Validator(main, registry=registry, format_checker=FormatChecker())
    problems += [f"event: {e.message} at {list(e.absolute_path)}" for e in v.iter_errors(ev)]

    def facets_of(ev):
        yield from ev["run"].get("facets", {}).items()
        yield from ev["job"].get("facets", {}).items()
        for side in ("inputs", "outputs"):
            for d in ev.get(side, []):
                yield from d.get("facets", {}).items()
                yield from d.get("inputFacets", {}).items()
                yield from d.get("outputFacets", {}).items()

    for name, facet in facets_of(ev):
        url = facet.get("_schemaURL", "")
        base, _, fragment = url.partition("#")
        try:
            resolved = registry.resolver().lookup(url)
        except Exception as e:  # noqa: BLE001 - report any resolution failure
            problems.append(f"facet {name}: cannot resolve {url}: {e}")
            continue
        fv = Draft202012Validator(resolved.contents, registry=registry, format_checker=FormatChecker())
        # Resolve relative $refs inside the facet schema against its own document.
        fv = fv.evolve(_resolver=registry.resolver(base_uri=base))
        problems += [f"facet {name}: {e.message}" for e in fv.iter_errors(facet)]
    return problems


def main():
    args = sys.argv[1:]
    spec = None
    if "--spec" in args:
        i = args.index("--spec")
        spec = pathlib.Path(args[i + 1])
        del args[i : i + 2]
    path = pathlib.Path(args[0])
    passed = failed = 0
    seen_runs = set()
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        ev = json.loads(line)
        try:
            problems = client_check(ev)
        except Exception as e:  # noqa: BLE001 - a validator refusing the event is the finding
            problems = [f"the openlineage client refused it: {type(e).__name__}: {e}"]
        if spec is not None:
            problems += schema_check(ev, spec)
        if ev["run"]["runId"] in seen_runs:
            problems.append("runId repeated")
        seen_runs.add(ev["run"]["runId"])
        label = f"line {n}: {ev['job']['name']}"
        if problems:
            failed += 1
            print(f"FAIL {label}")
            for p in problems:
                print(f"     {p}")
        else:
            passed += 1
            print(f"ok   {label}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
