"""Tests for andraeus.variations: phrasing generation, held-out splits and the leak check."""

from __future__ import annotations

import json
import random
import re

import pytest

from andraeus.facts import Fact, FactSet, normalise_question
from andraeus.variations import (
    HELDOUT_FAMILIES,
    MAX_PHRASINGS,
    TRAIN_FAMILIES,
    LeakError,
    Phrasing,
    Split,
    check_leaks,
    family_candidates,
    find_leaks,
    make_split,
    named_thing,
    parse,
    relation_questions,
    split_from_dict,
    split_to_dict,
    third_person,
    training_phrasings,
)

LONG_QUESTION = (
    "What is the name of the small village in the north of Scotland where my grandmother "
    "was born and raised before she moved to Glasgow?"
)
LONG_YES_NO = (  # a shape the parser does not split: yes/no with a subject other than a pronoun
    "Does my grandmother still visit the small village in the north of Scotland where she "
    "was born and raised before she moved to Glasgow?"
)

# Questions the parser does not understand, and ones it does (with did / does / am).
AWKWARD = [
    "Birthday?",
    "Dog",
    "¿Cómo se llama mi perro?",
    LONG_QUESTION,
    "Tell me my blood type",
    "Did I ever break a bone?",
    "Am I allergic to anything?",
    "What did I study at university?",
    "Where does my sister live?",
    "How old am I?",
    "What is my dog's name?",
]

COUNTS = [*range(1, 31), MAX_PHRASINGS]


def fact(question: str, fact_id: str = "f1", answer: str = "x") -> Fact:
    return Fact(fact_id, question, answer)


def texts(phrasings) -> list[str]:
    return [p.text for p in phrasings]


# --- training phrasings ----------------------------------------------------------------


@pytest.mark.parametrize("person", [None, "Maya"])
@pytest.mark.parametrize("question", AWKWARD)
def test_exactly_n_distinct_phrasings_for_every_n(question, person):
    f = fact(question)
    for n in COUNTS:
        got = training_phrasings(f, n, seed=0, person=person)
        norms = [normalise_question(p.text) for p in got]
        assert len(got) == n, (n, texts(got))
        assert len(set(norms)) == n, (n, [t for t in norms if norms.count(t) > 1])
        assert all(norms), (n, texts(got))
        assert all(isinstance(p, Phrasing) and p.fact_id == "f1" for p in got)
        assert {p.family for p in got} <= set(TRAIN_FAMILIES), (n, {p.family for p in got})


@pytest.mark.parametrize("question", AWKWARD)
def test_first_phrasing_is_the_users_own_question_tidied(question):
    for n in (1, 7, 30):
        first = training_phrasings(fact(question), n, seed=3)[0]
        assert first.text == parse(question).question
        assert normalise_question(first.text) == normalise_question(question)
        assert first.text.endswith("?")


@pytest.mark.parametrize(
    ("question", "tidied"),
    [
        ("Dog", "Dog?"),
        ("Birthday?", "Birthday?"),
        ("  where's   my car ", "Where is my car?"),
        ("what is my dog's name!!", "What is my dog's name?"),
        ("¿Cómo se llama mi perro?", "¿Cómo se llama mi perro?"),
    ],
)
def test_the_first_phrasing_tidies_spacing_case_and_end_punctuation(question, tidied):
    assert training_phrasings(fact(question), 1)[0].text == tidied


@pytest.mark.parametrize("question", ["What is my dog's name?", "Where does my sister live?"])
def test_parsed_questions_use_several_training_families(question):
    families = {p.family for p in training_phrasings(fact(question), 30, seed=0)}
    assert len(families) >= 5, families
    assert "typo" in families


@pytest.mark.parametrize("question", AWKWARD)
def test_same_seed_gives_the_same_phrasings(question):
    a = training_phrasings(fact(question), 25, seed=11, person="Maya")
    b = training_phrasings(fact(question), 25, seed=11, person="Maya")
    assert a == b


@pytest.mark.parametrize("question", ["What is my dog's name?", "Tell me my blood type", "Dog"])
def test_different_seeds_usually_give_different_phrasings(question):
    runs = {tuple(texts(training_phrasings(fact(question), 10, seed=s))) for s in range(5)}
    assert len(runs) >= 3
    assert len({run[0] for run in runs}) == 1  # the user's own question always leads


def test_seed_is_per_fact():
    a = training_phrasings(fact("What is my dog's name?", "dog"), 10, seed=0)
    b = training_phrasings(fact("What is my dog's name?", "pet"), 10, seed=0)
    assert texts(a) != texts(b)


@pytest.mark.parametrize("n", [0, -1, MAX_PHRASINGS + 1])
def test_n_out_of_bounds_is_refused(n):
    with pytest.raises(ValueError, match=str(MAX_PHRASINGS)):
        training_phrasings(fact("Dog"), n)


@pytest.mark.parametrize("n", [1, MAX_PHRASINGS])
def test_n_at_the_bounds_is_allowed(n):
    assert len(training_phrasings(fact("Dog"), n)) == n


# --- parsing and person transforms ---------------------------------------------------


@pytest.mark.parametrize(
    ("question", "embedded", "topic"),
    [
        ("Where did I grow up?", "where I grew up", None),
        ("Where does my sister live?", "where my sister lives", None),
        ("What is my dog's name?", "what my dog's name is", "my dog's name"),
        ("what's my dog's name", "what my dog's name is", "my dog's name"),
        ("How old am I?", "how old I am", None),
        ("What did I study at university?", "what I studied at university", None),
        ("Where do I work?", "where I work", None),
        ("Which university did I attend?", "which university I attended", None),
        ("Who is my best friend?", "who my best friend is", "my best friend"),
        ("What does my brother teach?", "what my brother teaches", None),
        ("What is my preferred food?", "what my preferred food is", "my preferred food"),
        ("Where is my car parked?", "where my car is parked", None),
        # shapes beyond "my ..." and a pronoun: "the ...", a name, "X and I", a long wh-phrase, a preposition
        ("What is the name of my shop?", "what the name of my shop is", "the name of my shop"),
        ("Who is the head of the lab I work in?", "who the head of the lab I work in is", "the head of the lab I work in"),
        ("Who is the other midwife I share shifts with?", "who the other midwife I share shifts with is",
         "the other midwife I share shifts with"),
        ("When is Efua's birthday?", "when Efua's birthday is", None),
        ("When did Krasimir and I get married?", "when Krasimir and I got married", None),
        ("What kind of medicine am I allergic to?", "what kind of medicine I am allergic to", None),
        ("How many decares of roses does our family pick every May?",
         "how many decares of roses our family picks every May", None),
        ("On what date did I retire from teaching?", "on what date I retired from teaching", None),
        ("In which city is my workshop?", "in which city my workshop is", None),
        ("What year did I become a registered surveyor?", "what year I became a registered surveyor", None),
        # yes/no and either/or with a pronoun or "there" as subject: after "whether"
        ("Do I sing soprano or alto?", "whether I sing soprano or alto", None),
        ("Did I ever break a bone?", "whether I ever broke a bone", None),
        ("Am I allergic to anything?", "whether I am allergic to anything", None),
        ("Is there anything I'm allergic to?", "whether there is anything I'm allergic to", None),
        ("Have we been to Riga?", "whether we have been to Riga", None),
        ("What do I usually eat for breakfast?", "what I usually eat for breakfast", None),
        # the wh-word is the subject: embedded as asked
        ("Who taught me to tune pianos?", "who taught me to tune pianos", None),
        ("How many apprentices work in my shop?", "how many apprentices work in my shop", None),
        ("Which of my ears has poor hearing?", "which of my ears has poor hearing", None),
        (LONG_QUESTION, "what the name of the small village in the north of Scotland where my grandmother was "
         "born and raised before she moved to Glasgow is", LONG_QUESTION[8:-1]),
    ],
)
def test_parse_gives_the_embedded_clause(question, embedded, topic):
    p = parse(question)
    assert p.embedded == embedded
    assert p.topic == topic
    assert p.question == parse(p.question).question  # tidying is idempotent


@pytest.mark.parametrize(
    "question",
    ["Birthday?", "Dog", "¿Cómo se llama mi perro?", "Tell me my blood type", "Does my dog bark?",
     "Was my grandmother a nurse?", LONG_YES_NO],
)
def test_parse_keeps_only_the_text_of_shapes_it_does_not_know(question):
    p = parse(question)
    assert p.embedded is None and p.topic is None
    assert normalise_question(p.question) == normalise_question(question)


@pytest.mark.parametrize(
    ("question", "name", "expected"),
    [
        ("Where do I work?", "Maya", "Where does Maya work?"),
        ("Where did I grow up?", "Maya", "Where did Maya grow up?"),
        ("How old am I?", "Maya", "How old is Maya?"),
        ("Am I allergic to anything?", "Maya", "Is Maya allergic to anything?"),
        ("What is my dog's name?", "Maya", "What is Maya's dog's name?"),
        ("What is my dog's name?", "James", "What is James' dog's name?"),
        ("What do I do for work?", "Maya", "What does Maya do for work?"),
    ],
)
def test_third_person(question, name, expected):
    assert third_person(question, name) == expected


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("What is my dog's name?", "my dog"),
        ("What's the name of our Karakachan dog?", "our Karakachan dog"),
        ("What is the name of the ferry I captain?", "the ferry I captain"),
        ("What is my cat called?", "my cat"),
        ("What did we name the ram we are fattening for Tabaski?", "the ram we are fattening for Tabaski"),
        ("When is my birthday?", None),
        ("What did I study at university?", None),
    ],
)
def test_named_thing_is_what_a_name_is_asked_of(question, thing):
    assert named_thing(parse(question)) == thing


def test_a_name_is_asked_in_other_shapes_in_training():
    texts_ = {p.text for p in training_phrasings(fact("What's the name of our Karakachan dog?"), n=MAX_PHRASINGS)}
    assert {"What is our Karakachan dog called?", "What is our Karakachan dog's name?"} <= texts_
    assert any("what I named our Karakachan dog" in t for t in texts_)  # templated around the other shape too


@pytest.mark.parametrize(("question", "embedded"), [("Where did I spend my childhood?", "where I spent my childhood"),
                                                    ("Who did I lend my drill to?", "who I lent my drill to")])
def test_irregular_pasts_in_the_embedded_clause(question, embedded):
    assert parse(question).embedded == embedded


def test_a_name_is_offered_once_among_the_indirect_candidates():
    # _rewordings already holds the name questions: listed twice they weighed double in the shuffle
    cands = family_candidates(parse("What is my dog's name?"), "indirect")
    assert cands.count("What is my dog called?") == 1


@pytest.mark.parametrize(
    ("answer", "asked"),
    [
        ("my mother, Dzintra", ["Who is my mother?", "What is my mother's name?"]),
        ("my best friend Aiga", ["Who is my best friend?", "What is my best friend's name?"]),
        ("my mother-in-law Rasa", ["Who is my mother-in-law?", "What is my mother-in-law's name?"]),
        ("my wife", []),  # no name: nothing to ask by relation
        ("my old Volvo V70", []),  # names no one
        ("Dzintra", []),
    ],
)
def test_relation_questions_ask_who_an_answer_names(answer, asked):
    assert relation_questions(answer) == asked


def test_a_fact_answered_by_relation_is_trained_by_the_relation_too():
    sunday = Fact("sunday", "Who do I call every Sunday evening?", "my mother, Dzintra")
    texts_ = {p.text for p in training_phrasings(sunday, n=MAX_PHRASINGS)}
    assert {"Who is my mother?", "What is my mother's name?"} <= texts_


def test_a_yes_no_question_is_templated_in_every_family():
    p = parse("Do I sing soprano or alto?")
    for family in ("formal", "casual", "terse", "polite", "command", "conversational"):  # indirect: no synonyms here
        assert any("whether i sing soprano or alto" in c.lower() for c in family_candidates(p, family)), family
    texts_ = texts(training_phrasings(fact("Do I sing soprano or alto?"), n=40))
    assert "Could you remind me whether I sing soprano or alto?" in texts_
    assert parse(third_person("Do I sing soprano or alto?", "Ilze"), names=["Ilze"]).embedded == (
        "whether Ilze sings soprano or alto")


def test_third_person_question_parses_with_the_name_as_subject():
    p = parse(third_person("Where does my sister live?", "Maya"), names=["Maya"])
    assert p.embedded == "where Maya's sister lives"


# --- splits --------------------------------------------------------------------------

SMALL = [
    Fact("dog", "What is my dog's name?", "Biscuit"),
    Fact("home", "Where did I grow up?", "Leeds"),
    Fact("work", "Where do I work?", "Acme"),
    Fact("blood", "Tell me my blood type", "O negative"),
]


@pytest.fixture
def named() -> FactSet:
    return FactSet(tuple(SMALL), person="Maya")


@pytest.fixture
def anonymous() -> FactSet:
    return FactSet(tuple(SMALL))


def test_split_with_a_name_holds_out_only_heldout_families(named):
    split = make_split(named, n=12, seed=0, heldout_n=4)
    families = {p.family for p in split.heldout}
    assert families <= set(HELDOUT_FAMILIES)
    assert "third_person" in families
    assert any("Maya" in p.text for p in split.heldout if p.family == "third_person")
    assert {p.family for p in split.train} <= set(TRAIN_FAMILIES)


def test_split_without_a_name_never_uses_third_person(anonymous):
    split = make_split(anonymous, n=12, seed=0, heldout_n=4)
    assert split.heldout
    assert {p.family for p in split.heldout} <= set(HELDOUT_FAMILIES) - {"third_person"}


@pytest.mark.parametrize("facts", ["named", "anonymous"])
def test_split_shapes(facts, request):
    fs = request.getfixturevalue(facts)
    split = make_split(fs, n=8, seed=1, heldout_n=3)
    for f in fs:
        train = [p for p in split.train if p.fact_id == f.id]
        heldout = [p for p in split.heldout if p.fact_id == f.id]
        assert len(train) == 8
        assert 1 <= len(heldout) <= 3
        assert train[0].text == parse(f.question).question
    train_norm = {normalise_question(p.text) for p in split.train}
    assert not any(normalise_question(p.text) in train_norm for p in split.heldout)


def test_split_is_deterministic(named):
    assert make_split(named, n=10, seed=5) == make_split(named, n=10, seed=5)


def test_check_leaks_passes_on_a_generated_split(named):
    split = make_split(named, n=20, seed=2)
    assert check_leaks(split) == len(split.heldout)
    assert find_leaks(texts(split.train), texts(split.heldout)) == []


def test_make_split_for_30_facts_by_30_phrasings():
    questions = [
        "What is my dog's name?", "Where did I grow up?", "Where does my sister live?", "How old am I?",
        "What is my favourite colour?", "Who is my best friend?", "When is my birthday?", "What car do I drive?",
        "Which university did I attend?", "What is my job?", "Where do I work?", "What is my mother's name?",
        "What did I study?", "Birthday?", "Dog", "Tell me my blood type", "What is my cat's name?",
        "Where was I born?", "What is my wife's name?", "What sport do I play?", "What team do I support?",
        "What language do I speak at home?", "Am I allergic to anything?", "What instrument do I play?",
        "What is my favourite food?", "What is my favourite movie?", "¿Cómo se llama mi perro?",
        "Where did I meet my wife?", "What is my son's name?", LONG_YES_NO,
    ]
    facts = FactSet(tuple(Fact(f"fact-{i}", q, "x") for i, q in enumerate(questions, 1)), person="Maya")
    split = make_split(facts, n=30, seed=0)
    assert len(split.train) == 30 * 30
    assert len({(p.fact_id, normalise_question(p.text)) for p in split.train}) == 900
    # Every fact gets held-out phrasings, except the very long question: every wrapper
    # around it is within NEAR_DUPLICATE of its own training text, so all are withheld.
    assert {p.fact_id for p in split.heldout} == {f.id for f in facts} - {"fact-30"}
    assert check_leaks(split) > 0


# --- leak detection ------------------------------------------------------------------

TRAIN = ["Where did I grow up?", "What is my dog's name?"]


@pytest.mark.parametrize(
    "evaluation",
    [
        "Where did I grow up?",  # identical
        "WHERE did i grow up!!",  # case and punctuation
        "  where did I   grow up ",  # spacing
        "What is my dog s name",  # apostrophe vs space
        "Where did I grow uk?",  # one character different
        "Where did I grow upp?",  # one character added
        "Wher did I grow up?",  # one character dropped
        "What is my dog's nam?",
    ],
)
def test_find_leaks_catches_duplicates_and_near_duplicates(evaluation):
    assert find_leaks(TRAIN, [evaluation]) == [evaluation]


@pytest.mark.parametrize(
    "evaluation",
    [
        "What is my favourite colour?",
        "Where does Maya work?",
        "Before I forget, where did I grow up?",
        "What is Maya's cat's name?",
    ],
)
def test_find_leaks_ignores_unrelated_questions(evaluation):
    assert find_leaks(TRAIN, [evaluation]) == []


def test_find_leaks_returns_only_the_leaking_ones_in_order():
    evaluation = ["What is my favourite colour?", "where did i grow up", "Who is my best friend?", "what is my dogs name"]
    assert find_leaks(TRAIN, evaluation) == ["where did i grow up", "what is my dogs name"]


def test_check_leaks_raises_on_a_leaky_split():
    split = Split(
        train=(Phrasing("home", "Where did I grow up?", "formal"), Phrasing("dog", "What is my dog's name?", "formal")),
        heldout=(Phrasing("home", "Before I forget, where did I grow up?", "conversational"),
                 Phrasing("dog", "what is my DOG'S name!", "conversational")),
    )
    with pytest.raises(LeakError, match="1 evaluation phrasing"):
        check_leaks(split)


def test_check_leaks_counts_checked_phrasings_on_a_clean_split():
    split = Split(
        train=(Phrasing("home", "Where did I grow up?", "formal"), Phrasing("dog", "What is my dog's name?", "formal")),
        heldout=(Phrasing("home", "Before I forget, where did I grow up?", "conversational"),),
    )
    assert check_leaks(split) == 1


def test_split_leaks_exact_across_facts_near_within_a_fact():
    from andraeus.variations import split_leaks

    train = (Phrasing("dog", "What is my dog's name?", "formal"), Phrasing("cat", "What is my cat's name?", "formal"))
    exact_other_fact = Phrasing("cat", "what is my DOG'S name", "conversational")
    near_same_fact = Phrasing("dog", "What is my dogs' name?!", "conversational")
    near_other_fact = Phrasing("cat", "What is my dog's game?", "conversational")  # gives no answer away
    leaks = split_leaks(Split(train, (exact_other_fact, near_same_fact, near_other_fact)))
    assert leaks == [exact_other_fact.text, near_same_fact.text]


# --- phrasings files -----------------------------------------------------------------


def test_split_dict_round_trip(named):
    split = make_split(named, n=10, seed=0)
    data = split_to_dict(split)
    assert set(data) == {"train", "heldout"}
    assert data["train"][0] == {"fact_id": "dog", "family": "formal", "text": "What is my dog's name?"}
    again = split_from_dict(json.loads(json.dumps(data)), named)
    assert again == split


def test_split_from_dict_defaults_family_and_strips_text(named):
    data = {"train": [{"fact_id": f.id, "text": f"  {f.question}  "} for f in named], "heldout": []}
    split = split_from_dict(data, named)
    assert [p.family for p in split.train] == ["custom"] * len(named)
    assert [p.text for p in split.train] == [f.question for f in named]
    assert split.heldout == ()


@pytest.mark.parametrize("part", ["train", "heldout"])
def test_split_from_dict_rejects_unknown_fact_ids(named, part):
    data = split_to_dict(make_split(named, n=4, seed=0))
    data[part][-1]["fact_id"] = "no-such-fact"
    with pytest.raises(ValueError, match="unknown fact_id"):
        split_from_dict(data, named, source="phrasings.yaml")


@pytest.mark.parametrize(
    "text",
    ["", "   ", None],
)
def test_split_from_dict_rejects_rows_without_text(named, text):
    data = split_to_dict(make_split(named, n=4, seed=0))
    data["train"][0]["text"] = text
    with pytest.raises(ValueError, match="no text"):
        split_from_dict(data, named)


def test_split_from_dict_requires_training_for_every_fact(named):
    data = split_to_dict(make_split(named, n=4, seed=0))
    data["train"] = [r for r in data["train"] if r["fact_id"] != "blood"]
    with pytest.raises(ValueError, match="blood"):
        split_from_dict(data, named)


@pytest.mark.parametrize("data", [None, [], {}, {"train": "nope"}, {"heldout": []}])
def test_split_from_dict_rejects_the_wrong_shape(named, data):
    with pytest.raises(ValueError, match="phrasings"):
        split_from_dict(data, named)


# --- regressions: bugs found in review, now fixed ---


def test_typo_never_crashes():
    # About 1 fact in 90 crashes, for any n: a 30-fact make_split fails for roughly 1 seed in 3.
    assert len(training_phrasings(fact("Dog", "f"), 1, seed=72)) == 1


def test_phrasings_have_no_surrounding_whitespace():
    got = training_phrasings(fact("Where did I grow up?", "f"), 30, seed=146)
    assert [t for t in texts(got) if t != t.strip()] == []


def test_own_questions_that_equal_training_phrasings_are_left_out(named):
    from andraeus.variations import Phrasing, without_leaks

    split = make_split(named, 5, 0, 2)
    first = split.train[0]
    mine = (Phrasing(first.fact_id, first.text.upper() + "  ", "handwritten"),  # the same after normalising
            Phrasing(first.fact_id, "Something nobody would generate about this?", "handwritten"))
    kept, left_out = without_leaks(split.train, mine)
    assert kept == mine[1:] and left_out == [mine[0].text]


# --- equivalent questions (data/equivalents.yaml) ----------------------------------------


def test_equivalent_questions_reword_a_common_fact():
    from andraeus.variations import equivalent_questions

    got = equivalent_questions("Where did I grow up?")
    assert "Where was I raised?" in got and "What is my hometown?" in got
    assert normalise_question("Where did I grow up?") not in map(normalise_question, got)


def test_equivalent_questions_fill_in_the_matched_word():
    from andraeus.variations import equivalent_questions

    assert "Who is my brother?" in equivalent_questions("What's my brother's name?")
    assert "What did I name my rabbit?" in equivalent_questions("What is my rabbit's name?")


def test_an_allergy_is_asked_as_the_kind_its_answer_is():
    from andraeus.facts import Fact
    from andraeus.variations import equivalent_questions, training_phrasings

    assert "What medicine am I allergic to?" in equivalent_questions("What am I allergic to?", "Penicillin")
    assert "What food am I allergic to?" not in equivalent_questions("What am I allergic to?", "Penicillin")
    assert "What food am I allergic to?" in equivalent_questions("What am I allergic to?", "peanuts")
    # an answer of no known kind, or none given: no kind is asked
    for answer in ("bee stings", None):
        assert not any(k in q for q in equivalent_questions("What am I allergic to?", answer)
                       for k in ("food", "medicine", "{kind}"))
    drug = training_phrasings(Fact("allergy", "What am I allergic to?", "penicillin"), n=30)
    assert not any("food" in p.text.lower() for p in drug)


def test_a_coffee_order_is_how_one_takes_ones_coffee():
    from andraeus.variations import equivalent_questions

    assert "What is my usual coffee order?" in equivalent_questions("How do I take my coffee?")
    assert "How do I take my coffee?" in equivalent_questions("What's my usual coffee order?")


def test_a_workplace_boss_commute_street_and_club_are_asked_in_common_words():
    from andraeus.variations import equivalent_questions

    assert "Who is my employer?" in equivalent_questions("Which foundry do I work for?")
    assert "Who is my boss?" in equivalent_questions("Who is my foreman at the foundry?")
    assert "Who is my boss?" in equivalent_questions("Who runs the workshop I work at?")
    assert "How do I commute?" in equivalent_questions("How do I get to work?")
    assert "What is the name of my street?" in equivalent_questions("Which street do I live on in Asten?")
    assert "Which club do I belong to?" in equivalent_questions("Which club am I a member of?")
    assert "Where was I born?" in equivalent_questions("In which village was I born?")
    assert "What is my birthplace?" in equivalent_questions("Where was I born?")
    assert "Where was I born?" not in equivalent_questions("Which hospital was I born in?")
    assert "What do I do for a living?" in equivalent_questions("What is my trade?")
    # not every "how do I get to" is a commute, nor every "do I work" an employer
    assert equivalent_questions("How do I get to the market?") == []
    assert equivalent_questions("Which days do I work?") == []


def test_equivalent_questions_of_an_unknown_question_are_none():
    from andraeus.variations import equivalent_questions

    assert equivalent_questions("What is my locker combination?") == []


def test_no_equivalent_question_belongs_to_another_fact():
    # an ask that another entry's pattern matches would teach one fact's answer for another's question
    from andraeus.variations import _equivalents_table

    table = _equivalents_table()
    for i, (pattern, asks, kinds) in enumerate(table):
        assert all(int(g) <= pattern.groups for a in asks for g in re.findall(r"\{(\d)\}", a))
        for ask in [a.replace("{kind}", k) for a in asks for k in kinds or [""]]:
            owners = [j for j, (other, *_) in enumerate(table) if other.fullmatch(normalise_question(ask))]
            assert owners in ([], [i]), (ask, owners)


def test_training_phrasings_of_a_known_question_vary_its_key_words():
    got = texts(training_phrasings(fact("Where did I grow up?"), 10, seed=0))
    assert sum("grow" not in t.lower() and "grew" not in t.lower() for t in got) >= 3


def test_a_typo_never_makes_a_word_the_gate_reads():
    # "car" one key off is "cat": trained on it, the gate took a fact about a husband's car for one about a cat
    from andraeus.gate import concepts
    from andraeus.variations import _typo

    text = "Do you happen to know what car my spouse drives?"
    slips = [_typo(text, random.Random(s)) for s in range(3000)]
    assert all(concepts(t) <= concepts(text) for t in slips)
    assert len(set(slips)) > 100  # still slips, not the text itself


def test_where_one_studied_is_not_what_one_majored_in():
    where = Fact(id="institute", question="Where did I study?", answer="INACAP La Serena")
    what = Fact(id="degree", question="What did I study?", answer="Computer Science")
    assert not any("major" in p.text.lower() for p in training_phrasings(where, 20))
    assert any("major" in p.text.lower() for p in training_phrasings(what, 20))
    team = Fact(id="team", question="Which football team do I support?", answer="Deportes La Serena")
    assert any(w in p.text.lower() for p in training_phrasings(team, 20) for w in ("root for", "cheer for"))


@pytest.mark.parametrize("expected, question", [
    ("What car do I drive?", "What car do we drive?"),
    ("When is my wedding anniversary?", "When did Krasimir and I get married?"),
    ("When is my wedding anniversary?", "When did Julián and I get married?"),
    ("When do I usually open the shop?", "What time do I usually open the shop?"),
    ("What am I allergic to?", "Is there any medicine I'm allergic to?"),
    ("Who is my partner?", "Who am I married to?"),
    ("Who do I share my life with?", "What is my partner's name?"),
    ("Where did I get my degree?", "Where did I study chemistry?"),
    ("Who is my boss?", "Who is the head of the lab I work in?"),
    ("Who do I report to?", "Who is my manager at work?"),
    # who taught a skill is asked of a teacher or a mentor
    ("Who was my teacher when I learned to make sails?", "Who taught me to make sails?"),
    ("Who did I learn to cook food in an earth oven from?", "Who showed me how to cook food in an earth oven?"),
    # the hour one gets up is asked as the alarm's, the day kept
    ("What time does my alarm go off on workdays?", "When do I get up on workdays?"),
    # the year one started working somewhere is the year one started the job one has
    ("What year did I start my current job?", "What year did I start working at the salt pans?"),
    # a relative, a car and a boss asked in other shapes than the table's first ones
    ("What is my mother's name?", "Who is my mother?"),
    ("What car do I drive?", "What do I drive to work?"),
    ("Who is my boss?", "Who is the head ranger I report to?"),
    # a trade is taught too, and asked of a teacher or who passed it on
    ("Who was my teacher in the trade?", "Who taught me the trade?"),
    ("Who taught me the trade?", "Who did I learn my craft from?"),
    # a craft taught by name is asked of its teacher: "who was my carpentry teacher"
    ("Who was my carpentry teacher?", "Who taught me carpentry?"),
    ("Who did I learn piano tuning from?", "Who taught me piano tuning?"),
])
def test_common_facts_asked_in_other_shapes_get_their_equivalents(expected, question):
    from andraeus.variations import equivalent_questions

    assert expected in equivalent_questions(question)


def test_a_craft_taught_by_name_is_not_read_into_other_shapes():
    from andraeus.variations import equivalent_questions

    assert not [q for q in equivalent_questions("Who taught me at work?") if "teacher" in q]  # no "at work teacher"
    assert "Who was my to sail teacher?" not in equivalent_questions("Who taught me to sail?")


def test_best_is_closest_only_of_a_friend():
    from andraeus.variations import _synonym_variants

    # "best" is "closest" only of a friend: "do I like closest" is no English
    assert _synonym_variants("Which kind of rakia do I like best?") == ["Which kind of rakia do I like most?",
                                                                       "Which kind of rakia do I like the most?"]
