"""Where each question goes: the adapter (about the person), the base model (not about the person),
or a decline (about the person, but something the facts never gave)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from itertools import takewhile
from typing import Callable, NamedTuple, Sequence

import yaml

from .facts import normalise_question
from .scoring import is_numeric, normalise

_I_OR_ME = re.compile(r"\b(?:i|me)\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(i|me|my|mine|myself|i'm|im|i've|i'd|i'll)\b", re.IGNORECASE)


def _alternation(words) -> str:
    """Words as a regex alternation, longest first (so "best friend" is tried before "friend")."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _called(person: str) -> str:
    """The person's name, or their first name alone ("Adaeze" of "Adaeze Okonkwo"), as a regex alternation."""
    names = dict.fromkeys([person.strip(), person.split()[0]])
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def is_personal(question: str, person: str | None = None) -> bool:
    """Does the question say it is about the user (a first-person word, or the person's name)?"""
    if _FIRST_PERSON.search(question):
        return True
    return bool(person and person.strip()) and \
        re.search(rf"\b(?:{_called(person)})\b", question, re.IGNORECASE) is not None


# "Write a haiku about my dog", "Help me plan a trip to my hometown": a request for the model's help
# that mentions the user's things, not a question about them ("Help me out, what's my dog's name?" is one)
_REQUEST = re.compile(r"^\W*(?:(?:please|pls|can you|could you|would you|will you|hey|hi|ok|okay)\W+)*"
                      r"(?:(?:write|compose|draft|plan|suggest|recommend|brainstorm|create|generate|teach|explain|"
                      r"translate|summari[sz]e|tips)\b|give me (?:some |a few )?(?:ideas|tips|a recipe|suggestions|"
                      r"advice)\b|help me (?:to )?(?:write|compose|draft|plan|pick|choose|brainstorm|come up with|"
                      r"prepare|organi[sz]e)\b)",
                      re.IGNORECASE)


def is_request(question: str) -> bool:
    """Does the question ask the model to do something (write, plan, suggest, explain) rather than
    to recall something?"""
    return _REQUEST.search(question.replace("\u2019", "'")) is not None


# "What's our family's parish church?": "our" is the user's household, unless it is everyone's ("the
# largest planet in our solar system")
_OUR = re.compile(r"(?i)\bour(s?)\b(?!\s+(?:solar|planet|galaxy|universe|world|earth|sun|moon|species|country|"
                  r"nation|bodies|body|brains?|ancestors|history|society|climate|oceans?|atmosphere)\b)")
# "whats the missus called", "the wife's asking": one's own spouse or children (not "the wife of my son")
_THE_OWN = re.compile(r"(?i)\bthe\s+(wife|missus|missis|hubby|husband|kids)\b(?!\s+of\b)")


def in_own_voice(question: str, person: str | None) -> str:
    """"Where does Maya live?" as "Where does I live?", "Where did Maya spend her childhood?" as "Where did I
    spend my childhood?", "our parish church" as "my parish church", "the missus" as "my missus": the trained
    phrasings say "I" and "my", and the embedding does not know that the person's name, or "our", means the same."""
    question = _THE_OWN.sub(r"my \1", _OUR.sub(lambda m: "mine" if m.group(1) else "my", question))
    if not person or not person.strip():
        return question
    name = _called(person)
    text = re.sub(rf"(?i)\b(?:{name})'s\b", "my", question)
    if bare := re.search(rf"(?i)\b(?:{name})\b", text):  # "Where did Setsuko spend her childhood?": her own
        text = text[:bare.end()] + re.sub(r"(?i)\b(?:his|her)\b(?=\s+[^\W\d_])", "my", text[bare.end():])
    return re.sub(rf"(?i)\b(?:{name})\b", "I", text)


def _either(word: str) -> Callable:
    """The word read, without its side of the family when the question names both ("my father's or
    mother's mother" is a grandmother, neither maternal nor paternal)."""
    return lambda m: "my " + (word.split(" ", 1)[-1] if m.group("either") else word)


# who a relative's wife or husband is called in a clause ("the woman my son married")
_SPOUSES = {"wife": "(?:woman|lady|girl)", "husband": "(?:man|guy|fellow)"}
# a relative described, not named: who is (the parent, the spouse) "the woman who raised ...", "the man I married"
_DESCRIBED = {"woman": ("mother", "wife"), "lady": ("mother", "wife"), "man": ("father", "husband"),
              "guy": ("father", "husband")}


@cache
def _kin_readings() -> list[tuple[re.Pattern, Callable | str]]:
    """data/contrasts.yaml's `through` and `short` as patterns, in the order they apply, and the words each
    is read as."""
    data = _contrast_data()
    heads = {kind[0]: kind for kind in data.get("people", [])}

    def words(key: str) -> str:
        return _alternation(heads.get(key, [key]))

    short = {k.lower(): v for k, v in data.get("short", {}).items()}
    kin = _alternation(w for kind in data.get("people", []) for w in kind)
    out = [  # "the man I married" is "my husband"; "the woman who raised my husband" is "my husband's mother"
        (rf"(?i)\b(?:the|a)\s+(?P<who>{_alternation(_DESCRIBED)})\s+(?:(?:that|who|whom)\s+)?(?:i|we)\s+"
         rf"(?:(?:am|'m|was|got|have\s+been)\s+)?(?:married|wed)(?:\s+to)?(?![\w-])",
         lambda m: "my " + _DESCRIBED[m.group("who").lower()][1]),
        (rf"(?i)\b(?:the|a)\s+(?P<who>{_alternation(_DESCRIBED)})\s+(?:that|who)\s+(?:gave\s+birth\s+to|raised|"
         rf"brought\s+up|bore|adopted)\s+(?:me|(?P<whom>(?:my|our)\s+(?:[a-z]+\s+)?(?:{kin})))(?![\w'-])",
         lambda m: (f"{m.group('whom')}'s " if m.group("whom") else "my ") + _DESCRIBED[m.group("who").lower()][0]),
        # "my sister Ása's husband" is "my sister's husband"; "my big sis" is "my older sister"
        (rf"(?i)\b((?:my|our)\s+(?:[a-z]+\s+)?(?:{_others(frozenset())}))\s+([^\W\d_][\w-]*)(?='s\b)",
         lambda m: m.group(1) if is_name(m.group(2)) else m.group(0)),
        (rf"(?i)(?<![\w-])(?P<w>{_alternation(short)})(?P<s>s?)(?![\w-])",
         lambda m: short[m.group("w").lower()] + m.group("s"))]
    for whose, relatives in data.get("through", {}).items():
        for relative, word in relatives.items():
            # "my (older) husband's mother('s)", "my father's or mother's mother", "dads mum" (the user's,
            # unless someone else's: "her father's mother"), "the mother of my husband"
            out.append((rf"(?i)(?<![\w'-])(?<!\bher )(?<!\bhis )(?<!\btheir )(?<!\byour )(?<!\bthe )(?<!\ba )"
                        rf"(?:(?:my|our)\s+(?:[a-z]+\s+)?)?(?P<either>[a-z]+(?:'s|s'|')?\s+or\s+)?(?:{words(whose)})"
                        rf"(?:'s|s'|'|s)\s+(?:{words(relative)})(?![\w-])", _either(word)))
            out.append((rf"(?i)\b(?:(?:the|a)\s+)?(?:{words(relative)})\s+of\s+(?:my|our)\s+(?:[a-z]+\s+)?"
                        rf"(?:{words(whose)})(?![\w-])", f"my {word}"))
            if relative in _SPOUSES:  # "the woman my son married"
                out.append((rf"(?i)\b(?:(?:the|a)\s+)?{_SPOUSES[relative]}\s+(?:(?:that|who|whom)\s+)?(?:my|our)\s+"
                            rf"(?:[a-z]+\s+)?(?:{words(whose)})\s+(?:(?:is|was)\s+)?(?:married|wed)(?:\s+to)?\b",
                            f"my {word}"))
    return [(re.compile(p), w) for p, w in out]


def plain_kin(question: str) -> str:
    """"What's my husband's mother called?" as "What's my mother-in-law called?", "my big sis" as "my
    older sister": relatives named through another or by a short name, in the words a fact would use (and
    the short forms of `short`: "my house no." as "my house number")."""
    text = question.replace("\u2019", "'")
    for pattern, word in _kin_readings():
        text = pattern.sub(word, text)
    return text


def general_pool() -> list[str]:
    """General questions and requests to compare against (the replay prompts and everyday requests,
    both kept apart from the locality set)."""
    data = resources.files("andraeus").joinpath("data")
    return [q for name in ("replay.yaml", "requests.yaml") for q in yaml.safe_load(data.joinpath(name).read_text())]


# the keys of contrasts.yaml that are not groups
_SETTINGS = ("owned", "asking", "defaults", "excluding", "known", "family", "kin", "through", "short", "numeric",
             "kinds", "any_animal", "numbered", "answer_asks")
_SUBJECTS = ("people", "animals", "vehicles")  # who or what a question is about: also one "subject" group
# groups of question words: how a detail is asked (when, which day, in what unit), not which detail
ASKING = ("asks", "calendar", "measures")
# groups that say how a question asks, not what about
_HOW = ASKING + ("time", "which", "schedule", "days")
_LOOSE = _HOW + ("subject",)  # ... or of whom
# groups whose words say how a question asks, or that many facts name, rather than which fact it asks
_PASSING = _LOOSE + ("attributes", "places", "life")
# groups whose words a question often says in passing ("my landlord needs my employer's name", "my living room")
_INCIDENTAL = _LOOSE + _SUBJECTS + ("attributes", "life")


@cache
def _contrast_data() -> dict:
    return yaml.safe_load(resources.files("andraeus").joinpath("data", "contrasts.yaml").read_text())


def _defaults() -> frozenset[tuple[str, int]]:
    """The concepts a fact is taken to name when its phrasings name none of their group."""
    return frozenset(_contrast_data().get("defaults", {}).items())


def _numeric() -> frozenset[tuple[str, int]]:
    """The `asks` concepts a date, a year or a number answers ("when", "what year", "how many")."""
    return frozenset(("asks", i) for i in _contrast_data().get("numeric", []))


def _asking() -> str:
    """The verbs after which a person is the one asking, not the one asked about, as a regex alternation."""
    return _alternation(_contrast_data().get("asking", []))


# "is cooking", "'s planning": a verb after the person, not something of theirs ("my sister's wedding")
_DOING = (r"(?!(?:(?<='s)|'s|\s+is|\s+was)\s+(?!(?:wedding|morning|evening|thing|ring|meeting|building|sibling|"
          r"earring|clothing|painting|training|spring|string|king|wing)s?\b)[a-z]+ing\b)")


@cache
def _words() -> dict[str, frozenset]:
    """Each word of data/contrasts.yaml's groups, lowercased, and the (group, concept)s it names."""
    groups = {k: v for k, v in _contrast_data().items() if k not in _SETTINGS}
    named: dict[str, set[tuple[str, int]]] = {}
    for group, kinds in groups.items():
        for i, ws in enumerate(kinds):
            for w in ws:
                named.setdefault(w.lower(), set()).add((group, i))
                if group in _SUBJECTS:
                    named[w.lower()].add(("subject", f"{group} {i}"))
    for kind, ws in _contrast_data().get("kinds", {}).items():  # "huntaway" names what "dog" names
        for w in ws:
            named.setdefault(w.lower(), set()).update(named[kind])
    animals = {("subject", f"animals {i}") for i in range(len(groups["animals"]))}
    for w in _contrast_data().get("any_animal", []):  # "four-legged": an animal, whichever
        named.setdefault(w.lower(), set()).update(animals)
    count = {c for c in named.get("how many", ()) if c[0] == "attributes"}  # a number, not a name
    for group in _contrast_data().get("numbered", []):
        for ws in groups[group]:
            for w in ws:
                named[w.lower()] |= count
    return {w: frozenset(c) for w, c in named.items()}


@cache
def _kind_readings() -> list[tuple[re.Pattern, str]]:
    """data/contrasts.yaml's `kinds` as patterns (longest words first) and what each is read as."""
    kinds = {w: kind for kind, ws in _contrast_data().get("kinds", {}).items() for w in ws}
    return [(re.compile(rf"(?i)\b(?P<w>{re.escape(w)}(?:s|es)?)(?P<s>'s)?(?![\w-])(?!\s+{kind}\b)"),
             rf"\g<w> {kind}\g<s>") for w, kind in sorted(kinds.items(), key=lambda x: -len(x[0]))]


def with_kind(text: str) -> str:
    """"What's my huntaway called?" as "What's my huntaway dog called?": the sentence encoder does not
    know a huntaway is a dog, and a question may call it either."""
    for pattern, reading in _kind_readings():
        text = pattern.sub(reading, text)
    return text


def as_the_gate_reads(question: str, person: str | None) -> str:
    """A question as the gate compares it with the phrasings (and the judge reads it): in the user's own
    voice ("Where was Maya born?" as "Where was I born?"), relatives plainly named, each kind said."""
    return with_kind(plain_kin(in_own_voice(question, person)))


@cache
def _lexicon() -> list[tuple[re.Pattern, frozenset[tuple[str, int]]]]:
    """Each word of data/contrasts.yaml as a pattern and the (group, concept)s it names, longest words
    first (a word may name a concept in more than one group: "birthday" is an attribute and an occasion).
    A person, an animal or a vehicle is also a concept of one "subject" group: a question about "my SO"
    is not answered by a fact about the dog."""
    owned = set(_contrast_data().get("owned", []))
    asking = _asking()
    named = _words()
    leads = ["how many"]  # "How many brothers do I have?" names brothers: read after the words they lead
    # a person owned: "my", "I have a" or a lead, then at most one word ("my eldest daughter", "my next-door
    # neighbour"), then the word
    between = r"(?:[a-z]+(?:-[a-z]+)*\s+)?"
    lead = {True: rf"\b(?:(?:my|our)|(?:i|we)\s+have\s+(?:a|an|any)|{_alternation(leads)})\s+{between}",
            False: r"(?<![\w-])"}
    tail = {True: rf"(?![\w-])(?!\s+(?:{asking})\b){_DOING}", False: r"(?![\w-])"}
    out = []
    for w in sorted(named, key=lambda w: (w in leads, -len(w))):
        mine = any(g in owned for g, _ in named[w])
        pattern = re.compile(rf"{lead[mine]}(?P<w>{re.escape(w)}(?:s|es)?){tail[mine]}", re.IGNORECASE)
        out.append((pattern, frozenset(named[w])))
    return out


# a "who" that opens a question or a clause asks who ("Who buys my vanilla?", "Quick one, who repairs my
# truck?"); a relative one ("the man who repairs my truck") asks nothing
_ASKS_WHO = re.compile(r"(?i)(?:^|[,;:?!.]\s*|\b(?:and|but|so)\s+)who\s+[a-z]+")


def concepts(text: str) -> frozenset[tuple[str, int]]:
    """The contrast concepts a text names, as (group, index): "my mom's name" names a person and a name."""
    text = text.replace("\u2019", "'")
    text = re.sub(r"(?<!\w)(['\"])([^'\"]*)\1(?!\w)", r"\2", text)  # "said 'I do'": quotes are not words
    text = re.sub(r"(?i)\b(ex)-(?=[a-z])", r"\1 ", text)  # "my ex-husband": a husband, and a former one
    found: set[tuple[str, int]] = set()
    if _ASKS_WHO.search(text):
        found |= _words()["who is"]
    for pattern, named in _lexicon():
        # a word matched is gone ("best friend" is not also "friend"), the words around it are not
        # ("my eldest daughter": "eldest" too)
        for m in reversed(list(pattern.finditer(text))):
            text = text[:m.start("w")] + " " + text[m.end("w"):]
            found |= named
    return frozenset(found)


# where what a question rules out ends: "not sure what my dog's name is" rules nothing out
_CLAUSE_END = re.compile(r"(?<![\w'-])(?:that|who|whom|which|what|whose|when|where|why|how|i|i'd|i'm|i've|i'll|do|does|"
                         r"did|is|are|was|were|to|so|but|because|if|can|could|would|should|will|please)(?![\w'-])",
                         re.IGNORECASE)


@cache
def _excluding() -> re.Pattern:
    data = _contrast_data()
    known = _alternation(data.get("known", [])) or "(?!)"
    said = r"(?:^\s*|(?<=[.?!,;:])\s*|(?<=\bbut )|(?<=\band )|(?<=\bthough ))"  # "I know ...", not "if I know"
    return re.compile(rf"(?<![\w-])(?:{_alternation(data.get('excluding', []))}|{said}(?P<known>{known}))"
                      r"(?P<joined>-|\s+)", re.IGNORECASE)


@cache
def _family() -> re.Pattern:
    words = "|".join(map(re.escape, _contrast_data().get("family", [])))
    return re.compile(rf"(?<![\w-])(?:{words})s?(?![\w-])", re.IGNORECASE)


@cache
def _kin() -> frozenset:
    """The concepts "family" or "a relative" stand for: every relative and the partner."""
    return frozenset().union(*(concepts(f"my {w}") for w in _contrast_data().get("kin", [])))


def _span(text: str, start: int, joined: bool) -> int:
    """Where the words ruled out from `start` end: the joined word ("non-family"), else at most five
    words up to the clause's end (a comma, a question word, a verb)."""
    if joined:
        return start + len(re.match(r"[\w'-]*", text[start:]).group())
    clause = re.match(r"(?:where|when|who|what|which)\b[^,.;:?!]*", text[start:], re.IGNORECASE)
    if clause:  # "not where I grew up": the clause itself, to its end
        return start + len(clause.group().rstrip())
    words = re.match(r"(?:[^\s,.;:?!]+\s*){1,5}", text[start:])
    span = words.group() if words else ""
    end = _CLAUSE_END.search(span)
    return start + (end.start() if end else len(span.rstrip()))


# "my own birthday": the user's, not a relative's or a pet's ("my own dog" is a dog)
_OWN = re.compile(r"\b(?:my|our)\s+own\b")


@cache
def _others_concepts() -> frozenset:
    """Every person and animal concept, and them as subjects: what "my own ..." rules out."""
    return frozenset(c for w, named in _words().items() for c in named
                     if c[0] in _OTHERS or (c[0] == "subject" and c[1].split()[0] in _OTHERS))


class Excluded(NamedTuple):
    """What a question says it is not about."""

    rest: str  # the question without the words that rule something out
    no: frozenset  # the concepts ruled out
    kinds: frozenset  # the subject groups it asks of another one of ("not my spouse": a person)


def excluding(text: str) -> Excluded:
    """What a question says it is not about ("a friend who isn't family", "not my spouse"), or already
    knows ("I know my shoe size"), or that "my own birthday" rules out (every person and animal), less
    what the rest of the question names ("not my older sister, my younger sister": the older one)."""
    text = text.replace("\u2019", "'")
    out: set = set()
    kinds: set = set()
    cuts = []
    for m in _excluding().finditer(text):
        end = _span(text, m.end(), m.group("joined") == "-")
        span = text[m.end():end]
        named = {c for c in concepts(span) if c[0] not in _HOW} | (_kin() if _family().search(span) else set())
        out |= named
        if not m.group("known"):  # "not my spouse" asks of someone else; "I know my mom's birthday" need not
            kinds |= {g for g, _ in named if g in _SUBJECTS}
        cuts.append((m.start(), end))
    kept, at = [], 0
    for start, end in cuts:  # in order; a "not" inside the words another rules out is cut with them
        kept.append(text[at:max(start, at)])
        at = max(at, end)
    rest = " ".join(kept + [text[at:]])
    named = concepts(rest)
    if _OWN.search(rest) and not any(c[0] in _OTHERS for c in named):
        out |= _others_concepts()
    return Excluded(rest, frozenset(out - named), frozenset(kinds))


_OTHERS = ("people", "animals")  # contrast groups whose words name someone other than the user
_THINGS = ("animals", "vehicles")  # contrast groups of what the user owns and may call by its name
_WHERE = 2  # the concept of the `asks` group that asks where
_NAMING = {("attributes", i) for i in range(4)} | {("asks", 3)}  # a name, surname, middle name, nickname; who
_NOT_NAMES = {"what", "it", "who", "that", "where", "when", "how", "there", "here", "he", "she", "let", "which", "why"}
_NAME_POSSESSIVE = re.compile(r"(?<![\w-])([^\W\d_]+)'s\b")


def _is_relation(answer: str) -> bool:
    """Is the answer only a relative's word ("mum", "older brother")?"""
    named = concepts(f"my {answer.strip()}")
    return bool(named) and len(answer.split()) <= 2 and \
        all(g in ("people", "order") or (g == "subject" and str(c).startswith("people")) for g, c in named)


def is_name(text: str) -> bool:
    """Is the text a name of one or two words, each capitalised, in any alphabet ("Matevž", "Ása
    Joensen", "O'Neill"), not "hardware engineer" nor "46"?"""
    words = text.split()
    return 0 < len(words) <= 2 and all(w[:1].isupper() and re.fullmatch(r"[^\W\d_][\w'-]*", w) for w in words)


def label_questions(fact_id: str) -> list[str]:
    """A fact's id asked as the user's own label for it: "best_friend" -> "What is my best friend?" and "my
    best friend?". The gate compares questions with these too (never trained): a facts file may say
    "best_friend: Who do I call when I need to vent?", and its owner asks "Who's my best friend?". None
    for an id with a digit ("fact-3", "q1"): a number, not a label."""
    words = " ".join(re.split(r"[\W_]+", fact_id)).strip().lower()
    if not words or any(c.isdigit() for c in words):
        return []
    return [f"What is my {words}?", f"my {words}?"]


def _label_keys(personal: Sequence[str], fact_ids: Sequence[str | None]) -> list[tuple[str, str]]:
    """Each fact's `label_questions` with its id, but for a fact whose phrasings already say every word
    of its id ("color" beside "What is my favorite color?"): that label is only a shorter copy of a
    phrasing, nearer any short never-given question ("What is my blood type?")."""
    said: dict[str, set[str]] = {}
    for q, f in zip(personal, fact_ids):
        if f is not None:
            said.setdefault(f, set()).update(re.findall(r"[^\W_]+", q.lower()))
    return [(q, f) for f, words in said.items() if not set(re.findall(r"[^\W_]+", f.lower())) <= words
            for q in label_questions(f)]


def names_in(pool: Sequence[str]) -> frozenset[str]:
    """The names the never-given pool asks about ("When is Tomasz's birthday?", "Matevž's"), lowercased."""
    return frozenset(n.lower() for q in pool for n in _NAME_POSSESSIVE.findall(q)
                     if is_name(n) and n[1:].islower() and n.lower() not in _NOT_NAMES)


def _others(names: frozenset[str]) -> str:
    """Every person or animal word of data/contrasts.yaml and `names`, longest first, as a regex alternation."""
    data = _contrast_data()
    return _alternation({w.lower() for group in _OTHERS for kind in data.get(group, []) for w in kind} | names)


@cache
def _someone(names: frozenset[str]) -> re.Pattern:
    """Any person or animal word of data/contrasts.yaml, or one of `names`, anywhere ("my primary care
    doctor", "a brother"), but not right before a verb of asking, nor doing something ("my partner is
    cooking my favorite meal"), nor with the user ("Tomasz and I")."""
    alternation = _others(names)
    # "Tomasz and I", "me and my partner": the user among others, not someone else
    with_me = r"(?<!\bme and )(?<!\bi and )(?<!\bme and my )(?<!\bi and my )"
    # "my daughter's teacher asked ...": whose asker, not whom it asks about
    askers = rf"(?!'s\s+(?:{alternation})s?\s+(?:{_asking()})\b)"
    return re.compile(rf"{with_me}(?<![\w-])(?:{alternation}){askers}(?:s|es|'s)?(?![\w-])(?!\s+(?:{_asking()})\b)"
                      rf"(?!\s+and\s+(?:i|me)\b){_DOING}", re.IGNORECASE)


def _who(text: str, names: frozenset[str] = frozenset()) -> frozenset:
    """Whom the text asks about, as `about_someone` finds them: their contrast concepts ("my mom" and
    "my mother" alike), or their names."""
    found = set()
    for m in _someone(names).finditer(text.replace("\u2019", "'")):
        word = re.sub(r"(?:'s|s)$", "", m.group(0).lower())
        found |= {c for c in concepts(f"my {word}") if c[0] in _OTHERS} or {("named", word)}
    return frozenset(found)


# "his", "her", "their" before what they own ("her favorite color"), not as an object ("tell her what")
_THEIRS = re.compile(r"\b(?:his|her|their)\s+(?!(?:a|an|the|that|this|what|which|who|where|when|how|to|about|and|or|"
                     r"if|my|me|i|so|for|with|at|in|on|too|again|now|please|back)\b)[a-z]", re.IGNORECASE)


def about_someone(text: str, names: frozenset[str] = frozenset()) -> bool:
    """Does the text ask about someone other than the user: a person or animal word, or one of
    `names`, that is not the one asking ("Tomasz wants to cook my favorite meal" asks about the
    user's favorite meal), or something of theirs ("my sister wants to know her favorite color")?"""
    text = text.replace("\u2019", "'")
    return _someone(names).search(text) is not None or _THEIRS.search(text) is not None


@cache
def _possessive(names: frozenset[str]) -> re.Pattern:
    """Someone's something: "my dad's birthday", "Tomasz's job" (up to three words after the "'s")."""
    return re.compile(rf"(?<![\w-])(?P<who>{_others(names)})'s\s+(?P<what>(?:[\w-]+\s*){{1,3}})", re.IGNORECASE)


@cache
def _subject(names: frozenset[str]) -> re.Pattern:
    """Someone the question asks something of, as its subject: "Which village was my husband born in?",
    "Where does Tomasz work?" (up to three words after), not "my partner and I", nor someone doing
    something ("is my partner cooking ...") or asking, nor a flock or a pair "of" something."""
    return re.compile(rf"\b(?:is|was|were|are|does|did|do|has|had|will)\s+(?:(?:my|our)\s+(?:[a-z]+\s+)?)?"
                      rf"(?P<who>{_others(names)})(?!\s+and\s+(?:i|me)\b)(?!\s+(?:{_asking()})\b)(?!\s+[a-z]+ing\b)"
                      rf"(?!\s+of\b)"  # "my flock of laying hens" is the hens
                      rf"\s+(?P<what>(?:[\w-]+\s*){{1,3}})", re.IGNORECASE)


@cache
def _ending_on(names: frozenset[str]) -> re.Pattern:
    """Someone the question ends on, asked what its opening words ask: "How old is Nanna Carmen?",
    "What age is my daughter Maria?"."""
    return re.compile(rf"^\W*(?P<what>(?:how|what|which|where|who|when)\b[^?]{{0,30}}?)\s+(?:is|was|are|were)\s+"
                      rf"(?:(?:my|our)\s+)?(?:[\w-]+\s+)?(?P<who>{_others(names)})\W*$", re.IGNORECASE)


def theirs(text: str, names: frozenset[str] = frozenset()) -> list[tuple[frozenset, frozenset]]:
    """What a question asks of someone else, by the possessive ("my dad's birthday" asks the father's
    (who) birthday (what), as concepts) or as its subject ("When was my dad born?", "How old is my dad?");
    someone called by a name ("Amara's birthday") is ("named", "amara")."""
    text = text.replace("\u2019", "'")
    found = [*_possessive(names).finditer(text), *_subject(names).finditer(text), *_ending_on(names).finditer(text)]
    return [(concepts(f"my {m.group('who')}") or frozenset({("named", m.group("who").lower())}),
             concepts(m.group("what"))) for m in found]


_MY = re.compile(r"\b(?:my|our)\s+((?:[\w-]+\s*){1,3})", re.IGNORECASE)


def mine(text: str, names: frozenset[str] = frozenset()) -> frozenset:
    """What the text says is the user's own, as concepts, beside the people and animals it names: "my
    best friend always forgets my birthday" says the user's birthday ("my best friend" is someone, not
    something of the user's)."""
    text = text.replace("\u2019", "'")
    spans = [m.group(1) for m in _MY.finditer(text)]
    own = [concepts(w) for w in spans if not _someone(names).search(w) and not any(
        g in _OTHERS for g, _ in concepts(f"my {w}"))]
    return frozenset(c for found in own for c in found if c[0] not in _LOOSE)


# "Tomasz here, ...", "Hi, it's Leila: ...": the one asking says they are someone else
# (any word: speaks_as keeps only the names the facts name)
_SPEAKER = re.compile(r"^\W*(?:(?i:hi|hey|hello)\W+)?(?:(?i:it's|it is|this is|i'm|i am)\s+([^\W\d_]+)\b(?!')"
                      r"|([^\W\d_]+)\s+(?i:here)\b)")


def speaks_as(text: str, names: frozenset[str]) -> bool:
    """Does the question open in the voice of someone the facts name ("Tomasz here, what's my favorite
    color?")? Their "my" is not the user's, and the facts hold nothing of theirs."""
    m = _SPEAKER.search(text.replace("\u2019", "'"))
    return m is not None and (m.group(1) or m.group(2)).lower() in names


def conflicts(fact: frozenset, question: frozenset) -> set[str]:
    """The groups in which a fact whose phrasings name `fact` fails a question naming `question`: both
    name concepts of the group but share none ("my mom" asked, only "my sister" given)."""
    return {g for g, _ in question if (given := {c for c in fact if c[0] == g}) and not given & question}


@dataclass(frozen=True)
class Route:
    """Where one question goes, and the words the model is asked in."""

    to: str  # "adapter", "base" or "decline"
    text: str  # the question, or with anchoring the nearest trained phrasing


# how much nearer a general question or request must be, for a question that says "my" and names what
# its nearest fact names ("my coworker is planning a party for my birthday and asked me the date")
LEAN = 0.1
NEAR_ENOUGH = 0.4  # cosine similarity a question with no "my" needs to a trained phrasing to count as personal
# how much less near a trained phrasing may be than the nearest, to be preferred to it for naming what the
# question names when the nearest names none of it ("the name of my employer" beside a registration number)
AGREE = 0.1
# how near a never-given question must be to one of a fact's trained phrasings, its words not ruling the fact out,
# to be that fact asked in other words: "What is my favorite holiday destination?" beside "my favorite vacation spot?"
SAME = 0.8
# ... or to a never-given question that is: "Where is ..." beside "What is my favourite holiday destination?"
TWIN = 0.9


class Gate:
    """A question is about the person when it says so (`is_personal`) or names someone the facts name
    ("How old is Biscuit?", the names the never-given pool asks about) or something of the user's by
    the name of two words or more that a fact gives ("What's the address of Kertész Zongoraműhely?",
    never a general question then), or, failing that, when its
    nearest neighbour by MiniLM embedding is one of the person's own questions (the training
    phrasings), near enough, rather than a general one: "bday?" or "what did we call the cat?". A
    question that says a name the gate knows in passing, not asking of them ("What did Rosa Elena and I
    name our girl?", not `about_someone`), is compared with the names left out of it, the phrasings and
    the never-given pool (`_unnamed`): a name two questions share makes them near by embedding, whatever
    else each asks ("Where did I meet Rosa Elena?").

    A question that says "me" but is nearest a general question or request ("Tell me a joke.") goes
    to the base model too, unless it names what its nearest fact names and the general one is not
    `LEAN` nearer; so does a request for the model's help ("Write a haiku about my dog", `is_request`).
    `unknown`: questions the facts never answer; a question about the person nearer one of them than
    any trained phrasing (by more than `margin`) is declined. `anchor`: the adapter is asked the
    nearest trained phrasing instead of the user's words, when that phrasing is at least
    `anchor_floor` similar (an unrelated remark is asked as written).

    `fact_ids`: the fact each trained phrasing answers; with `labels`, a question is compared with each
    fact's id too, read as its owner's label for it (`label_questions`; not an id its phrasings all say).
    When the gate declines, a fact that the question's contrast words rule out (`conflicts`: "my mom"
    against a fact about "my sister") is passed over for the nearest one they allow, if that is within
    `slack` of the nearest; if none is, the question is declined. (The one passed to must name what the
    question tells, whom aside ("the name of my employer" passed over a registration number, to the employer), or else what the question's
    words name there, so the slack can be wide: "the day I said 'I do'" is far from "When is my
    anniversary?" by embedding, near by its words.) Never-given questions the words rule out do not count as near, nor,
    with `others`, do those about someone else (a person, an animal, a name the pool asks about) when
    the question is not (`about_someone`): "My partner wants to cook me my favorite food" is not
    "What is my partner's favorite food?", or when they ask of someone what the question says is the
    user's own (`mine`): "my best friend always forgets my birthday" is not "When is my best friend's
    birthday?". What a question says it is not about (`excluding`: "not my spouse") rules out the facts
    and never-given questions that name it.
    `answers` (fact id -> its answer and aliases): a question that already names the nearest fact's
    answer asks something else about it ("How long have I played the cello?") and is declined, as
    is one that calls another fact's animal or vehicle by its name ("What year is my Outback?"). A
    never-given question that names what the question names and the nearest fact says nothing of
    needs no margin to decline it ("my go-to song" is "What is my favorite song?", not "my go-to meal").
    A never-given question that a fact answers in other words (`SAME` near one of its phrasings, no
    word ruling it out: "my favorite holiday destination" beside "my favorite vacation spot") is not
    one: the built-in pool is the same for everyone.

    A fact whose phrasings name no question word and whose answers hold no name and no number ("Which
    knee did I have surgery on?" -> "left knee") says what, not where, who or when: "Which hospital did
    my knee operation take place in?" rules it out.

    The gate reads a question with its relatives in the words a fact would use (`plain_kin`: "my
    husband's mother" as "my mother-in-law"); the adapter still reads the user's own words.

    `judge` (andraeus.judge.Judge), last: a question about to be answered is declined when the judge
    scores it against the trained phrasing it is sent to below its threshold ("my last dentist
    appointment" against "my next dentist appointment"), and a question about to be declined is
    answered from its nearest trained phrasing when the judge scores that pair above its override
    ("the place where I came into the world" against "Where was I born?")."""

    def __init__(self, personal: Sequence[str], person: str | None = None, general: Sequence[str] | None = None,
                 unknown: Sequence[str] = (), anchor: bool = False, margin: float = 0.1, anchor_floor: float = 0.3,
                 fact_ids: Sequence[str | None] | None = None, slack: float = 0.2,
                 answers: dict[str, Sequence[str]] | None = None, others: bool = True, judge=None,
                 labels: bool = True):
        self.given = len(personal)  # the phrasings given; the facts' labels follow them (`label_questions`)
        self.labels = labels
        keys = _label_keys(personal, fact_ids or ()) if labels else []
        self.personal = list(personal) + [q for q, _ in keys]
        self.judge = judge
        self.others = others
        self.fact_ids = list(fact_ids) + [f for _, f in keys] if fact_ids is not None else None
        self.slack = slack
        self.given_answers = dict(answers or {})
        self.answers = {f: [f" {normalise(a)} " for a in said] for f, said in self.given_answers.items()}
        self.person = person
        self.general = list(general) if general is not None else general_pool()
        self.unknown = list(unknown)
        self.anchor = anchor
        self.margin = margin
        self.anchor_floor = anchor_floor

    @cached_property
    def _embedder(self):
        from .baselines import minilm

        model = minilm()
        pools = [model.encode([with_kind(x) for x in p], normalize_embeddings=True, convert_to_tensor=True)
                 if p else None for p in (self.personal, self.general, self.unknown)]
        return model, pools

    @cached_property
    def _unnaming(self) -> re.Pattern | None:
        """The names the gate knows (`_names`), as one pattern."""
        return re.compile(rf"(?i)(?<![\w-])(?:{_alternation(self._names)})(?![\w-])") if self._names else None

    def _unnamed(self, text: str) -> str:
        """"Where did I meet someone?" of "Where did I meet Rosa Elena?"."""
        return self._unnaming.sub("someone", text) if self._unnaming else text

    @cached_property
    def _unnamed_pools(self) -> tuple:
        """The trained phrasings and the never-given pool embedded with their names left out (`_unnamed`)."""
        model, (mine, _, unknown) = self._embedder
        out = []
        for texts, pool in ((self.personal, mine), (self.unknown, unknown)):
            changed = [i for i, text in enumerate(texts) if self._unnamed(text) != text]
            if pool is not None and changed:
                pool = pool.clone()
                pool[changed] = model.encode([with_kind(self._unnamed(texts[i])) for i in changed],
                                             normalize_embeddings=True, convert_to_tensor=True)
            out.append(pool)
        return tuple(out)

    @cached_property
    def _given(self) -> list[frozenset]:
        """Each trained phrasing's contrast concepts: all that its fact's phrasings name, and the names
        they say, as ("named", name), with who each name is: "When is my granddaughter Amara's birthday?"
        names Amara; "When is Efua's birthday?" names Efua, my girlfriend."""
        ids = self.fact_ids or [None] * len(self.personal)
        keys = [f if f is not None else f"phrasing:{t}" for f, t in zip(ids, self.personal)]
        own = self._worded
        said: dict[str, frozenset] = {}
        for key, text in zip(keys, self.personal):
            said[key] = said.get(key, frozenset()) | {n for n in self._names
                                                      if re.search(rf"(?i)\b{re.escape(n)}\b", text)}
        union = {key: own[key] | {("named", n) for n in said[key]}
                 | {c for n in said[key] for c in self._who_is(n, own)} for key in own}
        for key, named in union.items():
            union[key] = named | {c for c in _defaults() if c[0] not in {g for g, _ in named}}
            if key in self._plain and not any(g == "asks" for g, _ in named):
                union[key] |= {("asks", "what")}  # no question word names it: "where"/"who"/"when" rule it out
            union[key] |= self._answer_asks.get(key, frozenset())
        return [union[k] for k in keys]

    @cached_property
    def _worded(self) -> dict[str, frozenset]:
        """The contrast concepts each fact's trained phrasings name, all together (a phrasing of no fact
        by itself, as "phrasing:TEXT")."""
        ids = self.fact_ids or [None] * len(self.personal)
        own: dict[str, frozenset] = {}
        for f, text in zip(ids, self.personal):
            key = f if f is not None else f"phrasing:{text}"
            own[key] = own.get(key, frozenset()) | concepts(text)
        return own

    @cached_property
    def _answer_asks(self) -> dict[str, frozenset]:
        """What each fact's answers say by their shape (`answer_asks` in the contrast data): 6:00 says
        what time and when, 42 square metres how many and that it is an area (`measures`), whatever words
        its question asks it in."""
        rules = [(re.compile(r["shape"]), frozenset((g, i) for g, said in r.items() if g != "shape" for i in said))
                 for r in _contrast_data().get("answer_asks", [])]
        return {f: frozenset().union(*(c for rule, c in rules for a in said if rule.fullmatch(a.strip())))
                for f, said in self.answers.items()}

    def _who_is(self, name: str, own: dict[str, frozenset]) -> frozenset:
        """Who a name is, as the facts whose answer it is say it ("Efua" is "my girlfriend"): their people
        concepts, so that "my girlfriend's birthday" is asked of a fact about "Efua's birthday"."""
        word = f" {normalise(name)} "
        facts = [f for f, said in self.answers.items() if any(word in a for a in said)]
        return frozenset(c for f in facts for c in own.get(f, ()) if c[0] == "people" or
                         (c[0] == "subject" and str(c[1]).startswith("people")))

    @cached_property
    def _unknown_concepts(self) -> list[frozenset]:
        return [concepts(u) for u in self.unknown]

    @cached_property
    def _names(self) -> frozenset[str]:
        """The names the never-given pool asks about, and those a fact gives as who someone is, asking
        nothing else of them ("Nanna Carmen" of "What do my kids call my mother?"), lowercased."""
        called = [f for f, c in self._worded.items() if any(g in _OTHERS for g, _ in c)
                  and all(g in _OTHERS or g == "subject" or (g, i) in _NAMING for g, i in c)]
        return names_in(self.unknown) | {a.lower() for f in called for a in self.given_answers.get(f, ()) if is_name(a)}

    @cached_property
    def _own_names(self) -> list[str]:
        """Names of two or more words that facts give as answers ("Kertész Zongoraműhely", "Herdade da
        Lameira"), normalised and padded: the user's own workshop, estate or friend, which the base model
        does not know. Not places ("Where did I grow up?" -> a town anyone may ask about) nor vehicles (a
        model anyone may ask about)."""
        where = {f for f, named in zip(self.fact_ids or [], self._given)
                 if any(g in ("places", "life", "vehicles") or (g, c) == ("asks", _WHERE) for g, c in named)}
        return [f" {normalise(a)} " for f, said in self.given_answers.items() if f not in where
                for a in said if len(a.split()) >= 2 and a[:1].isupper()]

    def _names_someone(self, question: str) -> bool:
        """Does the question name someone or something the facts name ("Tomasz", "Biscuit")?"""
        return any(re.search(rf"(?i)\b{re.escape(n)}\b", question) for n in self._names)

    def _names_own(self, question: str) -> bool:
        """Does the question name something of the user's by its own name ("Kertész Zongoraműhely")?"""
        said = f" {normalise(question)} "
        return any(n in said for n in self._own_names)

    @cached_property
    def _unknown_others(self) -> list[int]:
        """The never-given questions about someone other than the user ("What is my partner's favorite
        food?"), not with the user ("Where did I meet Tomasz?" is the user's too)."""
        if not self.others:
            return []
        return [j for j, u in enumerate(self.unknown) if about_someone(u, self._names) and not _I_OR_ME.search(u)]

    def _ruled_out(self, question: str, asked: frozenset, no: frozenset) -> list[int]:
        """Never-given questions that cannot be what `question` asks: its contrast words rule them out
        (`no`: what it says it is not about), or they are about someone else and it is not ("My partner
        wants to cook me my favorite food")."""
        out = [j for j, c in enumerate(self._unknown_concepts) if conflicts(c, asked) or c & no] + self._said_otherwise
        if not about_someone(question, self._names):
            return out + self._unknown_others
        # about someone: never-given questions about another one are not what it asks ("What did Kenji
        # and I name our little girl?" is not "What is Kenji's last name?"), nor those asking of them what
        # it says is the user's own ("my best friend always forgets my birthday" is not "When is my best
        # friend's birthday?")
        who, own, of_them = _who(question, self._names), mine(question, self._names), theirs(question, self._names)
        return out + [u for u in self._unknown_others if (who and not who & self._unknown_who[u]) or any(
            what & own and not any(w & them and v & what for w, v in of_them)
            for them, what in self._unknown_theirs[u])]

    @cached_property
    def _unknown_theirs(self) -> dict[int, list[tuple[frozenset, frozenset]]]:
        """What each never-given question about someone else asks of them (`theirs`)."""
        return {u: theirs(self.unknown[u], self._names) for u in self._unknown_others}

    @cached_property
    def _unknown_who(self) -> dict[int, frozenset]:
        """Whom each never-given question about someone else asks about."""
        return {u: _who(self.unknown[u], self._names) for u in self._unknown_others}

    @cached_property
    def _said_otherwise(self) -> list[int]:
        """Never-given questions that a fact answers, in other words than its own: `SAME` near one of its
        trained phrasings (or `TWIN` near such a never-given question: the pool's own rewordings), about
        the user (not someone else), and naming nothing that rules the fact out (no contrast word, no
        "when" or "how many" of a fact that gives no number). The built-in pool is the same for
        everyone, so some of it is a given fact for someone ("my usual order at the cafe" beside "my
        usual coffee order")."""
        model, (mine, _, unknown) = self._embedder
        if unknown is None or self.fact_ids is None:
            return []
        near, which = (unknown @ mine.T).max(1)
        same = [u for u in range(len(self.unknown)) if near[u] >= SAME and self._asks_it(u, int(which[u]))]
        if not same:
            return []
        twin, of = (unknown @ unknown[same].T).max(1)
        kept = set(same)
        return [u for u in range(len(self.unknown))
                if u in kept or (twin[u] >= TWIN and self._asks_it(u, int(which[same[int(of[u])]])))]

    def _asks_it(self, u: int, j: int) -> bool:
        """Could never-given question u be what trained phrasing j's fact answers: about the user, and
        its words do not rule the fact out?"""
        named, fact = self._unknown_concepts[u], self.fact_ids[j]
        return fact is not None and not self._mute(named, j) and not conflicts(self._given[j], named) \
            and not about_someone(self.unknown[u], self._names)

    def _mute(self, asked: frozenset, j: int) -> bool:
        """Does a question naming `asked` ask when, which year or how many, and trained phrasing j's fact
        neither has an answer that says it nor asks it itself ("Which day do I go to the temple?" ->
        "Poya day" says which day)?"""
        wanted = asked & _numeric()
        return bool(wanted) and self.fact_ids[j] in self._not_numeric and not wanted & self._given[j]

    @cached_property
    def _possessions(self) -> dict[str, list[str]]:
        """Per fact whose phrasings name an animal or a vehicle, the words that name it in a question:
        its answers and their longer words ("outback" of "Subaru Outback") that no phrasing says,
        normalised and padded."""
        owned = {f for f, kinds in self._things.items() if kinds}
        # not a word the phrasings say: "Mekong" of "Mekong Sunset Cruises" is the river the user works on
        said = {w for text in self.personal[:self.given] for w in normalise(text).split()}
        return {f: self.answers[f] + [f" {w} " for a in self.answers[f] for w in a.split()
                                      if len(w) >= 4 and w not in said] for f in owned if f in self.answers}

    @cached_property
    def _plain(self) -> frozenset[str]:
        """The facts whose answers hold no name and no number ("left knee", "sueca"): they say what, not
        who, where or when (read from the answers as given: normalising drops the capitals)."""
        return frozenset(f for f, said in self.given_answers.items()
                         if said and not any(c.isupper() or c.isdigit() for a in said for c in a))

    @cached_property
    def _not_numeric(self) -> frozenset[str]:
        """The facts whose answers hold no date, year or number: they do not say when, which year or how many."""
        return frozenset(f for f, said in self.answers.items() if not any(is_numeric(a) for a in said))

    def _names_answer(self, question: str, j: int) -> bool:
        """Does the question name the answer of trained phrasing j's fact, or by name an animal or
        vehicle of another fact ("What color is my Outback?" near "What is my favorite color?")?"""
        said = f" {normalise(question)} "
        fact = self.fact_ids[j]
        # "Which bus do I catch?" asks which bus: it does not name "the 13 bus"; "Right or left?" offers it
        unasked = re.sub(r"\b(which|what) \w+", r"\1", said)
        unasked = re.sub(r"(?:\b(?:a|an|the) )?\b\w+ or (?:(?:a|an|the) )?\w+\b", " ", unasked)
        if any(a in unasked or f"{a[:-1]}s " in unasked for a in self._naming_answers.get(fact, ())):  # "on Saturdays"
            return True
        # not of a fact about the same kind of thing: "what breed is Rölli" asks the dog's breed fact
        kind = {c for c in self._given[j] if c[0] in _THINGS}
        return any(f != fact and not kind & self._things.get(f, set()) and any(w in said for w in words)
                   for f, words in self._possessions.items())

    def _known_as(self, who: frozenset) -> frozenset:
        """Whom a question asks about, with who the names it says are, as the facts that give them say:
        "Rölli" is "our dog" where a fact asks "What is our dog called?" -> Rölli."""
        named = {n for g, n in who if g == "named"}
        return who | {c for f, j in self._fact_phrasing.items() for n in named
                      if any(f" {normalise(n)} " in a for a in self.answers.get(f, ()))
                      for c in self._given[j] if c[0] in _SUBJECTS or c[0] == "subject"}

    @cached_property
    def _fact_phrasing(self) -> dict[str, int]:
        """A trained phrasing of each fact (all of a fact's phrasings name the same concepts)."""
        return {f: j for j, f in reversed(list(enumerate(self.fact_ids or []))) if f is not None}

    @cached_property
    def _naming_answers(self) -> dict[str, list[str]]:
        """Each fact's answers less those that only say who it is ("mum" of "my mother, Dzintra"): "What's
        my mum's name?" names the mother, not the answer."""
        return {f: [a for a in said if not _is_relation(a)] for f, said in self.answers.items()}

    @cached_property
    def _things(self) -> dict[str, set]:
        """Per fact, the animal and vehicle concepts its phrasings name."""
        return {f: {c for c in named if c[0] in _THINGS} for f, named in zip(self.fact_ids or [], self._given) if f}

    def _allowed(self, question: str, asked: frozenset, excluded: Excluded, similar, near: float) -> int | None:
        """The nearest trained phrasing, unless the question names its fact's answer (None) or the
        question's contrast words (`asked`) rule its fact out, or it says it is not about what the fact
        names (`excluded`: "not my spouse" asks about someone else, a person), or it asks of someone the fact
        does not name what the fact names ("my dad's birthday", `theirs`); then the nearest within
        `slack` whose fact names what the question names there (and whose) and fits what it rules out,
        or None."""
        first, *rest = similar.argsort(descending=True).tolist()
        if self._names_answer(question, first):
            return None
        no, kinds = excluded.no, excluded.kinds
        possessed = [(self._known_as(who), what) for who, what in theirs(question, self._names)]

        def whose(j: int) -> list[frozenset]:
            """Those the question asks something of that fact j names, but who fact j does not name."""
            return [who for who, what in possessed if what & self._given[j] and not who & self._given[j]]

        def fits(j: int) -> bool:
            named = self._given[j]
            return not conflicts(named, asked) and not named & no and kinds <= {g for g, _ in named} \
                and not whose(j) and not self._mute(asked, j)

        if fits(first):
            return self._agreeing(question, asked, similar, near, fits, first)
        groups, owners = conflicts(self._given[first], asked), whose(first)
        if self._mute(asked, first):
            # the one passed to must say when, which year or how many, as the question asks, and of
            # what it asks it ("What model year is my car?" is not the year the user was born)
            groups |= {"asks"} | {g for g, _ in asked & self._given[first] if g == "subject"}
        # ... of whom the question asks, when the nearest names them: "where is my wife from originally?"
        # passed over "What is my wife's name?" is not the user's own hometown ("my four-legged friend"
        # asks of any animal: one of them will do)
        subjects = {c for c in asked if c[0] == "subject"}
        whom = subjects if subjects & self._given[first] else set()
        near_enough = [j for j in takewhile(lambda j: similar[j] >= near - self.slack, rest)
                       if fits(j) and not self._names_answer(question, j) and all(w & self._given[j] for w in owners)
                       and (not whom or whom & self._given[j])]
        # ... naming what the question tells, whom aside ("the name of my employer" passed over a registration
        # number goes to "Which office do I work for?", not to "What is my mother's name?"), or else what
        # it names where the nearest failed it
        telling = {c for c in asked if c[0] not in _INCIDENTAL}
        told = [j for j in near_enough if telling & self._given[j]]
        named = [j for j in near_enough if all(g in {h for h, _ in self._given[j] & asked} for g in groups)]
        return (told or named or [None])[0]

    def _agreeing(self, question: str, asked: frozenset, similar, near: float, fits: Callable, first: int) -> int:
        """The nearest trained phrasing (`first`), unless its fact names none of the telling concepts the
        question names (not how it asks, a name, a place or a time of life: "which town", "called") and one
        within `AGREE` does and fits. A long question's situation sways the sentence embedding ("The bank
        loan form asks for the name of my employer" is nearest "What is my surveyor registration number?");
        what it names says which fact it asks."""
        telling = {c for c in asked if c[0] not in _PASSING}
        if not telling or telling & self._given[first]:
            return first
        for j in similar.argsort(descending=True).tolist()[1:]:
            if similar[j] < near - AGREE:
                break
            if telling & self._given[j] and fits(j) and not self._names_answer(question, j):
                return j
        return first

    def _agrees(self, asked: frozenset, j: int) -> bool:
        """Does the question name something trained phrasing j's fact names ("for my birthday ... the date",
        "a grad school form asks for my undergraduate field of study"), beyond question words?"""
        own = {c for c in asked if c[0] not in _LOOSE}
        return bool(own & self._given[j])

    def _margin(self, asked: frozenset | None, j: int, u: int) -> float:
        """How much nearer never-given question u must be than trained phrasing j to decline a question
        naming `asked`: none when u names what the question names and j's fact says nothing of ("my
        go-to song" against "What is my favorite song?" and "my go-to meal")."""
        if asked is None:
            return self.margin
        fact = {g for g, _ in self._given[j]}
        shared = {c for c in asked if c[0] not in _INCIDENTAL} & self._unknown_concepts[u]
        return 0.0 if any(g not in fact for g, _ in shared) else self.margin

    def as_written(self) -> "Gate":
        """The same routing without anchoring or declining: the adapter reads the user's own words
        (what the question variation method itself reaches)."""
        gate = self._variant(anchor=False, keep=[])
        gate.judge = None
        return gate

    def leaving_out(self, questions: Sequence[str]) -> "Gate":
        """The same gate with these questions taken out of its never-given pool: asking them then
        measures how it declines questions it does not hold (the built-in abstention probes)."""
        drop = {normalise_question(q) for q in questions}
        return self._variant(self.anchor, [i for i, q in enumerate(self.unknown) if normalise_question(q) not in drop])

    def _variant(self, anchor: bool, keep: list[int]) -> "Gate":
        """A copy that anchors or not and keeps these never-given questions, reusing the embeddings."""
        ids = self.fact_ids[:self.given] if self.fact_ids is not None else None
        gate = Gate(self.personal[:self.given], self.person, self.general, [self.unknown[i] for i in keep], anchor,
                    self.margin, self.anchor_floor, ids, self.slack, self.given_answers, self.others, self.judge,
                    self.labels)
        if "_embedder" in self.__dict__:
            model, (mine, general, unknown) = self._embedder
            gate.__dict__["_embedder"] = (model, (mine, general, unknown[keep] if keep else None))
        return gate

    def route(self, questions: Sequence[str]) -> list[Route]:
        """Each question's route, in order."""
        routes, beside = self.before_judge(questions)
        if self.judge is None:
            return routes
        return self._judged(questions, routes, beside)

    def before_judge(self, questions: Sequence[str]) -> tuple[list[Route], list[tuple[int, Route] | None]]:
        """Each question's route without the judge, and beside it the trained phrasing (an index into
        the phrasings) it is answered from or declined beside, the pair the judge reads, with the route
        that answers it from that phrasing; None where there is nothing to read (sent to the base model,
        or nearest a trained decline)."""
        if not questions:
            return [], []
        # "How old is Biscuit?", "What's Tomasz's job?": someone the facts name is in the person's world,
        # not the base model's, so such a question is the gate's to answer or decline
        # ... and so is "What's the address of Kertész Zongoraműhely?": the user's own workshop, whatever
        # general question it is worded like; the base model would make up an answer
        own = [self._names_own(q) for q in questions]
        # "What colour is our Duster?", "the missus": the user's household says it is about the user too
        said = [o or is_personal(in_own_voice(q, None), self.person) or self._names_someone(q)
                for q, o in zip(questions, own)]
        if not self.personal:  # nothing to compare with: words only
            return [Route("adapter" if s else "base", q) for q, s in zip(questions, said)], [None] * len(questions)
        model, (mine, general, unknown) = self._embedder
        voiced = [as_the_gate_reads(x, self.person) for x in questions]
        q = model.encode(voiced, normalize_embeddings=True, convert_to_tensor=True)
        similar = q @ mine.T
        to_general = (q @ general.T).max(1).values
        # "What did Rosa Elena and I name our girl?": a name said in passing, not of whom it asks
        passing = [i for i, v in enumerate(voiced) if self._unnamed(v) != v and not about_someone(v, self._names)]
        if passing:
            mine_u, unknown_u = self._unnamed_pools
            unnamed = model.encode([self._unnamed(voiced[i]) for i in passing], normalize_embeddings=True,
                                   convert_to_tensor=True)
            similar[passing] = unnamed @ mine_u.T
        near, which = similar.max(1)
        contrast = self.fact_ids is not None and unknown is not None
        parts = [excluding(x) for x in voiced] if contrast else None  # the rest, and what it rules out
        asked = [concepts(p.rest) for p in parts] if contrast else None
        to_unknown = None
        if unknown is not None:
            to_unknown = q @ unknown.T
            if passing:
                to_unknown[passing] = unnamed @ unknown_u.T
            for i, words in enumerate(asked or []):  # a never-given question ruled out is not a match
                to_unknown[i, self._ruled_out(parts[i].rest, words, parts[i].no)] = -1.0
            to_unknown, nearest_unknown = to_unknown.max(1)
        out, beside = [], []  # the trained phrasing each question is answered from or declined beside
        for i, question in enumerate(questions):
            lean = LEAN if said[i] and contrast and self._agrees(asked[i], int(which[i])) else 0.0
            general_like = not own[i] and to_general[i] >= near[i] + lean and \
                (to_unknown is None or to_general[i] >= to_unknown[i])
            if not (said[i] or (near[i] > to_general[i] and near[i] >= NEAR_ENOUGH)) or general_like \
                    or is_request(question):
                out.append(Route("base", question))  # not about the person, or says "me" but asks for a joke
            elif to_unknown is not None and (
                    to_unknown[i] > near[i] + self._margin(asked[i] if contrast else None, int(which[i]),
                                                           int(nearest_unknown[i]))
                    or speaks_as(question, self._names)):  # "Tomasz here, ..."
                out.append(Route("decline", question))
            elif (best := self._allowed(voiced[i], asked[i], parts[i], similar[i], float(near[i])) if contrast
                  else int(which[i])) is None:
                out.append(Route("decline", question))  # the contrast words rule out every near fact
            else:
                out.append(self._to_adapter(question, best, float(similar[i, best])))
                beside.append((best, out[-1]))
                continue
            j = int(which[i])
            beside.append((j, self._to_adapter(question, j, float(similar[i, j]))) if out[-1].to == "decline" else None)
        ids = self.fact_ids or [None] * len(self.personal)
        return out, [b if b is not None and ids[b[0]] is not None else None for b in beside]

    def _to_adapter(self, question: str, j: int, similarity: float) -> Route:
        """Answered from trained phrasing j: asked as that phrasing when anchoring (and near enough); a
        fact's label is not trained, so as the fact's own question."""
        if j >= self.given:
            j = self._fact_phrasing[self.fact_ids[j]]
        return Route("adapter", self.personal[j] if self.anchor and similarity >= self.anchor_floor else question)

    def _judged(self, questions: Sequence[str], out: list[Route],
                beside: list[tuple[int, Route] | None]) -> list[Route]:
        """The judge's last word on the questions answered from or declined beside a fact's phrasing,
        read as the gate reads them ("Where was Maya born?" as "Where was I born?", as the phrasings say)."""
        sent = [(i, b) for i, b in enumerate(beside) if b is not None]
        scores = self.judge.scores([(as_the_gate_reads(questions[i], self.person), self.personal[j])
                                    for i, (j, _) in sent])
        out = list(out)
        for (i, (_, answered)), score in zip(sent, scores):
            if out[i].to == "adapter" and score < self.judge.threshold:
                out[i] = Route("decline", questions[i])
            elif out[i].to == "decline" and score >= self.judge.override:
                out[i] = answered
        return out
