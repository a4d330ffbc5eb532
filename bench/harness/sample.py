#!/usr/bin/env python3
"""Builds the request lists for bench/run.sh from a seeded NDJSON population.

  sample.py POP_DIR MIX_FILE OUT_DIR [--patients-sample 200] [--read-ids 5000]

Writes OUT_DIR/read.paths (Type/id of resources spread over every file), OUT_DIR/summary.paths
(Patient/{id}/$summary), and OUT_DIR/search-<class>.paths per class of the mix file, with placeholders filled
from a deterministic sample of patients (see bench/workloads/search-mix.txt). Also OUT_DIR/classes.json.
"""
import datetime, json, os, re, sys, argparse
from urllib.parse import quote

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
SUBJECT = re.compile(r'"(?:subject|patient)":\{"reference":"Patient/([^"]+)"')


def lines(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield line


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pop"); ap.add_argument("mix"); ap.add_argument("out")
    ap.add_argument("--patients-sample", type=int, default=200)
    ap.add_argument("--read-ids", type=int, default=5000)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    files = sorted(f for f in os.listdir(a.pop) if f.endswith(".ndjson"))

    # Read-by-id: every k-th resource of the population, all types.
    counts = {f: sum(1 for _ in lines(os.path.join(a.pop, f))) for f in files}
    total = sum(counts.values())
    step = max(1, total // a.read_ids)
    reads, i = [], 0
    for f in files:
        for line in lines(os.path.join(a.pop, f)):
            if i % step == 0:
                r = json.loads(line)
                reads.append(f"/fhir/{r['resourceType']}/{r['id']}")
            i += 1
    write(a.out, "read.paths", reads)

    # Patient sample: evenly spaced over Patient.ndjson.
    pats = [json.loads(l) for l in lines(os.path.join(a.pop, "Patient.ndjson"))]
    pstep = max(1, len(pats) // a.patients_sample)
    sample = {}
    for p in pats[::pstep][: a.patients_sample]:
        v = {"patient": p["id"]}
        if p.get("identifier"):
            ident = p["identifier"][0]
            v["identifier"] = f"{ident['system']}|{ident['value']}"
        name = (p.get("name") or [{}])[0]
        if name.get("family"):
            v["family"] = name["family"]
        if p.get("birthDate"):
            v["birthdate"] = p["birthDate"]
        sample[p["id"]] = v
    del pats

    for line in lines(os.path.join(a.pop, "Observation.ndjson")) if "Observation.ndjson" in files else []:
        m = SUBJECT.search(line)
        if m and m.group(1) in sample and "obs_code" not in sample[m.group(1)]:
            r = json.loads(line)
            for c in r.get("code", {}).get("coding", []):
                if c.get("system") == "http://loinc.org":
                    sample[m.group(1)]["obs_code"] = c["code"]; break
    for line in lines(os.path.join(a.pop, "Encounter.ndjson")) if "Encounter.ndjson" in files else []:
        m = SUBJECT.search(line)
        if m and m.group(1) in sample and "enc_from" not in sample[m.group(1)]:
            start = json.loads(line).get("period", {}).get("start", "")[:10]
            if start:
                d = datetime.date.fromisoformat(start)
                sample[m.group(1)]["enc_from"] = d.isoformat()
                sample[m.group(1)]["enc_to"] = (d + datetime.timedelta(days=90)).isoformat()

    write(a.out, "summary.paths", [f"/fhir/Patient/{pid}/$summary" for pid in sample])

    classes = []
    for raw in open(a.mix, encoding="utf-8"):
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        name, template = raw.split(None, 1)
        paths = []
        for v in sample.values():
            keys = PLACEHOLDER.findall(template)
            if all(k in v for k in keys):
                # Values are URL-encoded (æøå, '|'); the template's own syntax is kept.
                paths.append("/fhir/" + PLACEHOLDER.sub(lambda m: quote(v[m.group(1)], safe=":/-"), template))
        if paths:
            write(a.out, f"search-{name}.paths", paths)
        classes.append({"class": name, "template": template, "paths": len(paths)})
    json.dump({"read_paths": len(reads), "population_resources": total, "population_files": counts,
               "sampled_patients": len(sample), "classes": classes},
              open(os.path.join(a.out, "classes.json"), "w"), indent=1)


def write(out, name, items):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        f.write("\n".join(items) + "\n")


if __name__ == "__main__":
    main()
