"""Tests for andraeus.facts: loading and validating facts files (YAML, JSON, CSV).

Every bad input is written to tmp_path; each problem must name the file, the line where
one is known, and the fact, so a user can fix the whole file in one pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from andraeus.facts import Fact, FactsError, FactSet, load_facts, normalise_question


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    """The problems load_facts reports for a file that must be rejected."""
    with pytest.raises(FactsError) as info:
        load_facts(path)
    problems = info.value.problems
    assert isinstance(problems, list) and problems
    assert all(isinstance(p, str) for p in problems)
    assert str(info.value) == "\n".join(problems)
    return problems


def problem_at(problems: list[str], path: Path, line: int | None, *fragments: str) -> str:
    """The one problem that starts at `path:line:` (or just `path`) and contains every fragment."""
    prefix = f"{path}:{line}:" if line is not None else str(path)
    hits = [p for p in problems if p.startswith(prefix) and all(f in p for f in fragments)]
    assert hits, f"no problem at {prefix} containing {fragments}; got {problems}"
    return hits[0]


# --- valid files ---------------------------------------------------------------------

MINIMAL = {
    "facts.yaml": (
        "facts:\n"
        "  - question: What is my dog's name?\n"
        "    answer: Biscuit\n"
        "  - question: Where did I grow up?\n"
        "    answer: Leeds\n"
    ),
    "facts.yml": (
        "facts:\n"
        "  - {question: What is my dog's name, answer: Biscuit}\n"
        "  - {question: Where did I grow up, answer: Leeds}\n"
    ),
    "facts.json": (
        '{"facts": [\n'
        '  {"question": "What is my dog\'s name?", "answer": "Biscuit"},\n'
        '  {"question": "Where did I grow up?", "answer": "Leeds"}\n'
        "]}\n"
    ),
    "facts.csv": (
        "question,answer\n"
        "What is my dog's name?,Biscuit\n"
        "Where did I grow up?,Leeds\n"
    ),
}


@pytest.mark.parametrize("name", sorted(MINIMAL))
def test_minimal_file_loads_in_every_format(tmp_path, name):
    path = write(tmp_path, name, MINIMAL[name])
    facts = load_facts(path)
    assert isinstance(facts, FactSet)
    assert len(facts) == 2
    assert [f.answer for f in facts] == ["Biscuit", "Leeds"]
    assert normalise_question(facts.facts[0].question) == "what is my dog s name"
    assert normalise_question(facts.facts[1].question) == "where did i grow up"
    assert facts.person is None
    assert facts.source == str(path)
    assert all(f.aliases == () and f.category is None for f in facts)


def test_load_facts_accepts_a_str_path(tmp_path):
    path = write(tmp_path, "facts.yaml", MINIMAL["facts.yaml"])
    assert load_facts(str(path)) == load_facts(path)


def test_extension_is_case_insensitive(tmp_path):
    path = write(tmp_path, "FACTS.YAML", MINIMAL["facts.yaml"])
    assert len(load_facts(path)) == 2


def test_top_level_list_without_facts_key_is_accepted(tmp_path):
    path = write(tmp_path, "facts.yaml", "- question: Dog?\n  answer: Biscuit\n")
    assert [(f.question, f.answer) for f in load_facts(path)] == [("Dog?", "Biscuit")]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("facts.yaml", "person:\n  name: Maya\nfacts:\n  - question: Dog?\n    answer: Biscuit\n"),
        ("facts.json", '{"person": {"name": "Maya"}, "facts": [{"question": "Dog?", "answer": "Biscuit"}]}'),
    ],
)
def test_person_name_is_kept(tmp_path, name, text):
    facts = load_facts(write(tmp_path, name, text))
    assert facts.person == "Maya"
    assert facts.to_dict()["person"] == {"name": "Maya"}


@pytest.mark.parametrize("person", ["Maya", "[Maya]", "{nickname: Maya}", "{name: ''}"])
def test_person_must_be_a_mapping_with_a_name(tmp_path, person):
    path = write(tmp_path, "facts.yaml", f"person: {person}\nfacts:\n  - question: Dog?\n    answer: Biscuit\n")
    problem_at(problems_of(path), path, None, "'person'", "name")


def test_aliases_category_and_id_are_kept_in_yaml(tmp_path):
    path = write(
        tmp_path,
        "facts.yaml",
        "facts:\n"
        "  - id: dog\n"
        "    question: What is my dog's name?\n"
        "    answer: Biscuit\n"
        "    aliases: [Bisc, Biscy]\n"
        "    category: pets\n"
        "  - question: Where did I grow up?\n"
        "    answer: Leeds\n"
        "    aliases: Leeds city\n",  # a single alias may be a plain string
    )
    dog, home = load_facts(path)
    assert dog == Fact("dog", "What is my dog's name?", "Biscuit", ("Bisc", "Biscy"), "pets")
    assert dog.accepted == ("Biscuit", "Bisc", "Biscy")
    assert home.aliases == ("Leeds city",)
    assert home.category is None


def test_csv_optional_columns_and_pipe_separated_aliases(tmp_path):
    path = write(
        tmp_path,
        "facts.csv",
        "question,answer,id,aliases,category\n"
        "What is my dog's name?,Biscuit,dog,Bisc| Biscy |,pets\n"
        "Where did I grow up?,Leeds,,,\n",
    )
    dog, home = load_facts(path)
    assert dog == Fact("dog", "What is my dog's name?", "Biscuit", ("Bisc", "Biscy"), "pets")
    assert home.id == "fact-2"  # empty cells count as absent
    assert home.aliases == ()
    assert home.category is None


def test_csv_columns_may_come_in_any_order(tmp_path):
    path = write(tmp_path, "facts.csv", "answer,category,question\nBiscuit,pets,Dog?\n")
    (fact,) = load_facts(path)
    assert (fact.question, fact.answer, fact.category) == ("Dog?", "Biscuit", "pets")


def test_ids_are_numbered_automatically_when_absent(tmp_path):
    path = write(
        tmp_path,
        "facts.yaml",
        "facts:\n"
        "  - {question: \"One?\", answer: a}\n"
        "  - {id: custom, question: \"Two?\", answer: b}\n"
        "  - {question: \"Three?\", answer: c}\n",
    )
    assert [f.id for f in load_facts(path)] == ["fact-1", "custom", "fact-3"]


def test_values_are_trimmed_and_ids_become_text(tmp_path):
    path = write(tmp_path, "facts.yaml", "facts:\n  - {id: 7, question: '  Dog?  ', answer: '  Biscuit '}\n")
    (fact,) = load_facts(path)
    assert (fact.id, fact.question, fact.answer) == ("7", "Dog?", "Biscuit")


SAME_FACTS = {
    "facts.yaml": (
        "facts:\n"
        "  - id: dog\n"
        "    question: What is my dog's name?\n"
        "    answer: Biscuit\n"
        "    aliases: [Bisc, Biscy]\n"
        "    category: pets\n"
        "  - question: Where did I grow up?\n"
        "    answer: Leeds\n"
    ),
    "facts.json": (
        '{"facts": [\n'
        '  {"id": "dog", "question": "What is my dog\'s name?", "answer": "Biscuit",\n'
        '   "aliases": ["Bisc", "Biscy"], "category": "pets"},\n'
        '  {"question": "Where did I grow up?", "answer": "Leeds"}\n'
        "]}\n"
    ),
    "facts.csv": (
        "id,question,answer,aliases,category\n"
        "dog,What is my dog's name?,Biscuit,Bisc|Biscy,pets\n"
        ",Where did I grow up?,Leeds,,\n"
    ),
}


def test_same_facts_in_every_format_have_the_same_hash(tmp_path):
    loaded = {name: load_facts(write(tmp_path, name, text)) for name, text in SAME_FACTS.items()}
    hashes = {name: fs.sha256 for name, fs in loaded.items()}
    assert len(set(hashes.values())) == 1, hashes
    assert len(hashes["facts.csv"]) == 64
    assert loaded["facts.yaml"].facts == loaded["facts.json"].facts == loaded["facts.csv"].facts


def test_hash_changes_with_content_but_not_with_the_file(tmp_path):
    base = load_facts(write(tmp_path, "a.yaml", SAME_FACTS["facts.yaml"]))
    copy = load_facts(write(tmp_path, "b.yaml", SAME_FACTS["facts.yaml"]))
    changed = load_facts(write(tmp_path, "c.yaml", SAME_FACTS["facts.yaml"].replace("Leeds", "York")))
    named = load_facts(write(tmp_path, "d.yaml", "person: {name: Maya}\n" + SAME_FACTS["facts.yaml"]))
    assert copy.sha256 == base.sha256
    assert changed.sha256 != base.sha256
    assert named.sha256 != base.sha256


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("facts.yaml", "facts:\n  - {question: \"What year was I born?\", answer: 1991}\n", "1991"),
        ("facts.yaml", "facts:\n  - {question: \"When is my birthday?\", answer: 1990-03-14}\n", "1990-03-14"),
        ("facts.yaml", "facts:\n  - {question: \"How tall am I in metres?\", answer: 1.8}\n", "1.8"),
        ("facts.json", '{"facts": [{"question": "What year was I born?", "answer": 1991}]}', "1991"),
        ("facts.csv", "question,answer\nWhat year was I born?,1991\n", "1991"),
    ],
)
def test_numbers_and_dates_are_accepted_as_text(tmp_path, name, text, expected):
    (fact,) = load_facts(write(tmp_path, name, text))
    assert fact.answer == expected
    assert isinstance(fact.answer, str)


def test_to_dict_round_trips_through_yaml(tmp_path):
    import yaml

    original = load_facts(write(tmp_path, "a.yaml", "person: {name: Maya}\n" + SAME_FACTS["facts.yaml"]))
    again = load_facts(write(tmp_path, "b.yaml", yaml.safe_dump(original.to_dict())))
    assert again.sha256 == original.sha256


# --- bad files: one problem each, at the right line ----------------------------------

# (file name, content, line the problem must name (None: no line applies), fragments it must contain)
BAD = [
    pytest.param(
        "facts.yaml",
        "facts:\n"
        "  - question: What is my dog's name?\n"
        "    answer: Biscuit: a beagle\n",  # unquoted colon
        3, ["not valid YAML"],
        id="unparsable-yaml",
    ),
    pytest.param(
        "facts.json",
        '{"facts": [\n'
        '  {"question": "Dog?", "answer": "Biscuit"},\n'
        '  {"question": "Home?" "answer": "Leeds"}\n'  # missing comma
        "]}\n",
        3, ["not valid JSON"],
        id="unparsable-json",
    ),
    pytest.param(
        "facts.json",
        '{"facts": [\n'
        '  {"question": "Dog?", "answer": "Biscuit"},\n'
        "]}\n",  # trailing comma: fine in YAML, not in JSON
        3, ["not valid JSON"],
        id="json-trailing-comma",
    ),
    pytest.param(
        "facts.yaml",
        "facts:\n"
        "  - question: Dog?\n"
        "    answer: Biscuit\n"
        "  - answer: Leeds\n",
        4, ["fact-2", "'question'"],
        id="missing-question",
    ),
    pytest.param(
        "facts.yaml",
        "facts:\n"
        "  - question: Dog?\n"
        "    answer: Biscuit\n"
        "  - id: home\n"
        "    question: Where did I grow up?\n"
        '    answer: ""\n',
        4, ["fact 'home'", "'answer'"],
        id="empty-answer",
    ),
    pytest.param(
        "facts.yaml",
        "facts:\n"
        "  - question: Dog?\n"
        '    answer: "   "\n',
        2, ["fact-1", "'answer'"],
        id="blank-answer",
    ),
    pytest.param(
        "facts.yaml",
        "facts:\n"
        "  - question: Dog?\n"
        "    answer:\n",
        2, ["fact-1", "'answer'"],
        id="null-answer",
    ),
    pytest.param(
        "facts.csv",
        "question,answer\n"
        "Dog?,Biscuit\n"
        "Where did I grow up?,\n",
        3, ["fact-2", "'answer'"],
        id="csv-empty-answer",
    ),
    pytest.param(
        "facts.csv",
        "question,answer\n"
        "Dog?,Biscuit\n"
        ",Leeds\n",
        3, ["fact-2", "'question'"],
        id="csv-missing-question",
    ),
    pytest.param(
        "facts.csv",
        "question,anwser\n"
        "Dog?,Biscuit\n",
        1, ["answer"],
        id="csv-header-missing-answer",
    ),
    pytest.param(
        "facts.csv",
        "question,answer\n"
        "Dog?,Biscuit,extra\n",
        2, ["more cells"],
        id="csv-too-many-cells",
    ),
    pytest.param(
        "facts.json",
        '{"facts": [\n'
        '  {"question": "Dog?", "answer": "Biscuit"},\n'
        "\n"
        '  {"question": "Where did I grow up?", "answer": ["Leeds", "York"]}\n'
        "]}\n",
        4, ["fact-2", "'answer'", "list"],
        id="list-answer",
    ),
    pytest.param(
        "facts.yaml",
        "facts:\n"
        "  - question: Dog?\n"
        "    answer: {name: Biscuit}\n",
        2, ["fact-1", "'answer'", "dict"],
        id="mapping-answer",
    ),
    pytest.param(
        "facts.yaml",
        "facts:\n"
        "  - question: Dog?\n"
        "    answer: Biscuit\n"
        "  - question: Am I vegetarian?\n"
        "    answer: yes\n",
        4, ["fact-2", "'answer'", "bool", "quote"],
        id="yaml-boolean-answer",
    ),
    pytest.param(
        "facts.yaml",
        "facts:\n"
        "  - question: Dog?\n"
        "    answer: Biscuit\n"
        "  - question: Where did I grow up?\n"
        "    anwser: Leeds\n",
        4, ["fact-2", "anwser"],
        id="unknown-key",
    ),
    pytest.param(
        "facts.yaml",
        "facts:\n"
        "  - question: Dog?\n"
        "    answer: Biscuit\n"
        "    aliases: [Bisc, true]\n",
        2, ["fact-1", "'aliases'"],
        id="non-text-alias",
    ),
    pytest.param(
        "facts.yaml",
        "facts:\n"
        "  - question: Dog?\n"
        "    answer: Biscuit\n"
        "    category: ''\n",
        2, ["fact-1", "'category'"],
        id="empty-category",
    ),
    pytest.param(
        "facts.yaml",
        "facts:\n"
        "  - just a sentence\n",
        None, ["fact-1", "mapping"],
        id="fact-not-a-mapping",
    ),
    pytest.param("facts.yaml", "", None, ["empty"], id="empty-file"),
    pytest.param("facts.yaml", "  \n\n", None, ["empty"], id="blank-file"),
    pytest.param("facts.csv", "question,answer\n", None, ["no facts"], id="csv-header-only"),
    pytest.param("facts.yaml", "facts: []\n", 1, ["non-empty"], id="empty-facts-list"),
    pytest.param("facts.json", '{"facts": []}\n', 1, ["non-empty"], id="json-empty-facts-list"),
    pytest.param("facts.yaml", "person: {name: Maya}\n", None, ["'facts:'"], id="no-facts-key"),
    pytest.param(
        "facts.yaml",
        "fact:\n  - question: Dog?\n    answer: Biscuit\n",
        None, ["'facts:'"],
        id="misspelt-facts-key",
    ),
    pytest.param(
        "facts.yaml",
        "facts:\n  - question: Dog?\n    answer: Biscuit\nnotes: hi\n",
        None, ["notes"],
        id="unknown-top-level-key",
    ),
    pytest.param("facts.txt", "facts: []\n", None, ["'.txt'", ".yaml"], id="unknown-extension"),
]


@pytest.mark.parametrize(("name", "text", "line", "fragments"), BAD)
def test_bad_file_reports_the_problem_at_its_line(tmp_path, name, text, line, fragments):
    path = write(tmp_path, name, text)
    problem_at(problems_of(path), path, line, *fragments)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.yaml"
    problem_at(problems_of(path), path, None, "no such file")


def test_undecodable_file_is_a_facts_error(tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_bytes(b"facts:\n  - question: Dog?\n    answer: \xff\xfe\n")
    problem_at(problems_of(path), path, None, "cannot read")


def test_duplicate_ids_are_reported(tmp_path):
    path = write(
        tmp_path,
        "facts.yaml",
        "facts:\n"
        "  - {id: dog, question: \"What is my dog's name?\", answer: Biscuit}\n"
        "  - {id: dog, question: \"What breed is my dog?\", answer: Beagle}\n",
    )
    problem_at(problems_of(path), path, None, "duplicate id", "'dog'")


@pytest.mark.parametrize(
    "second",
    ["what is my dog's name", "WHAT IS MY DOG'S NAME!!", "What  is my dog's name ?", "what is my dog s name"],
)
def test_same_question_with_two_answers_is_reported(tmp_path, second):
    path = write(
        tmp_path,
        "facts.yaml",
        "facts:\n"
        "  - question: What is my dog's name?\n"
        "    answer: Biscuit\n"
        f"  - question: \"{second}\"\n"
        "    answer: Rex\n",
    )
    problem_at(problems_of(path), path, None, "two different answers", "'Biscuit'", "'Rex'", "fact-1", "fact-2")


def test_same_question_and_answer_twice_is_reported_as_a_repeat(tmp_path):
    path = write(
        tmp_path,
        "facts.csv",
        "question,answer\nWhat is my dog's name?,Biscuit\nwhat is my dog's name,Biscuit\n",
    )
    problem_at(problems_of(path), path, None, "repeats", "fact-1", "fact-2")


def test_different_questions_with_the_same_answer_are_fine(tmp_path):
    path = write(tmp_path, "facts.csv", "question,answer\nWhere was I born?,Leeds\nWhere did I grow up?,Leeds\n")
    assert len(load_facts(path)) == 2


# --- every problem at once -----------------------------------------------------------


def test_all_problems_in_a_file_are_reported_together(tmp_path):
    path = write(
        tmp_path,
        "facts.yaml",
        "facts:\n"
        "  - answer: Biscuit\n"  # line 2: no question
        "  - question: Am I vegetarian?\n"  # line 3: boolean answer
        "    answer: no\n"
        "  - question: Where do I work?\n"  # line 5: unknown key
        "    answer: Acme\n"
        "    anwser: Acme\n"
        "  - question: Where did I grow up?\n"  # line 8: fine
        "    answer: Leeds\n",
    )
    problems = problems_of(path)
    assert len(problems) >= 3
    problem_at(problems, path, 2, "fact-1", "'question'")
    problem_at(problems, path, 3, "fact-2", "'answer'", "quote")
    problem_at(problems, path, 5, "fact-3", "anwser")
    assert not any(f"{path}:8:" in p for p in problems)


def test_field_problems_and_duplicate_problems_are_reported_together(tmp_path):
    path = write(
        tmp_path,
        "facts.csv",
        "id,question,answer\n"
        "dog,What is my dog's name?,Biscuit\n"
        "dog,What breed is my dog?,Beagle\n"
        "home,Where did I grow up?,\n"
        "city,what is my dog's name,Rex\n",
    )
    problems = problems_of(path)
    assert len(problems) >= 3
    problem_at(problems, path, 4, "fact 'home'", "'answer'")
    problem_at(problems, path, None, "duplicate id", "'dog'")
    problem_at(problems, path, None, "two different answers")


# --- regressions: bugs found in review, now fixed ---


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "facts:\n"
            "  - {id: dog, question: \"What is my dog's name?\", answer: Biscuit}\n"
            "  - {id: dog, question: \"What breed is my dog?\", answer: Beagle}\n",
            3,
        ),
        (
            "facts:\n"
            "  - {question: \"What is my dog's name?\", answer: Biscuit}\n"
            "  - {question: what is my dog's name, answer: Rex}\n",
            3,
        ),
    ],
    ids=["duplicate-id", "duplicate-question"],
)
def test_duplicate_problems_name_the_line(tmp_path, text, line):
    path = write(tmp_path, "facts.yaml", text)
    problem_at(problems_of(path), path, line)


@pytest.mark.parametrize("value", ["0451", "12:30"])
def test_yaml_numbers_are_not_silently_changed(tmp_path, value):
    path = write(tmp_path, "facts.yaml", f"facts:\n  - question: What is my locker code?\n    answer: {value}\n")
    try:
        (fact,) = load_facts(path)
    except FactsError:
        return  # refusing (with a hint to quote it) would also be fine
    assert fact.answer == value


def test_tab_indented_json_loads(tmp_path):
    path = write(tmp_path, "facts.json", '{\n\t"facts": [\n\t\t{"question": "Dog?", "answer": "Biscuit"}\n\t]\n}\n')
    assert len(load_facts(path)) == 1


@pytest.mark.parametrize("name", ["facts.csv", "facts.json"])
def test_files_with_a_byte_order_mark_load(tmp_path, name):
    text = {"facts.csv": "question,answer\nDog?,Biscuit\n",
            "facts.json": '{"facts": [{"question": "Dog?", "answer": "Biscuit"}]}'}[name]
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_facts(path).facts[0].answer == "Biscuit"


def test_json_surrogate_pair_escape_gives_the_character(tmp_path):
    path = write(tmp_path, "facts.json", '{"facts": [{"question": "Dog?", "answer": "Biscuit \\ud83d\\udc36"}]}')
    assert load_facts(path).facts[0].answer == "Biscuit \U0001f436"
