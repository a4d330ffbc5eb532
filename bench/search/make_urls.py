#!/usr/bin/env python3
"""Writes one file of request paths per query class (bench/search/run.sh), from a population made by
`fellesjournal seed --patients N --out DIR`: make_urls.py DIR OUTDIR"""
import json, os, random, sys, urllib.parse
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
rnd = random.Random(1)
def load(t):
    p = os.path.join(src, t + ".ndjson")
    return [json.loads(l) for l in open(p, encoding="utf-8")] if os.path.exists(p) else []
pats = load("Patient")
obs = load("Observation")
q = urllib.parse.quote
codes = {}
for o in obs:
    pid = o["subject"]["reference"].split("/")[1]
    c = o["code"]["coding"][0]
    codes.setdefault(pid, set()).add(c["system"] + "|" + c["code"])
classes = {k: [] for k in ["patient_identifier", "patient_name_birthdate", "medreq_active", "obs_latest_by_code",
                           "encounter_date_range", "obs_chain_identifier", "patient_revinclude", "condition_active",
                           "immunization_sorted", "encounter_include"]}
for p in pats:
    pid = p["id"]
    fnr = p["identifier"][0]["system"] + "|" + p["identifier"][0]["value"]
    classes["patient_identifier"].append(f"/fhir/Patient?identifier={q(fnr)}")
    classes["patient_name_birthdate"].append(f"/fhir/Patient?family={q(p['name'][0]['family'])}&birthdate={p['birthDate']}")
    classes["medreq_active"].append(f"/fhir/MedicationRequest?patient={pid}&status=active")
    for c in sorted(codes.get(pid, []))[:3]:
        classes["obs_latest_by_code"].append(f"/fhir/Observation?subject=Patient/{pid}&code={q(c)}&_sort=-date&_count=10")
    y = rnd.randint(2012, 2023)
    classes["encounter_date_range"].append(f"/fhir/Encounter?patient={pid}&date=ge{y}-01-01&date=lt{y + 1}-01-01")
    classes["obs_chain_identifier"].append(f"/fhir/Observation?subject.identifier={q(fnr)}&_count=20")
    classes["patient_revinclude"].append(f"/fhir/Patient?_id={pid}&_revinclude=Provenance:target&_revinclude=AllergyIntolerance:patient")
    classes["condition_active"].append(f"/fhir/Condition?patient={pid}&clinical-status=active")
    classes["immunization_sorted"].append(f"/fhir/Immunization?patient={pid}&_sort=-date&_count=20")
    classes["encounter_include"].append(f"/fhir/Encounter?subject=Patient/{pid}&_sort=-date&_count=5&_include=Encounter:service-provider")
for k, v in classes.items():
    rnd.shuffle(v)
    open(os.path.join(out, k + ".txt"), "w").write("\n".join(v) + "\n")
mix = [u for v in classes.values() for u in v[:200]]
rnd.shuffle(mix)
open(os.path.join(out, "mix.txt"), "w").write("\n".join(mix) + "\n")
print({k: len(v) for k, v in classes.items()})
