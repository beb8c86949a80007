"""The AWS provider 6.x schema, taken offline from the prebuilt cdktf AWS provider package.

Terraform's registry is out of reach here, but PyPI is not: the `cdktf-cdktf-provider-aws` wheel
ships a jsii manifest (`_jsii/provider-aws@<ver>.jsii.tgz` -> `package/.jsii`) that describes every
resource and data source of the provider it was generated from. A resource is a jsii class whose
docs link to `.../docs/resources/<name>`; its constructor takes a `<Name>Config` struct whose
properties are the arguments (optional or not), and properties typed as another struct are nested
blocks. Each property's docs link ends in `#<snake_case_name>`, so names come straight from the
provider rather than from a camelCase guess.

The wheel (~60 MB) is downloaded once with pip into `.cache/infra/` and reduced to a compact JSON
schema there (a few MB); later runs read only the JSON.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path
from typing import Any

PACKAGE = "cdktf-cdktf-provider-aws"
PACKAGE_VERSION = "21.22.1"  # generated from hashicorp/aws 6.25.0
ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "infra"
SCHEMA_FILE = CACHE / f"aws-schema-{PACKAGE_VERSION}.json"
SCHEMA_FORMAT = 2  # bump when the compact layout changes

_DOC = re.compile(
    r"registry\.terraform\.io/providers/hashicorp/aws/([\d.]+)/docs(?:/(resources|data-sources)/(\w+))?"
)
_ANCHOR = re.compile(r"\{@link \S+#(\w+) [^}]*\}")
_META = "cdktf."


def download_wheel() -> Path:
    """Return the provider wheel, downloading it with pip (via uv) if it is not cached."""
    wheels = sorted(CACHE.glob(f"cdktf_cdktf_provider_aws-{PACKAGE_VERSION}-*.whl"))
    if wheels:
        return wheels[0]
    CACHE.mkdir(parents=True, exist_ok=True)
    uv = shutil.which("uv")
    if uv is None:
        raise RuntimeError("uv is required to download the provider schema package")
    cmd = [
        uv,
        "tool",
        "run",
        "--from",
        "pip",
        "pip",
        "download",
        "--no-deps",
        f"{PACKAGE}=={PACKAGE_VERSION}",
        "-d",
        str(CACHE),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    return download_wheel()


def _read_jsii(wheel: Path) -> dict[str, Any]:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".jsii.tgz"))
        blob = zf.read(name)
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tf:
        member = tf.extractfile("package/.jsii")
        assert member is not None
        return json.load(member)


def _snake(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", camel).lower()


def _doc_text(node: dict[str, Any]) -> str:
    docs = node.get("docs", {})
    return f"{docs.get('summary', '')} {docs.get('remarks', '')}"


def _struct_refs(typ: dict[str, Any]) -> list[str]:
    """All type names a jsii type reference mentions (through unions and collections)."""
    if "fqn" in typ:
        return [typ["fqn"]]
    if "collection" in typ:
        return _struct_refs(typ["collection"]["elementtype"])
    if "union" in typ:
        return [f for t in typ["union"]["types"] for f in _struct_refs(t)]
    return []


class _Builder:
    def __init__(self, types: dict[str, Any]) -> None:
        self.types = types
        self.structs: dict[str, Any] = {}

    def _props(self, fqn: str) -> list[dict[str, Any]]:
        t = self.types[fqn]
        props = list(t.get("properties", []))
        for parent in t.get("interfaces", []):
            if not parent.startswith(_META) and parent in self.types:
                props += self._props(parent)
        return props

    def struct(self, fqn: str) -> str:
        """Reduce a struct to {args: {name: required}, blocks: {name: [fqn, required]}}."""
        if fqn in self.structs:
            return fqn
        self.structs[fqn] = None  # guards recursion
        args: dict[str, bool] = {}
        blocks: dict[str, list[Any]] = {}
        for p in self._props(fqn):
            anchor = _ANCHOR.search(_doc_text(p))
            name = anchor.group(1) if anchor else _snake(p["name"])
            required = not p.get("optional", False)
            nested = [
                f
                for f in _struct_refs(p["type"])
                if self.types.get(f, {}).get("datatype") and not f.startswith(_META)
            ]
            if nested:
                blocks[name] = [self.struct(nested[0]), required]
            else:
                args[name] = required
        self.structs[fqn] = {"args": args, "blocks": blocks}
        return fqn


def build(jsii: dict[str, Any]) -> dict[str, Any]:
    """Compact schema: resources, data sources and the provider block, plus their structs."""
    types = jsii["types"]
    builder = _Builder(types)
    out: dict[str, Any] = {
        "format": SCHEMA_FORMAT,
        "package": f"{PACKAGE}=={PACKAGE_VERSION}",
        "provider_version": None,
        "resource": {},
        "data": {},
        "provider": None,
    }
    for t in types.values():
        if t.get("kind") != "class" or "initializer" not in t:
            continue
        match = _DOC.search(_doc_text(t))
        params = t["initializer"].get("parameters", [])
        if not match or len(params) < 3 or "fqn" not in params[2]["type"]:
            continue
        out["provider_version"] = match.group(1)
        config = builder.struct(params[2]["type"]["fqn"])
        # Readable attributes (arguments and computed ones) for reference checks.
        attrs = sorted(
            {
                _snake(p["name"])
                for p in t.get("properties", [])
                if not p.get("static") and not p["name"].endswith("Input")
            }
        )
        entry = {"config": config, "attributes": attrs}
        if match.group(2) is None:
            out["provider"] = entry
        else:
            kind = "resource" if match.group(2) == "resources" else "data"
            out[kind][f"aws_{match.group(3)}"] = entry
    out["structs"] = builder.structs
    return out


def load() -> dict[str, Any]:
    """Return the compact provider schema, building and caching it on first use."""
    if SCHEMA_FILE.exists():
        schema = json.loads(SCHEMA_FILE.read_text())
        if schema.get("format") == SCHEMA_FORMAT:
            return schema
    schema = build(_read_jsii(download_wheel()))
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = SCHEMA_FILE.with_suffix(".tmp")
    tmp.write_text(json.dumps(schema, separators=(",", ":")))
    tmp.replace(SCHEMA_FILE)
    return schema


if __name__ == "__main__":  # used by .ci/infra-setup.sh to warm the cache
    s = load()
    print(
        f"aws provider {s['provider_version']}: {len(s['resource'])} resources, "
        f"{len(s['data'])} data sources -> {SCHEMA_FILE}"
    )
