"""`oncopro triage` and `oncopro check-pack`: the clinical engine on the
command line, without Django (shared/spec/triage-json.md)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

import msgspec

from oncopro.clinical.case import CaseError, parse_case
from oncopro.clinical.engine import triage_case
from oncopro.clinical.errors import PackError
from oncopro.clinical.loading import load_pack
from oncopro.clinical.pack import Pack

EXIT_OK = 0
EXIT_CASE_ERRORS = 2
EXIT_BAD_PACK = 3


def _open_input(name: str) -> IO[bytes]:
    if name == "-":
        return sys.stdin.buffer
    return open(name, "rb")


def triage_one(pack: Pack, text: str | bytes) -> tuple[dict[str, Any], bool]:
    """One case as JSON text -> (result or {"error": ...}, ok)."""
    try:
        data = msgspec.json.decode(text)
    except msgspec.DecodeError as error:
        return {"error": f"not valid JSON: {error}"}, False
    try:
        case = parse_case(pack, data)
    except CaseError as error:
        return {"error": str(error)}, False
    return triage_case(pack, case).to_json(), True


def triage_lines(pack: Pack, lines: Iterable[str | bytes]) -> Iterator[tuple[dict[str, Any], bool]]:
    """One case per line, one result per line, in the same order. Blank lines
    are not cases and give no result."""
    for line in lines:
        if line.strip():
            yield triage_one(pack, line)


def triage_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="oncopro triage",
        description="Triage check-ins given as JSON (shared/spec/triage-json.md).",
    )
    parser.add_argument("file", nargs="?", default="-", help="a file, or - for standard input")
    parser.add_argument("--jsonl", action="store_true", help="one case per line")
    parser.add_argument("--pack", help="a pack folder (default: the built-in mbc pack)")
    args = parser.parse_args(argv)
    try:
        pack = load_pack(args.pack)
    except PackError as error:
        print(f"oncopro triage: the pack is not valid: {error}", file=sys.stderr)
        return EXIT_BAD_PACK
    try:
        source = _open_input(args.file)
    except OSError as error:
        print(f"oncopro triage: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return EXIT_CASE_ERRORS
    all_ok = True
    out = sys.stdout.buffer
    with source:
        if args.jsonl:
            encode = msgspec.json.Encoder().encode
            for result, ok in triage_lines(pack, source):
                all_ok &= ok
                out.write(encode(result))
                out.write(b"\n")
        else:
            result, all_ok = triage_one(pack, source.read())
            out.write(json.dumps(result, ensure_ascii=False, indent=2).encode())
            out.write(b"\n")
    out.flush()
    return EXIT_OK if all_ok else EXIT_CASE_ERRORS


def check_pack_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="oncopro check-pack",
        description="Validate a content pack: symptoms, rules, advice and strings.",
    )
    parser.add_argument("path", nargs="?", help="a pack folder (default: the built-in mbc pack)")
    args = parser.parse_args(argv)
    try:
        pack = load_pack(args.path)
    except PackError as error:
        print(f"The pack is not valid.\n{error}", file=sys.stderr)
        return 1
    symptoms = sum(1 for spec in pack.symptoms.values() if not spec.is_reading)
    implemented = sorted({i for rule in (*pack.rules, *pack.patterns) for i in rule.implements})
    print(
        f"{pack.label} ({pack.name}) is valid: {symptoms} symptoms, "
        f"{len(pack.rules)} rules and {len(pack.patterns)} spread patterns "
        f"implementing {len(implemented)} findings, {len(pack.advice)} advice cards, "
        f"{len(pack.strings)} strings in {', '.join(pack.languages)}."
    )
    return EXIT_OK
