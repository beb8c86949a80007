"""Check Terraform modules argument by argument against the AWS provider schema.

What `terraform validate` would say about names, done offline (the provider binary cannot be
downloaded here): unknown resource and data source types, misspelt or misplaced arguments and
blocks at every nesting level, missing required arguments and blocks, references to undeclared
variables, locals, resources, data sources, modules and module outputs, attributes that a
resource does not export, and module calls with unknown or missing inputs. Values and types
are not checked: that needs the provider itself.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from hcl import BLOCK, is_block, labelled, locals_of, named, parse_dir, strings

META_ARGS = {
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "provisioner",
    "connection",
}
LIFECYCLE = {
    "create_before_destroy",
    "prevent_destroy",
    "ignore_changes",
    "replace_triggered_by",
    "precondition",
    "postcondition",
}
BUILTIN_RESOURCES = {"terraform_data": {"input", "triggers_replace"}}
MODULE_META = {"source", "version", "providers", "count", "for_each", "depends_on"}

_REF_VAR = re.compile(r"(?<![\w.])var\.([A-Za-z_][\w-]*)")
_REF_LOCAL = re.compile(r"(?<![\w.])local\.([A-Za-z_][\w-]*)")
_REF_MODULE = re.compile(r"(?<![\w.])module\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?(?:\.([A-Za-z_]\w*))?")
_REF_DATA = re.compile(
    r"(?<![\w.])data\.(aws_\w+)\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?(?:\.([A-Za-z_]\w*))?"
)
_REF_ITER = re.compile(r"(?<![\w.])(count|each)\.([A-Za-z_]\w*)")
_ITER_ATTRS = {"count": {"index"}, "each": {"key", "value"}}
_REF_RES = re.compile(
    r"(?<![\w.])(aws_\w+|terraform_data)\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?(?:\.([A-Za-z_]\w*))?"
)


def _hint(name: str, options: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(options), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


class Checker:
    """Holds the compact schema and collects errors as readable strings."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.structs = schema["structs"]
        self.errors: list[str] = []
        self.module_outputs: dict[str, set[str]] = {}  # module call name -> its outputs

    def _body(self, body: dict[str, Any], fqn: str, where: str) -> None:
        struct = self.structs[fqn]
        args, blocks = struct["args"], struct["blocks"]
        present: set[str] = set()
        for key, value in body.items():
            if key == BLOCK:
                continue
            if key == "dynamic":
                for dyn in value:
                    for name, spec in dyn.items():
                        if name == BLOCK:
                            continue
                        if name not in blocks:
                            self.errors.append(
                                f"{where}: dynamic {name!r} is not a block here"
                                f"{_hint(name, set(blocks))}"
                            )
                            continue
                        present.add(name)
                        for content in spec.get("content", []):
                            self._body(content, blocks[name][0], f"{where}.{name}")
                continue
            present.add(key)
            if key in args:
                if is_block(value):
                    self.errors.append(f"{where}: {key!r} is an argument; write `{key} = ...`")
            elif key in blocks:
                if not is_block(value):
                    self.errors.append(f"{where}: {key!r} is a block; write `{key} {{ ... }}`")
                    continue
                for item in value:
                    self._body(item, blocks[key][0], f"{where}.{key}")
            else:
                self.errors.append(
                    f"{where}: unknown argument or block {key!r}"
                    f"{_hint(key, set(args) | set(blocks))}"
                )
        for name, required in args.items():
            if required and name not in present:
                self.errors.append(f"{where}: missing required argument {name!r}")
        for name, (_, required) in blocks.items():
            if required and name not in present:
                self.errors.append(f"{where}: missing required block {name!r}")

    def _resource(self, kind: str, type_: str, name: str, body: dict[str, Any], where: str) -> None:
        loc = f"{where}: {'data.' if kind == 'data' else ''}{type_}.{name}"
        if kind == "resource" and type_ in BUILTIN_RESOURCES:
            unknown = set(body) - BUILTIN_RESOURCES[type_] - META_ARGS - {BLOCK}
            if unknown:
                self.errors.append(f"{loc}: unknown arguments {sorted(unknown)}")
            return
        entry = self.schema[kind].get(type_)
        if entry is None:
            self.errors.append(f"{loc}: unknown {kind} type{_hint(type_, set(self.schema[kind]))}")
            return
        plain = {k: v for k, v in body.items() if k not in META_ARGS}
        for lc in body.get("lifecycle", []):
            for k in set(lc) - LIFECYCLE - {BLOCK}:
                self.errors.append(f"{loc}.lifecycle: unknown argument {k!r}")
        self._body(plain, entry["config"], loc)

    def check_module(self, directory: Path) -> list[str]:
        """Check one module (or environment root) directory; returns the errors found in it."""
        start = len(self.errors)
        where = directory.name
        parsed = parse_dir(directory)
        declared = {"resource": {}, "data": {}}
        for kind in ("resource", "data"):
            for type_, name, body in labelled(parsed, kind):
                declared[kind][(type_, name)] = body
                self._resource(kind, type_, name, body, where)
        for pname, body in named(parsed, "provider"):
            if pname != "aws":
                self.errors.append(f"{where}: unexpected provider {pname!r}")
                continue
            plain = {k: v for k, v in body.items() if k != "alias"}
            self._body(plain, self.schema["provider"]["config"], f"{where}: provider.aws")
        self._modules(directory, parsed)
        self._references(where, parsed, declared)
        return self.errors[start:]

    def _modules(self, directory: Path, parsed: dict[str, Any]) -> None:
        for mname, body in named(parsed, "module"):
            source = str(body.get("source", ""))
            target = (directory / source).resolve()
            if not source.startswith(".") or not target.is_dir():
                self.errors.append(
                    f"{directory.name}: module {mname!r} source {source!r} not found"
                )
                continue
            variables = dict(named(parse_dir(target), "variable"))
            for key in set(body) - MODULE_META - {BLOCK}:
                if key not in variables:
                    self.errors.append(
                        f"{directory.name}: module {mname!r} has no input {key!r}"
                        f"{_hint(key, set(variables))}"
                    )
            for vname, vbody in variables.items():
                if "default" not in vbody and vname not in body:
                    self.errors.append(f"{directory.name}: module {mname!r} needs input {vname!r}")

    def _references(self, where: str, parsed: dict[str, Any], declared: dict[str, Any]) -> None:
        variables = {n for n, _ in named(parsed, "variable")}
        local_names = set(locals_of(parsed))
        modules = dict(named(parsed, "module"))
        checked = [
            v
            for kind in ("resource", "data", "output", "module", "locals", "provider")
            for v in parsed.get(kind, [])
        ]
        for text in {s for s in strings(checked) if "${" in s}:
            for v in _REF_VAR.findall(text):
                if v not in variables:
                    self.errors.append(f"{where}: var.{v} is not declared{_hint(v, variables)}")
            for it, attr in _REF_ITER.findall(text):
                if attr not in _ITER_ATTRS[it]:
                    self.errors.append(
                        f"{where}: {it}.{attr} is not valid{_hint(attr, _ITER_ATTRS[it])}"
                    )
            for v in _REF_LOCAL.findall(text):
                if v not in local_names:
                    self.errors.append(f"{where}: local.{v} is not declared{_hint(v, local_names)}")
            for m, out in _REF_MODULE.findall(text):
                self._module_ref(where, modules, m, out)
            for t, n, attr in _REF_DATA.findall(text):
                self._attr_ref(where, "data", declared, t, n, attr)
            for t, n, attr in _REF_RES.findall(text.replace("data.aws_", "data.")):
                self._attr_ref(where, "resource", declared, t, n, attr)

    def _module_ref(self, where: str, modules: dict[str, Any], m: str, out: str) -> None:
        if m not in modules:
            self.errors.append(f"{where}: module.{m} is not declared{_hint(m, set(modules))}")
            return
        outputs = self.module_outputs.get(m)
        if out and outputs is not None and out not in outputs:
            self.errors.append(f"{where}: module.{m} has no output {out!r}{_hint(out, outputs)}")

    def _attr_ref(
        self, where: str, kind: str, declared: dict[str, Any], t: str, n: str, attr: str
    ) -> None:
        prefix = "data." if kind == "data" else ""
        if (t, n) not in declared[kind]:
            self.errors.append(f"{where}: {prefix}{t}.{n} is not declared")
            return
        if not attr or t in BUILTIN_RESOURCES:
            return
        attrs = set(self.schema[kind][t]["attributes"]) if t in self.schema[kind] else set()
        if attrs and attr not in attrs:
            self.errors.append(
                f"{where}: {prefix}{t}.{n} has no attribute {attr!r}{_hint(attr, attrs)}"
            )


def check(directory: Path, schema: dict[str, Any]) -> list[str]:
    """Check one module or environment root; module outputs are resolved from their sources."""
    checker = Checker(schema)
    for mname, body in named(parse_dir(directory), "module"):
        target = (directory / str(body.get("source", ""))).resolve()
        if target.is_dir():
            checker.module_outputs[mname] = {n for n, _ in named(parse_dir(target), "output")}
    return checker.check_module(directory)
