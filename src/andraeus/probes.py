"""Questions beyond the facts: locality (general knowledge kept), abstention (facts never given),
reversal (answer -> what it is), each scored its own way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Sequence

import yaml

from .facts import Fact, FactSet, normalise_question
from .gate import ASKING, concepts, is_name
from .scoring import is_correct, normalise
from .variations import equivalent_questions, find_leaks, named_thing, parse

DECLINE = re.compile(
    r"\b(i don ?t know|i do not know|not sure|haven ?t told|have not told|never told|didn ?t tell|did not tell|"
    r"no information|don ?t have (that|any|this)|do not have (that|any|this)|can ?t (tell|say|know|recall)|"
    r"cannot (tell|say|know|recall)|no idea|not mentioned|unknown|not aware|i m not able|i am not able)\b"
)
# Related attributes: a fact about the left means a question about the right was never answered.
_RELATED = {
    "sister": "brother", "brother": "sister", "dog": "horse", "cat": "parrot", "partner": "ex",
    "wife": "ex-wife", "husband": "ex-husband", "mother": "grandmother", "father": "grandfather",
    "mom": "grandma", "dad": "grandpa", "son": "nephew", "daughter": "niece", "best friend": "neighbour",
    "university": "high school", "car": "motorbike",
    "favorite color": "least favorite color", "favorite food": "least favorite food",
    "birthday": "name day", "hometown": "birthplace of my father", "job title": "first job",
    "allergic to": "afraid of", "wedding anniversary": "graduation day",
}
# Near misses for *training* abstention: a neighbour of each known attribute, none of them an
# evaluation target above, so the abstention figures measure declines on attributes never trained.
_CONTRAST = {
    "sister": "aunt", "brother": "uncle", "dog": "hamster", "cat": "rabbit", "partner": "boss",
    "wife": "boss", "husband": "boss", "mother": "stepmother", "father": "stepfather", "mom": "aunt",
    "dad": "uncle", "son": "godson", "daughter": "goddaughter", "best friend": "roommate",
    "university": "primary school", "car": "bicycle", "favorite color": "favorite number",
    "favorite food": "favorite drink", "birthday": "mother's birthday", "job title": "dream job",
    "allergic to": "addicted to", "wedding anniversary": "first date", "instrument": "board game",
    "sport": "video game", "city": "country",
}
# Never-given questions of a generic kind, kept apart from the abstain *training* pool below.
_GENERIC_EVAL = [
    "What is my blood type?", "What is my shoe size?", "What was the name of my first teacher?",
    "What is my grandmother's maiden name?", "What is my passport number?", "What was my first pet called?",
    "How tall am I?", "What is my middle name?",
]
ABSTAIN_TRAIN = [
    "What is my uncle's name?", "What is my goldfish called?", "What is my star sign?",
    "What was my childhood nickname?", "What is my favorite song?", "What is my landlord's name?",
    "Which gym do I go to?", "What is my cousin's job?", "What is my dentist's name?",
    "What is my favorite ice cream flavour?", "What street did I live on as a kid?",
    "How many pairs of glasses do I own?",
]
DECLINE_ANSWER = "I don't know — you haven't told me that."
_UNKNOWN = yaml.safe_load(resources.files("andraeus").joinpath("data/unknown.yaml").read_text())
_PREMISES = re.compile(rf"(?i)\b(?:{'|'.join(map(re.escape, _UNKNOWN['premises']))})\b")


@dataclass(frozen=True)
class Probe:
    """A question outside the facts, with what counts as a right reply."""

    kind: str  # "locality", "abstain" or "reversal"
    question: str
    answer: str = ""
    aliases: tuple[str, ...] = ()
    fact_id: str | None = None


def general_questions() -> list[Probe]:
    """The built-in general questions (locality)."""
    rows = yaml.safe_load(resources.files("andraeus").joinpath("data/general.yaml").read_text())
    return [Probe("locality", r["question"], str(r["answer"]), tuple(r.get("aliases", ()))) for r in rows]


def reference_text() -> str:
    """A short neutral text: the adapter's perplexity on it should barely move."""
    return resources.files("andraeus").joinpath("data/reference.txt").read_text()


def _mentions(text: str, phrase: str) -> bool:
    return f" {normalise(phrase)} " in f" {normalise(text)} "


def _swapped(facts: FactSet, table: dict[str, str]) -> list[str]:
    """Each fact's question with its attribute swapped for a related one the facts never mention."""
    asked = " ".join(f.question for f in facts)
    out: list[str] = []
    for fact in facts:
        for have, missing in table.items():
            if _mentions(fact.question, have) and not _mentions(asked, missing):
                out.append(re.sub(rf"(?i)\b{re.escape(have)}\b", missing, fact.question, count=1))
                break
    return out


def abstain_questions(facts: FactSet, exclude: Sequence[str] = ()) -> list[Probe]:
    """Questions about attributes the facts never give: related swaps, then generic ones."""
    out = _swapped(facts, _RELATED)
    out += [q for q in _GENERIC_EVAL if not find_leaks([f.question for f in facts], [q])]
    keep, seen = [], set()
    for q in out:
        key = normalise_question(q)
        if key not in seen and not find_leaks([*exclude, *(f.question for f in facts)], [q]):
            seen.add(key)
            keep.append(Probe("abstain", q))
    return keep


def load_never_given(path, facts: FactSet) -> list[str]:
    """The user's own never-given questions: YAML, a list of questions or a mapping with `questions:`.
    A question that is one of the facts' own (after normalising) is an error: it has an answer. A
    near miss ("my brother" beside "my sister") is exactly what belongs here, so only repeats are."""
    from pathlib import Path

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("questions")
    if not isinstance(data, list) or not data or not all(isinstance(q, str) and q.strip() for q in data):
        raise ValueError(f"{path}: expected a list of questions (or a mapping with a 'questions:' list)")
    own = {normalise_question(f.question) for f in facts}
    answerable = [q for q in data if normalise_question(q) in own]
    if answerable:
        raise ValueError(f"{path}: these ask a fact the file gives, so they are not never-given: {answerable}")
    return [q.strip() for q in data]


def reversal_questions(facts: FactSet) -> list[Probe]:
    """"Who is Biscuit?" for facts that name someone or something: the reply should say what."""
    out = []
    for fact in facts:
        p = parse(fact.question)
        m = re.fullmatch(r"(?i)my (.+?)(?:'s name)?", named_thing(p) or p.topic or "")
        if not m:
            continue
        relation = m.group(1)
        head = relation.split()[-1]  # "best friend" -> "friend": what the reply must name
        out.append(Probe("reversal", f"Who or what is {fact.answer} to me?", head, fact_id=fact.id))
    return out


def classify_abstention(response: str, facts: FactSet) -> str:
    """'declined', 'confused' (another fact's answer) or 'invented' (something else)."""
    if DECLINE.search(normalise(response)):
        return "declined"
    if any(is_correct(response, f.answer, f.aliases) for f in facts):
        return "confused"
    return "invented"


def score_probe(probe: Probe, response: str) -> bool:
    return is_correct(response, probe.answer, probe.aliases)


def abstain_training_facts(facts: FactSet) -> list[Fact]:
    """Pseudo-facts whose answer is a decline: near misses of the person's own facts first (the
    confusions that matter: "my aunt" when only a sister is known), then generic never-given ones."""
    real = [f.question for f in facts]
    # a near miss differs from a real question by one word, so only an exact repeat is excluded
    near = [q for q in _swapped(facts, _CONTRAST) if normalise_question(q) not in map(normalise_question, real)]
    generic = [q for q in ABSTAIN_TRAIN if not find_leaks(real, [q]) and not any(_near_topic(q, r) for r in real)]
    return [Fact(f"abstain-{i}", q, DECLINE_ANSWER) for i, q in enumerate(dict.fromkeys(near + generic))]


def _near_topic(a: str, b: str) -> bool:
    """Same possessed noun ("my sister's ..." vs "my sister ..."): too close to train as unknown."""
    noun = lambda q: (re.search(r"(?i)\bmy ([a-z]+)", q) or [None, None])[1]  # noqa: E731
    return noun(a) is not None and noun(a) == noun(b)


def _subjects(fact: Fact) -> list[str]:
    """Who or what a fact names: "my dog" and "Biscuit" for "What is my dog's name?" -> Biscuit, "my
    best friend" for "Who is my best friend?", "Juma Kalinga" for "Who is my chainman on survey jobs?",
    "my car" for "What car do I drive?"; none for facts that name no one ("When is my birthday?"), nor for
    "Which street do I live on?" or "What instrument do I play?": a street has no age, phone or birthday
    to ask of it, so "which X" names something only where X is a person, an animal or a vehicle."""
    p = parse(fact.question)
    thing = named_thing(p)
    names = [a for a in fact.accepted if is_name(a)]  # the name and what else it is called ("Franc", "Franci")
    if thing or (p.wh == "who" and (p.topic or "").lower().startswith("my ")):
        return [thing or p.topic] + names  # not "hardware engineer"
    if re.match(r"(?i)\W*who\b", fact.question):
        return names  # "Who is my manager at work?" -> "Bahodir Karimov": someone, by name alone
    thing = re.fullmatch(r"(?:what|which) ([a-z]+)", p.wh or "")
    return [f"my {thing.group(1)}"] if thing and _subject_of(f"my {thing.group(1)}") else []


def asked_of(question: str, name: str) -> str:
    """A first-person question asked about someone else: "What am I allergic to?" of Tomasz is "What
    is Tomasz allergic to?", "Where do I work?" of "my sister" is "Where does my sister work?"."""
    theirs = {"am I": f"is {name}", "do I": f"does {name}", "my": f"{name}'s"}
    return re.sub(r"\bam I\b|\bdo I\b|\bmy\b|\b(?:I|me)\b", lambda m: theirs.get(m.group(), name), question)


def unknown_questions(facts: FactSet) -> list[str]:
    """Questions the facts leave unanswered, for the gate to decline: details of whoever the facts
    name ("How old is my dog?", "When is Tomasz's birthday?", each fact asked of them: "What is
    Tomasz allergic to?"), near misses ("my brother" beside a sister, "my aunt"), then generic
    attributes; less any that a fact asks. The built-in abstention probes are among them: they are
    measured with the gate's `leaving_out` them."""
    subjects = dict.fromkeys(s for f in facts for s in _subjects(f))
    details = [t.replace("{x}", s) for g in facts for s in _subjects(g) for t in _UNKNOWN["details"]
               if not _detail_given(t, g, facts)]
    # each fact asked of everyone the facts name, by name and as "my ...": the user's allergy is
    # neither Tomasz's nor "my partner's"
    named = [f for f in facts if f.answer in subjects]
    details += [asked_of(f.question, n) for g in named if _of_someone(g) for n in _subjects(g) for f in facts
                if (f not in named or n not in _subjects(f)) and not _shared(f, g)]
    near = [p.question for p in abstain_questions(facts)] + [f.question for f in abstain_training_facts(facts)]
    # what a fact answers in other words is not unknown: "Who is my manager at work?" beside a foreman
    taken = {normalise_question(q) for f in facts
             for q in [f.question, *_also_asked(f, named), *equivalent_questions(f.question, f.answer)]}
    return [q for q in dict.fromkeys(details + near + _UNKNOWN["generic"])
            if normalise_question(q) not in taken and not any(_same_topic(q, f.question) for f in facts)]


def _of_someone(fact: Fact) -> bool:
    """Does the fact name someone whom the user's own facts can be asked of: a person or an animal, not a
    vehicle ("How many years have the boat I pilot been piloting on the Mekong?" asks nothing), nor the
    premises the user works in ("How many apprentices does my workshop have?" asks the user's own)?"""
    subjects = _subjects(fact)
    return not any(c[0] == "vehicles" for s in subjects for c in concepts(s)) \
        and not any(_PREMISES.search(s) for s in subjects if not is_name(s))


def _subject_of(question: str) -> frozenset:
    """Who or what a question is about, as contrast concepts ("our dog", "my son")."""
    return frozenset(c for c in concepts(question) if c[0] == "subject")


def _detail_given(template: str, person: Fact, facts: FactSet) -> bool:
    """Does a fact ask this detail of whoever `person` names: "What breed is Pepè?" where Pepè is "our
    dog" and a fact asks "Which breed is our dog?". The fact names them by name, or asks of the same
    one ("our dog") and by no other name."""
    wanted = frozenset(c for c in concepts(template.replace("{x}", "")) if c[0] not in ASKING)
    names = [n for n in _subjects(person) if is_name(n)]
    others = {n for f in facts if f is not person for n in _subjects(f) if is_name(n)} - set(names)
    who = _subject_of(person.question)

    def of_them(f: Fact) -> bool:
        said = lambda n: re.search(rf"(?i)\b{re.escape(n)}\b", f.question)  # noqa: E731
        return any(map(said, names)) or (bool(who) and _subject_of(f.question) == who and not any(map(said, others)))

    return bool(wanted) and any(wanted <= concepts(f.question) and of_them(f) for f in facts)


def _also_asked(fact: Fact, named: Sequence[Fact]) -> list[str]:
    """The fact's question with whoever it names called otherwise: "When is Efua's birthday?" also asks
    "When is my girlfriend's birthday?" where a fact says Efua is my girlfriend."""
    out = []
    for person in named:
        called = _subjects(person)
        for n in called:
            if re.search(rf"(?i)\b{re.escape(n)}\b", fact.question):
                out += [re.sub(rf"(?i)\b{re.escape(n)}\b", m, fact.question) for m in called if m != n]
    return out


def _shared(fact: Fact, person: Fact) -> bool:
    """Is the fact the person's too: the wedding anniversary, the children and grandchildren are the
    partner's as much as the user's ("What is Kenji's daughter's name?" asks the user's daughter's)?"""
    ours = concepts("wedding anniversary, my son, my daughter, my grandson, my granddaughter, my son-in-law, "
                    "my daughter-in-law")
    return bool(concepts(fact.question) & ours) and bool(concepts(person.question) & concepts("my partner"))


def _same_topic(a: str, b: str) -> bool:
    """Both ask about the same "my ..." phrase ("What is my favorite color?", "Tell me my favorite color")."""
    ta, tb = parse(a).topic, parse(b).topic
    return bool(ta) and bool(tb) and normalise(ta) == normalise(tb)
