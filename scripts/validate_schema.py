#!/usr/bin/env python3
"""Validates every YAML file of the shipped packs, the good test packs and the base pack of the
broken-pack corpus against schemas/rule-pack.schema.json with the Python `jsonschema` package
(Draft 2020-12), so the schema is known to work with a validator other than kaohe's own."""

import json
import pathlib
import re
import sys

import jsonschema
import yaml

root = pathlib.Path(__file__).resolve().parent.parent
schema = json.loads((root / "schemas" / "rule-pack.schema.json").read_text(encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1; kaohe reads YAML 1.2, where `2025-03-01` is a string and
    `yes`/`no`/`on`/`off` are strings. Drop the 1.1-only resolvers."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
for first in "yYnNoO":
    Yaml12Loader.yaml_implicit_resolvers[first] = [
        (tag, regexp)
        for tag, regexp in Yaml12Loader.yaml_implicit_resolvers.get(first, [])
        if tag != "tag:yaml.org,2002:bool"
    ]

files = [
    path
    for pattern in [
        "rules/**/*.yaml",
        "tests/packs/good/**/*.yaml",
        "tests/packs/base/**/*.yaml",
        "tests/compare/**/*.yaml",
        "tests/veto-clause/**/*.yaml",
    ]
    for path in sorted(root.glob(pattern))
    # A pack test's fixtures are submissions, not pack files.
    if "fixtures" not in path.relative_to(root).parts
]
failures = 0
for path in files:
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12Loader)
    for error in validator.iter_errors(document):
        failures += 1
        pointer = "/" + "/".join(str(p) for p in error.absolute_path)
        print(f"{path.relative_to(root)}: {pointer}: {error.message}")
print(f"{len(files)} files checked, {failures} problems")
sys.exit(1 if failures or not files else 0)
