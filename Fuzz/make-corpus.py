#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses under Fuzz/corpus/<harness>/ from the test
vectors (specs/vectors), the sample ledger (ledger/), the sample proposals, the curated
control lists and a few hand-written inputs. Deterministic; run from anywhere. Each seed is
named by the SHA-1 of its bytes, as libFuzzer names its own.

Two kinds of seed are never committed and are written at run time (`scripts/fuzz.sh` runs
`make-corpus.py --extra`) under the git-ignored Fuzz/.build/corpus-extra/<harness>/: an excerpt
of ../shared/data/eu-annex-i-*.json (the dataset stays in ../shared/data; a hand-written record
is committed instead), and private key files (the published test and demo keys, read from
specs/vectors and ledger-demo-keys/ where they are labelled as such).
"""
import base64, glob, hashlib, json, os, shutil, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Fuzz", "corpus")
V = os.path.join(ROOT, "specs", "vectors")


def read(p, mode="rb"):
    with open(p, mode) as f:
        return f.read()


EXTRA = "--extra" in sys.argv[1:]
if EXTRA:
    OUT = os.path.join(ROOT, "Fuzz", ".build", "corpus-extra")

corpora = {}


def seed(harness, data, extra=False):
    """Adds a seed; `extra` seeds go only to the run-time corpus (never committed)."""
    if extra != EXTRA:
        return
    if isinstance(data, str):
        data = data.encode()
    corpora.setdefault(harness, {})[hashlib.sha1(data).hexdigest()] = data


def b64(hexstr):
    return base64.b64encode(bytes.fromhex(hexstr)).decode()


# Canonical JSON: every vector's input and canonical form, a few leaves and bodies.
for v in json.loads(read(os.path.join(V, "canonical-json.json"))):
    if "input" in v:
        seed("json", v["input"])
    if "inputBase64" in v:
        seed("json", base64.b64decode(v["inputBase64"]))
    if "canonical" in v:
        seed("json", v["canonical"])
leaves = [l for l in read(os.path.join(ROOT, "ledger", "entries.jsonl")).split(b"\n") if l]
for l in leaves[:5]:
    seed("json", l)

# Leaves: every entry of the sample ledger and of the vectors.
for l in leaves:
    seed("entry", l)
for e in json.loads(read(os.path.join(V, "entries.json"))):
    seed("entry", e["leaf"])

# Signed notes and checkpoints.
notes = [read(p) for p in sorted(glob.glob(os.path.join(V, "*.note")))]
notes += [read(p) for p in sorted(glob.glob(os.path.join(ROOT, "ledger", "checkpoints", "*.note")))]
notes += [read(os.path.join(V, "go-interop", "go-signed-checkpoint.note"))]
for n in notes:
    seed("note", n)
    seed("note", n.split(b"\n\n")[0] + b"\n")  # the bare checkpoint text

# tlog-proof bundles: the inclusion vectors (leaf "leaf i" carried as `extra`, so that the
# harness's check succeeds) with a checkpoint of the right size and root, and the bundle of
# the sample ledger's checkpoint.
roots = {r["size"]: r["root"] for r in json.loads(read(os.path.join(V, "roots.json")))}
sig = notes[0].split(b"\n\n", 1)[1].decode()
inclusion = json.loads(read(os.path.join(V, "inclusion.json")))
for v in [v for v in inclusion if v.get("valid")][:12]:
    cp = "vectors.minilateral.example/log\n%d\n%s\n" % (v["treeSize"], b64(v["root"]))
    text = "c2sp.org/tlog-proof@v1\nextra %s\nindex %d\n" % (
        base64.b64encode(("leaf %d" % v["index"]).encode()).decode(), v["index"])
    text += "".join(b64(h) + "\n" for h in v["proof"])
    seed("tlogproof", text + "\n" + cp + "\n" + sig)
seed("tlogproof", "c2sp.org/tlog-proof@v1\nindex 3\n\n" + notes[-2].decode())

# Proof JSON: the inclusion and consistency vectors in the JSON form the CLI reads.
for v in inclusion[:40]:
    seed("proofjson", json.dumps({
        "index": v["index"], "treeSize": v["treeSize"], "leafHash": b64(v["leafHash"]),
        "hashes": [b64(h) for h in v["proof"]], "root": b64(v["root"])}))
for v in json.loads(read(os.path.join(V, "consistency.json")))[:40]:
    seed("proofjson", json.dumps({
        "size1": v["size1"], "size2": v["size2"], "hashes": [b64(h) for h in v["proof"]],
        "root1": b64(v["root1"]), "root2": b64(v["root2"])}))

# Key files: the vector keys, a few demo key files, Go's key.
keys = json.loads(read(os.path.join(V, "keys.json")))
for k in [keys["author"], keys["log"]] + keys["witnesses"]:
    for f in ("privateKey", "vkey", "cosignerVkey"):
        if f in k:
            seed("keys", k[f], extra=f == "privateKey")
for p in sorted(glob.glob(os.path.join(ROOT, "ledger-demo-keys", "*.key")))[:4]:
    seed("keys", read(p), extra=True)
seed("keys", read(os.path.join(V, "go-interop", "go-test-key.private")), extra=True)
seed("keys", read(os.path.join(V, "go-interop", "go-test-key.vkey")))

# Proposals: the sample proposal files (YAML), and the bodies of the sample ledger's
# statements (JSON), which include proposals, amendments, positions and charters.
for p in sorted(glob.glob(os.path.join(ROOT, "scripts", "sample-proposals", "*.yaml"))):
    seed("proposalyaml", read(p))
kinds = {}
for l in leaves:
    st = json.loads(l)["statement"]
    kinds.setdefault(st["kind"], []).append(st["body"])
for k, bodies in sorted(kinds.items()):
    for b in bodies[:3]:
        seed("proposaljson", json.dumps(b, ensure_ascii=False, indent=1))

# Control lists: the curated JSON lists; CSV and text written from one list.
for p in sorted(glob.glob(os.path.join(ROOT, "Sources", "ControlLists", "Data", "*.json"))):
    if "correlations" not in p:
        seed("listjson", read(p))
header = ("# jurisdiction: US\n# scheme: us-eccn\n# instrument: Test CCL\n"
          "# citation: 15 CFR 774 (test)\n# versionDate: 2025-01-15\n")
seed("listtext", header + """3B001 Equipment for the manufacturing of semiconductor devices, as follows:
3B001 N.B. SEE ALSO 2B226
3B001.a Equipment designed for epitaxial growth as follows:
3B001.a.1 Equipment producing a layer uniform to less than \u00b1 2,5 % across a distance of 75 mm or more;
3B001.a.1 Note: 3B001.a.1. includes ALE equipment.
3B001.a.2 Not used;
3B001.a Technical Note:
3B001.a For the purposes of 3B001.a, 'epitaxy' means \u2026
3B001.z Reserved
""")
seed("listcsv", header + '''code,status,heading,text,source,notes,seeAlso,parameters
3B001,active,Semiconductor equipment,"Equipment for the manufacturing of semiconductor devices, as follows:",CCL 3B001,"nb: SEE ALSO 2B226",2B226,
3B001.a,active,,"Equipment designed for epitaxial growth, wavelength less than 193 nm",CCL 3B001.a,"note: includes ALE equipment.
technical-note: 'epitaxy' means ""growth""",,wavelength|<|193|nm
3B001.a.2,not-used,,Not used,CCL 3B001.a.2,,,
''')
eu = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "data", "eu-annex-i-*.json")))
if eu:
    d = json.loads(read(eu[-1]))
    d = {k: d[k] for k in ("corpus_version", "celex", "valid_from", "attribution")} | {
        "entries": [e for e in d["entries"] if e["entry_code"] in ("0A001", "3B001", "3B993", "4D002")]}
    seed("euannex", json.dumps(d, ensure_ascii=False, indent=1), extra=True)
seed("euannex", json.dumps({"celex": "fixture", "valid_from": "2025-11-15", "entries": [
    {"entry_code": "3B001", "verbatim_text":
     "3B001 Equipment for the manufacturing of semiconductor devices, as follows:\n"
     "3B001.a Equipment designed for epitaxial growth as follows:\n"
     "3B001.a.1 Equipment producing a layer uniform to less than \u00b1 2,5 % across 75 mm;\n"
     "3B001.a.1 Note: 3B001.a.1. includes ALE equipment.\n3B001.b Not used;"}]}, indent=1))

for harness, seeds in corpora.items():
    d = os.path.join(OUT, harness)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print("%-13s %3d seeds, %7d bytes" % (harness, len(seeds), sum(map(len, seeds.values()))))
