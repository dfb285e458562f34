"""A person's facts: load YAML, JSON or CSV, validate everything at once, hash.

Every problem in a file is collected and reported together (file, line, fact) so a user
fixes their file in one pass; nothing downstream ever sees an invalid FactSet.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

FACT_KEYS = {"id", "question", "answer", "aliases", "category"}
_LINE = "__line__"


class FactsError(ValueError):
    """A facts file that cannot be used; `problems` lists every reason, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Fact:
    """One thing the model should know about the person."""

    id: str
    question: str
    answer: str
    aliases: tuple[str, ...] = ()
    category: str | None = None

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every answer that counts as right."""
        return (self.answer, *self.aliases)


@dataclass(frozen=True)
class FactSet:
    """The validated facts of one person."""

    facts: tuple[Fact, ...]
    person: str | None = None
    source: str = ""

    def __len__(self) -> int:
        return len(self.facts)

    def __iter__(self):
        return iter(self.facts)

    @property
    def sha256(self) -> str:
        """Content hash (not of the file's bytes): same facts, same hash, in any format."""
        payload = {"person": self.person, "facts": [asdict(f) for f in self.facts]}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def by_id(self, fact_id: str) -> Fact:
        return next(f for f in self.facts if f.id == fact_id)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.person:
            out["person"] = {"name": self.person}
        out["facts"] = [
            {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(f).items() if v}
            for f in self.facts
        ]
        return out


def normalise_question(text: str) -> str:
    """Case, punctuation and spacing do not make two questions different."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


# --- loading -------------------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that records the line of every mapping (for error messages).

    Numbers and dates stay the text the user wrote ("0451" is not octal 297, "12:30" is not 750);
    only booleans and null are still resolved, so they can be reported as non-text."""

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        mapping = super().construct_mapping(node, deep=deep)
        mapping[_LINE] = node.start_mark.line + 1
        return mapping


_LineLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag.endswith((":bool", ":null"))]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_facts(path: str | Path) -> FactSet:
    """Load and validate a facts file (.yaml/.yml, .json or .csv); raise FactsError."""
    path = Path(path)
    if not path.exists():
        raise FactsError([f"{path}: no such file"])
    try:
        text = path.read_text(encoding="utf-8-sig")  # utf-8-sig: Excel's "CSV UTF-8" starts with a BOM
    except (OSError, UnicodeDecodeError) as e:
        raise FactsError([f"{path}: cannot read: {e}"]) from None
    if not text.strip():
        raise FactsError([f"{path}: the file is empty; expected a list of facts under 'facts:'"])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        person, raw = None, _read_csv(path, text)
    elif suffix in (".yaml", ".yml", ".json"):
        person, raw = _read_mapping(path, text, suffix)
    else:
        raise FactsError([f"{path}: unknown format {suffix!r}; use .yaml, .json or .csv"])
    return _validate(path, person, raw)


def _read_csv(path: Path, text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"question", "answer"} - set(reader.fieldnames or [])
    if missing:
        raise FactsError([f"{path}:1: the header needs columns {sorted(missing)} (got {reader.fieldnames})"])
    rows = []
    for row in reader:
        if None in row:  # more cells than header columns
            raise FactsError([f"{path}:{reader.line_num}: more cells than header columns"])
        row = {k: v for k, v in row.items() if v not in ("", None)}
        if "aliases" in row:  # one cell: "Bisc|Biscy"
            row["aliases"] = [a.strip() for a in row["aliases"].split("|") if a.strip()]
        row[_LINE] = reader.line_num
        rows.append(row)
    return rows


def _read_mapping(path: Path, text: str, suffix: str) -> tuple[Any, list]:
    if suffix == ".json":
        data = _read_json(path, text)
    else:
        try:
            data = yaml.load(text, Loader=_LineLoader)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            raise FactsError([f"{path}{line}: not valid YAML: {getattr(e, 'problem', e)}"]) from None
    if isinstance(data, list):
        return None, data
    if not isinstance(data, dict) or "facts" not in data:
        raise FactsError([f"{path}: expected a top-level 'facts:' list (and optionally 'person: {{name: ...}}')"])
    unknown = set(data) - {"facts", "person", _LINE}
    if unknown:
        raise FactsError([f"{path}: unknown top-level keys {sorted(unknown)}; expected 'facts' and 'person'"])
    facts = data["facts"]
    if not isinstance(facts, list) or not facts:
        raise FactsError([f"{path}:{data[_LINE]}: 'facts' must be a non-empty list"])
    return data.get("person"), facts


def _read_json(path: Path, text: str) -> Any:
    """Values from the JSON parser; line numbers from a YAML reading of the same text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise FactsError([f"{path}:{e.lineno}: not valid JSON: {e.msg} (column {e.colno})"]) from None
    try:  # valid JSON has no raw tabs inside strings, so tabs can become spaces for YAML
        lines = yaml.load(text.replace("\t", " "), Loader=_LineLoader)
    except yaml.YAMLError:
        return data  # still valid: messages just lack line numbers
    facts, line_facts = (data, lines) if isinstance(data, list) else (
        data.get("facts") if isinstance(data, dict) else None, lines.get("facts") if isinstance(lines, dict) else None)
    if isinstance(facts, list) and isinstance(line_facts, list):
        for item, twin in zip(facts, line_facts):
            if isinstance(item, dict) and isinstance(twin, dict):
                item[_LINE] = twin[_LINE]
    if isinstance(data, dict) and isinstance(lines, dict):
        data[_LINE] = lines[_LINE]
    return data


# --- validation ----------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A value as text; None for values that are not text (lists, maps, booleans, null)."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        return None
    if isinstance(value, (dt.date, dt.datetime)):  # YAML turns 1990-03-14 into a date
        return value.isoformat()
    return str(value).strip()


def _person_name(path: Path, person: Any, problems: list[str]) -> str | None:
    if person is None:
        return None
    name = person.get("name") if isinstance(person, dict) else None
    text = _text(name)
    if not text:
        problems.append(f"{path}: 'person' must be a mapping with a text 'name'")
    return text


def _validate(path: Path, person: Any, raw: list) -> FactSet:
    problems: list[str] = []
    name = _person_name(path, person, problems)
    facts: list[Fact] = []
    wheres: list[str] = []
    for i, item in enumerate(raw, 1):
        fact = _validate_fact(path, i, item, problems)
        if fact:
            facts.append(fact)
            wheres.append(_where(path, i, item))
    _check_duplicates(facts, wheres, problems)
    if not raw:
        problems.append(f"{path}: no facts found")
    if problems:
        raise FactsError(problems)
    return FactSet(tuple(facts), name, str(path))


def _where(path: Path, i: int, item: Any) -> str:
    line = item.get(_LINE) if isinstance(item, dict) else None
    fid = item.get("id", f"fact-{i}") if isinstance(item, dict) else f"fact-{i}"
    return f"{path}:{line}: fact {fid!r}" if line else f"{path}: fact {fid!r}"


def _validate_fact(path: Path, i: int, item: Any, problems: list[str]) -> Fact | None:
    where = _where(path, i, item)
    if not isinstance(item, dict):
        problems.append(f"{where}: expected a mapping with 'question' and 'answer', got {item!r}")
        return None
    before = len(problems)
    unknown = set(item) - FACT_KEYS - {_LINE}
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(FACT_KEYS)}")
    fields: dict[str, str] = {}
    for key in ("question", "answer"):
        value = item.get(key)
        text = _text(value)
        if key not in item or value is None or text == "":
            problems.append(f"{where}: missing or empty '{key}'")
        elif text is None:
            hint = " (YAML reads yes/no/true/false as booleans: quote it)" if isinstance(value, bool) else ""
            problems.append(f"{where}: '{key}' must be text, got {type(value).__name__}{hint}")
        elif key == "question" and not normalise_question(text):
            problems.append(f"{where}: the question {text!r} has no words")
        else:
            fields[key] = text
    aliases = _aliases(item.get("aliases"), where, problems)
    category = _text(item.get("category")) if "category" in item else None
    if "category" in item and not category:
        problems.append(f"{where}: 'category' must be text")
    fid = _text(item.get("id")) if "id" in item else f"fact-{i}"
    if not fid:
        problems.append(f"{where}: 'id' must be non-empty text")
    if len(problems) > before:
        return None
    return Fact(fid, fields["question"], fields["answer"], aliases, category)


def _aliases(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    texts = [_text(v) for v in items]
    if any(not t for t in texts):
        problems.append(f"{where}: 'aliases' must be a list of non-empty texts")
        return ()
    return tuple(texts)  # type: ignore[arg-type]


def _check_duplicates(facts: list[Fact], wheres: list[str], problems: list[str]) -> None:
    seen_ids: set[str] = set()
    seen_q: dict[str, Fact] = {}
    for fact, where in zip(facts, wheres):
        if fact.id in seen_ids:
            problems.append(f"{where}: duplicate id {fact.id!r} (ids must be unique)")
        seen_ids.add(fact.id)
        key = normalise_question(fact.question)
        other = seen_q.get(key)
        if other is not None:
            if other.answer != fact.answer:
                problems.append(
                    f"{where}: the question {fact.question!r} has two different answers: "
                    f"{other.answer!r} (fact {other.id!r}) and {fact.answer!r}"
                )
            else:
                problems.append(f"{where}: repeats fact {other.id!r}")
        seen_q.setdefault(key, fact)
