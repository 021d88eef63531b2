"""Readers for our own corpus format and for the public Korean comment datasets.

``native``: JSON Lines, one ``{"text": ..., "labels": [...], "targets": [...]}`` a
line; no labels means clean. ``beep``: kocohub/korean-hate-speech. ``unsmile``:
smilegate-ai/korean_unsmile_dataset. ``kmhas``: adlnlp/K-MHaS. How each maps onto
our labels is documented in training_data/README.md.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from .labels import CATEGORIES, HATE_TARGETS
from .types import Example

log = logging.getLogger(__name__)

# Our own corpus, written by us (training_data/): its examples get the source
# "corpus:FILE", every other native file "native:FILE", so that training can tell the
# comments we wrote from real ones (see ``training.DEFAULTS["unsampled_sources"]``).
CORPUS_DIR = Path(__file__).resolve().parent.parent / "training_data"

FORMATS = ("native", "beep", "unsmile", "kmhas")
_SUFFIX = {"native": ".jsonl", "beep": ".tsv", "unsmile": ".tsv", "kmhas": ".tsv"}


class DataFormatError(ValueError):
    """A data file cannot be read in the format asked for."""


def read_examples(
    path: str | Path,
    fmt: str = "native",
    *,
    strict: bool = False,
    on_problem: Callable[[str], None] | None = None,
) -> list[Example]:
    """Read every example in ``path`` (a file, or a folder of files) in format ``fmt``.

    A malformed row is reported as ``file:line: reason`` through ``on_problem``
    (logged as a warning by default) and skipped; with ``strict`` it raises
    ``DataFormatError``. A missing path or unknown format raises at once.
    """
    if fmt not in FORMATS:
        raise DataFormatError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob(f"*{_SUFFIX[fmt]}") if p.is_file())
        if not files:
            raise DataFormatError(f"{path}: no {_SUFFIX[fmt]} files in this folder")
    elif path.is_file():
        files = [path]
    else:
        raise DataFormatError(f"{path}: no such file or folder")
    report = on_problem or log.warning
    examples: list[Example] = []
    for file in files:
        for line_no, result in _ROW_READERS[fmt](file):
            if isinstance(result, Example):
                examples.append(result)
                continue
            message = f"{file}:{line_no}: {result}"
            if strict:
                raise DataFormatError(message)
            report(message)
    return examples


Rows = Iterator[tuple[int, Example | str]]


def _open_lines(file: Path) -> Iterator[tuple[int, str]]:
    try:
        with file.open(encoding="utf-8-sig") as f:
            for line_no, line in enumerate(f, 1):
                yield line_no, line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{file}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise DataFormatError(f"{file}: cannot be read ({exc.strerror})") from exc


def _native_rows(file: Path) -> Rows:
    written = file.resolve().is_relative_to(CORPUS_DIR)
    source = f"{'corpus' if written else 'native'}:{file.stem}"
    for line_no, line in _open_lines(file):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            yield line_no, f"not valid JSON ({exc.msg})"
            continue
        yield line_no, _native_example(row, source)


def _native_example(row, source: str) -> Example | str:
    if not isinstance(row, dict):
        return "each line must be a JSON object"
    text, labels, targets = row.get("text"), row.get("labels", []), row.get("targets", [])
    if not isinstance(text, str) or not text.strip():
        return '"text" must be a non-empty string'
    if not isinstance(labels, list) or any(label not in CATEGORIES for label in labels):
        return f'"labels" must be a list drawn from {", ".join(CATEGORIES)}'
    if not isinstance(targets, list) or any(t not in HATE_TARGETS for t in targets):
        return f'"targets" must be a list drawn from {", ".join(HATE_TARGETS)}'
    if targets and "hate" not in labels:
        return '"targets" are only for comments labelled "hate"'
    categories = {c: c in labels for c in CATEGORIES}
    return Example(text, bool(labels), categories, frozenset(targets), source)


def _tsv_rows(file: Path, header: list[str]) -> Iterator[tuple[int, list[str] | str]]:
    lines = _open_lines(file)
    first = next(lines, None)
    if first is None or first[1].split("\t") != header:
        raise DataFormatError(f"{file}:1: expected the header {' | '.join(header)}")
    for line_no, line in lines:
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            yield line_no, f"expected {len(header)} tab-separated fields, found {len(fields)}"
        else:
            yield line_no, fields


BEEP_HEADER = ["comments", "contain_gender_bias", "bias", "hate"]


def _beep_rows(file: Path) -> Rows:
    for line_no, fields in _tsv_rows(file, BEEP_HEADER):
        if isinstance(fields, str):
            yield line_no, fields
            continue
        text, _, bias, hate = fields
        if hate not in ("hate", "offensive", "none") or bias not in ("gender", "others", "none"):
            yield line_no, f"unknown label hate={hate!r} bias={bias!r}"
        elif not text.strip():
            yield line_no, "empty comment"
        elif hate == "none":
            yield line_no, Example(text, False, dict.fromkeys(CATEGORIES, False), source="beep")
        elif bias != "none":
            target = "gender" if bias == "gender" else "other"
            yield line_no, Example(text, True, {"hate": True}, frozenset([target]), "beep")
        else:
            yield line_no, Example(text, True, {}, source="beep")


UNSMILE_GROUPS = {
    "여성/가족": "gender",
    "남성": "gender",
    "성소수자": "sexual_orientation",
    "인종/국적": "race",
    "연령": "age",
    "지역": "region",
    "종교": "religion",
    "기타 혐오": "other",
}
UNSMILE_HEADER = ["문장", *UNSMILE_GROUPS, "악플/욕설", "clean", "개인지칭"]


def _unsmile_rows(file: Path) -> Rows:
    for line_no, fields in _tsv_rows(file, UNSMILE_HEADER):
        if isinstance(fields, str):
            yield line_no, fields
            continue
        text, flags = fields[0], fields[1:]
        if any(f not in ("0", "1") for f in flags):
            yield line_no, "label columns must be 0 or 1"
            continue
        if not text.strip():
            yield line_no, "empty comment"
            continue
        values = dict(zip(UNSMILE_HEADER[1:], (f == "1" for f in flags), strict=True))
        if values["clean"]:
            yield line_no, Example(text, False, dict.fromkeys(CATEGORIES, False), source="unsmile")
            continue
        targets = frozenset(t for name, t in UNSMILE_GROUPS.items() if values[name])
        yield line_no, Example(text, True, {"hate": bool(targets)}, targets, "unsmile")


KMHAS_TARGETS = {0: "region", 1: "appearance", 2: "politics", 4: "age", 5: "gender", 6: "race"}
KMHAS_TARGETS[7] = "religion"
KMHAS_PROFANITY, KMHAS_NOT_HATE = 3, 8


def _kmhas_rows(file: Path) -> Rows:
    lines = _open_lines(file)
    first = next(lines, None)
    if first is None or first[1].split("\t") != ["document", "label"]:
        raise DataFormatError(f"{file}:1: expected the header document | label")
    for line_no, line in lines:
        if not line.strip():
            continue
        yield line_no, _kmhas_example(line)


def _kmhas_example(line: str) -> Example | str:
    try:
        fields = next(csv.reader([line], delimiter="\t", quotechar='"', strict=True))
    except csv.Error as exc:
        return f"badly quoted text ({exc})"
    if len(fields) != 2:
        return f"expected 2 tab-separated fields, found {len(fields)}"
    text, raw = fields
    try:
        codes = {int(code) for code in raw.split(",")}
    except ValueError:
        return f"labels must be comma-separated numbers 0-8, not {raw!r}"
    if not codes <= set(range(9)) or (KMHAS_NOT_HATE in codes and len(codes) > 1):
        return f"labels must be 0-8, with 8 (not hate) alone, not {raw!r}"
    if not text.strip():
        return "empty comment"
    if codes == {KMHAS_NOT_HATE}:
        return Example(text, False, dict.fromkeys(CATEGORIES, False), source="kmhas")
    targets = frozenset(KMHAS_TARGETS[c] for c in codes if c in KMHAS_TARGETS)
    categories = {"hate": bool(targets), "profanity": KMHAS_PROFANITY in codes}
    return Example(text, True, categories, targets, "kmhas")


_ROW_READERS: dict[str, Callable[[Path], Rows]] = {
    "native": _native_rows,
    "beep": _beep_rows,
    "unsmile": _unsmile_rows,
    "kmhas": _kmhas_rows,
}
