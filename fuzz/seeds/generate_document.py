#!/usr/bin/env python3
"""Writes the seed corpus of the generate_document fuzz target to corpus-seeds/generate_document/.

Each seed is a Discovery document, minified (whitespace means nothing to the generator and
costs the fuzzer time): the Farm document and the generator's test fixtures (farm, traps:
every naming and typing trap the generator knows), and small real documents from
../shared/discovery-docs that between them have media upload and download, top-level
methods, `@`-names, a top-level array schema, a batchPath of their own, deep resources and
enums. All stay under the 64 KB that fuzz/run passes as -max_len. Run from anywhere;
rewrites the files.
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SHARED = ROOT.parent / "shared" / "discovery-docs"
OUT = HERE.parent / "corpus-seeds" / "generate_document"
MAX_LEN = 64 * 1024

REAL = [
    "youtubeAnalytics.v1", "groupsmigration.v1", "kgsearch.v1", "oauth2.v2", "indexing.v3",
    "webfonts.v1", "siteVerification.v1", "chromewebstore.v1.1", "translate.v2",
    "runtimeconfig.v1", "domainsrdap.v1", "admin.datatransfer_v1", "smartdevicemanagement.v1",
    "playcustomapp.v1", "acmedns.v1", "firebasestorage.v1beta",
]


def minified(path: Path) -> bytes:
    return json.dumps(json.loads(path.read_text()), separators=(",", ":"), ensure_ascii=False).encode()


def main() -> None:
    sources = {
        "farm": ROOT / "discovery-docs" / "farm.json",
        "fixture_farm": ROOT / "generator" / "tests" / "fixtures" / "farm.json",
        "fixture_traps": ROOT / "generator" / "tests" / "fixtures" / "traps.json",
    }
    for name in REAL:
        sources[name] = SHARED / f"{name}.json"
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    for name, path in sources.items():
        data = minified(path)
        if len(data) > MAX_LEN:
            raise SystemExit(f"{path}: {len(data)} bytes minified, over {MAX_LEN}")
        (OUT / name).write_bytes(data)
    print(f"wrote {len(sources)} seeds to {OUT}")


if __name__ == "__main__":
    main()
