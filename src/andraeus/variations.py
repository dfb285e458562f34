"""Question variation: many phrasings of each fact's question, in named style families.

The method: a model trained on one phrasing answers that phrasing; trained on varied ones it
learns the fact. Training phrasings come from the TRAIN_FAMILIES; evaluation phrasings come from
HELDOUT_FAMILIES that training never uses, and `check_leaks` proves on every run that no
evaluation phrasing equals or nearly equals a training one.

Generation is rule-based and deterministic for a seed. Every family draws from finite template
lists, and a last-resort family of lead-in/closing words gives hundreds more distinct phrasings,
so any N up to MAX_PHRASINGS always succeeds without looping.
"""

from __future__ import annotations

import difflib
import random
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Iterable, Sequence

import yaml

from .facts import Fact, FactSet, normalise_question
from .gate import concepts
from .scoring import strip_accents

TRAIN_FAMILIES = ("formal", "casual", "terse", "polite", "command", "indirect", "typo")
HELDOUT_FAMILIES = ("third_person", "conversational")
MAX_PHRASINGS = 200
DEFAULT_PHRASINGS = 20  # per fact: 10 -> 20 adds 2-6 points on hand-written questions, 20 -> 30 nothing
NEAR_DUPLICATE = 0.92  # difflib ratio of normalised texts at or above which two phrasings leak

_BE = {"is", "are", "was", "were", "am"}
_DO = {"do", "does", "did"}
_MODAL = {"can", "will", "would", "should", "could", "has", "have", "had"}
_PRONOUNS = {"i", "you", "he", "she", "we", "they", "it"}
_WH = ("how many", "how much", "how old", "how long", "how", "what", "which", "who", "whom",
       "whose", "when", "where", "why")
_IRREGULAR_PAST = {
    "go": "went", "grow": "grew", "meet": "met", "get": "got", "buy": "bought", "drive": "drove",
    "have": "had", "take": "took", "begin": "began", "make": "made", "find": "found",
    "choose": "chose", "give": "gave", "teach": "taught", "leave": "left", "win": "won",
    "run": "ran", "ride": "rode", "write": "wrote", "read": "read", "sell": "sold", "say": "said",
    "come": "came", "see": "saw", "speak": "spoke", "eat": "ate", "drink": "drank", "sing": "sang",
    "fly": "flew", "break": "broke", "wear": "wore", "put": "put", "set": "set", "be": "was",
    "do": "did", "think": "thought", "become": "became", "bring": "brought", "learn": "learned", "swim": "swam",
    "spend": "spent", "lend": "lent", "send": "sent", "build": "built", "lose": "lost", "hold": "held",
    "tell": "told", "hear": "heard", "pay": "paid", "catch": "caught", "keep": "kept", "sleep": "slept",
    "feel": "felt", "ring": "rang", "stand": "stood", "sit": "sat", "fall": "fell", "know": "knew",
}
# Word and phrase synonyms, swapped into the question for every training family (both directions listed).
_SYNONYMS = {
    "dog": ["pup", "doggo", "pooch"], "cat": ["kitty", "cat companion"], "name": ["first name"],
    "favorite": ["favourite", "preferred", "top"], "favourite": ["favorite", "preferred"],
    "car": ["vehicle", "ride"], "job": ["occupation", "profession"], "job title": ["position", "role"],
    "birthday": ["date of birth", "birth date", "bday"], "wife": ["spouse"], "husband": ["spouse"],
    "partner": ["significant other", "other half"], "mom": ["mother", "mum"], "mother": ["mom", "mum"],
    "mum": ["mother", "mom"], "dad": ["father"],
    "father": ["dad"], "sister": ["sis"], "brother": ["bro"], "best friend": ["closest friend", "bestie"],
    "city": ["town"], "hometown": ["home town"], "color": ["colour", "shade"],
    "colour": ["color"], "food": ["dish", "meal"], "movie": ["film"], "film": ["movie"],
    "book": ["novel"], "band": ["group"], "university": ["college", "uni"], "pet": ["animal"],
    "phone": ["cell"], "house": ["home"], "friend": ["pal", "buddy"], "best mate": ["closest mate"],
    "like best": ["like most", "like the most"],
    "live": ["reside"], "employer": ["company"], "support": ["root for", "cheer for"],
    # what one studied is one's major; where one studied is not
    "what did i study": ["What did I major in"], "what do i study": ["What do I major in"],
    "company": ["employer"], "street": ["road"], "anniversary": ["anniversary date"],
    "son": ["boy"], "daughter": ["girl"], "kid": ["child"], "child": ["kid"], "sport": ["game"],
    "instrument": ["musical instrument"], "team": ["side"], "drink": ["beverage"],
    "language": ["tongue"], "degree": ["qualification"], "school": ["alma mater"],
}
_KEYBOARD = {
    "q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij", "i": "uok",
    "o": "ipl", "p": "ol", "a": "qsz", "s": "adw", "d": "sfe", "f": "dgr", "g": "fht", "h": "gjy",
    "j": "hku", "k": "jli", "l": "ko", "z": "xa", "x": "zcs", "c": "xvd", "v": "cbf", "b": "vng",
    "n": "bmh", "m": "nj",
}
_LEAD_INS = ["hey", "ok so", "quick one", "one sec", "hmm", "sorry", "um", "right", "yo",
             "alright", "question", "by the way", "just wondering", "random but", "so"]
_CLOSERS = ["please", "thanks", "again", "if you know", "for me", "real quick", "cheers",
            "ta", "thank you", "remind me", "no rush", "ty"]


@dataclass(frozen=True)
class Phrasing:
    """One phrasing of a fact's question, tagged with the family that made it."""

    fact_id: str
    text: str
    family: str


@dataclass(frozen=True)
class Parsed:
    """The parts of a question that the templates recombine."""

    question: str  # the user's question, tidied, ending in '?'
    embedded: str | None  # "what my dog's name is": usable after "remind me"
    topic: str | None  # "my dog's name": a noun phrase, when the question asks for one
    wh: str | None = None  # "what", "which university": the question word(s)


# --- parsing -------------------------------------------------------------------------


def _tidy(question: str) -> str:
    q = " ".join(question.strip().split()).rstrip("?.! ")
    q = re.sub(r"(?i)\b(what|who|where|when|how)'s\b", r"\1 is", q)
    return q[:1].upper() + q[1:] + "?" if q else "?"


def _split_wh(words: list[str]) -> tuple[str, list[str]] | None:
    """Return the wh-phrase ("what year") and the words after it, starting at the auxiliary."""
    low = [w.lower() for w in words]
    for wh in _WH:
        n = len(wh.split())
        if low[:n] == wh.split():
            # "what year", "which high school", "what kind of medicine", "how many decares of roses"
            for j in range(n, min(len(words), n + 5)):
                if low[j] in _BE | _DO | _MODAL:
                    return " ".join(words[:j]), words[j:]
            return None
    return None


_VERBS = {
    "live", "work", "go", "like", "drive", "play", "study", "have", "own", "speak", "call", "want",
    "love", "prefer", "eat", "drink", "use", "attend", "grow", "meet", "get", "buy", "name", "adopt",
    "marry", "come", "teach", "do", "make", "celebrate", "support", "root", "watch", "listen", "read",
    "cook", "wear", "keep", "take", "need", "hate", "collect", "volunteer", "run", "sing", "write",
    "pick", "fatten", "share", "visit", "raise", "earn", "join", "retire", "graduate", "belong", "pray",
    "breed", "save", "spend", "sew", "knit", "feed", "fix", "repair", "mend", "sell", "bake", "pay",
}
_ADVERBS = {"ever", "still", "usually", "always", "often", "really", "actually", "also", "even", "normally"}
_LEADING = {"on", "in", "at", "for", "from", "to", "with", "since", "by", "during"}
_BE_STOP = {"born", "from", "located", "called", "named", "allergic", "at", "in", "to", "for", "on",
            "based", "married", "due", "going", "getting", "doing", "like"}


def _subject_len(rest: list[str], aux: str, names: Sequence[str] = ()) -> int:
    """How many words form the subject: a pronoun, a name, or 'my ...', 'the ...', 'Efua's ...',
    'Krasimir and I' up to the verb; 0 if unsure."""
    if not rest:
        return 0
    first = rest[0].lower()
    if first in _PRONOUNS or (rest[0] in names and aux not in _BE):
        return 1
    named = rest[0] in names or (rest[0][:1].isupper() and first not in _PRONOUNS)  # "Efua's", "Krasimir"
    if first not in ("my", "our", "the") and not named and not any(rest[0] in (f"{n}'s", f"{n}'") for n in names):
        return 0
    if aux in _BE and first == "the":
        return len(rest)  # "the name of my shop", "the head of the lab I work in": all of it
    for n in range(1, len(rest)):
        word = rest[n].lower()
        if aux in _BE and word in _PRONOUNS:
            return len(rest)  # a clause of its own ("my colleague I share shifts with"): all of it
        # the word right after "my" is part of what is mine ("my preferred food", "my married name")
        if aux in _BE and n > 1 and (word in _BE_STOP or word.endswith("ed")):
            return n
        if aux not in _BE and word in _VERBS:
            return n
    return len(rest) if aux in _BE else 0


def _past(verb: str) -> str:
    v = verb.lower()
    if v in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[v]
    if v.endswith("e"):
        return v + "d"
    if re.search(r"[^aeiou]y$", v):
        return v[:-1] + "ied"
    return v + "ed"


def _third(verb: str) -> str:
    v = verb.lower()
    if v == "have":
        return "has"
    if re.search(r"(s|sh|ch|x|z|o)$", v):
        return v + "es"
    if re.search(r"[^aeiou]y$", v):
        return v[:-1] + "ies"
    return v + "s"


def parse(question: str, names: Sequence[str] = ()) -> Parsed:
    """Split a question into the parts the templates need; unknown shapes keep only the text.

    `names` are words that may stand as the subject (the person's name, for third person)."""
    q = _tidy(question)
    words = q.rstrip("?").split()
    # "On what date did I ...?", "In which city is my ...?": the preposition leads the clause
    lead = words[:1] if len(words) > 2 and words[0].lower() in _LEADING and words[1].lower() in _WH else []
    split = _split_wh(words[len(lead):]) if words else None
    if not split:
        return _yes_no(q, names) or _as_asked(q)
    wh, (aux, *rest) = split
    wh_l, aux_l = wh[0].lower() + wh[1:], aux.lower()
    n = _subject_len(rest, aux_l, names)
    if n == 0:
        return _as_asked(q)
    wh_l = " ".join([w.lower() for w in lead] + [wh_l])
    subject, tail = " ".join(rest[:n]), rest[n:]
    noun_topic = aux_l in _BE and not tail and subject.lower().split()[0] in ("my", "the")
    topic = subject if noun_topic and wh_l in ("what", "who", "when") else None
    return Parsed(q, _embed(wh_l, aux_l, subject, tail), topic, wh_l)


def _embed(wh: str, aux: str, subject: str, tail: list[str]) -> str:
    """The clause after "remind me": "where I grew up" of where + did + I + grow up."""
    if aux in _DO and tail:
        i = 1 if len(tail) > 1 and tail[0].lower() in _ADVERBS else 0  # "did I ever break": "ever broke"
        verb = {"did": _past, "does": _third}.get(aux, str)(tail[i])
        return " ".join([wh, subject, *tail[:i], verb, *tail[i + 1:]])
    return " ".join([wh, subject, aux, *tail])


def _yes_no(q: str, names: Sequence[str] = ()) -> Parsed | None:
    """A yes/no or either/or question with a pronoun, name or "there" as subject ("Do I sing soprano
    or alto?", "Is there anything I'm allergic to?") embeds after "whether"."""
    words = q.rstrip("?").split()
    if len(words) < 3 or words[0].lower() not in _BE | _DO | _MODAL:
        return None
    subject = words[1] if words[1].lower() in ("i", "we", "there") or words[1] in names else None
    return Parsed(q, _embed("whether", words[0].lower(), subject, words[2:]), None, "whether") if subject else None


def _as_asked(q: str) -> Parsed:
    """A wh-question whose wh-word is its subject ("Who taught me to tune pianos?", "Which of my ears
    has poor hearing?") embeds as asked: "who taught me to tune pianos"; other shapes keep only the text."""
    words = q.rstrip("?").split()
    low = [w.lower() for w in words]
    if len(words) < 3 or low[0] not in ("who", "what", "which", "how") or (low[0] == "how" and low[1] != "many"):
        return Parsed(q, None, None)
    aux = next((w for w in low[1:6] if w in _BE | _DO | _MODAL), None)
    if aux in _DO:
        return Parsed(q, None, None)  # "... does our family pick ...": a subject it could not find
    return Parsed(q, _lower_first(" ".join(words)), None, "how many" if low[0] == "how" else low[0])


# --- person transforms ---------------------------------------------------------------


def _swap_person(text: str, table: dict[str, str]) -> str:
    def repl(m: re.Match) -> str:
        word = m.group(0)
        new = table.get(word.lower(), word)
        return new[:1].upper() + new[1:] if word[:1].isupper() and new[:1].islower() else new

    return re.sub(r"\b[\w']+\b", repl, text)


def second_person(text: str) -> str:
    """'my dog's name' -> 'your dog's name' (for answer sentences)."""
    return _swap_person(text, {"my": "your", "i": "you", "me": "you", "am": "are", "mine": "yours",
                               "i'm": "you're", "myself": "yourself"})


def third_person(text: str, name: str) -> str:
    """'Where do I work?' -> 'Where does Maya work?'."""
    text = re.sub(r"\b(do|Do) I\b", lambda m: ("Does" if m.group(1) == "Do" else "does") + " I", text)
    text = re.sub(r"\b(am|Am) I\b", lambda m: ("Is" if m.group(1) == "Am" else "is") + " I", text)
    text = re.sub(r"(?<!does )(?<!did )(?<!Does )(?<!Did )\bI (do|am|have)\b",
                  lambda m: "I " + {"do": "does", "am": "is", "have": "has"}[m.group(1)], text)
    own = f"{name}'" if name.endswith("s") else f"{name}'s"
    return _swap_person(text, {"my": own, "i": name, "me": name, "mine": own, "myself": name})


# --- families ------------------------------------------------------------------------


def _casualise(text: str) -> str:
    t = text.lower().rstrip("?.! ")
    for a, b in (("what is", "whats"), ("who is", "whos"), ("where is", "wheres"), ("do you", "d'you"),
                 ("i am", "im"), ("is not", "isnt"), ("dog's", "dogs"), ("'s ", "s ")):
        t = t.replace(a, b)
    return t


def _synonym_variants(text: str) -> list[str]:
    """The text with one word or phrase swapped for a synonym ("best friend" before "friend")."""
    out, matched = [], []
    for key in sorted(_SYNONYMS, key=len, reverse=True):
        if re.search(rf"(?i)\b{re.escape(key)}\b", text) and not any(re.search(rf"\b{key}\b", m) for m in matched):
            matched.append(key)
            out += [re.sub(rf"(?i)\b{re.escape(key)}\b", syn, text, count=1) for syn in _SYNONYMS[key]]
    return out


@cache
def _equivalents_table() -> list[tuple[re.Pattern, list[str], dict[str, re.Pattern]]]:
    rows = yaml.safe_load(resources.files("andraeus").joinpath("data/equivalents.yaml").read_text())
    return [(re.compile(r["match"]), r["ask"], {k: re.compile(v) for k, v in r.get("kinds", {}).items()})
            for r in rows]


def equivalent_questions(question: str, answer: str | None = None) -> list[str]:
    """The question in other key words ("Where did I grow up?" -> "Where was I raised?"), from the
    table of common personal facts in data/equivalents.yaml; empty for questions it does not know.
    A question that names the kind of answer ("What {kind} am I allergic to?") is asked only when
    `answer` is of that kind (penicillin: "What medicine am I allergic to?")."""
    key = strip_accents(normalise_question(question))  # "when did julián and i ..." is matched as "julian"
    out = []
    for pattern, asks, kinds in _equivalents_table():
        m = pattern.fullmatch(key)
        if m:
            kind = next((k for k, rule in kinds.items() if answer and rule.search(normalise_question(answer))), None)
            out += [re.sub(r"\{(\d)\}", lambda g: m.group(int(g.group(1))) or "", a).replace("{kind}", kind or "")
                    for a in asks if kind or "{kind}" not in a]
    return [q for q in dict.fromkeys(out) if normalise_question(q) != key]


def _rewordings(question: str, answer: str | None = None) -> list[str]:
    """The question with other key words: synonyms swapped in, then whole equivalent questions."""
    found = (_synonym_variants(question) + equivalent_questions(question, answer) + _name_questions(parse(question))
             + relation_questions(answer))
    return list(dict.fromkeys(found))  # the table and the name questions both give "What is my dog called?"


_KIN = (r"(?:grand|great-?grand|step|god)?(?:mother|father|mum|mom|ma|dad|pa|parents?|brother|sister|son|daughter|"
        r"child|wife|husband|partner|aunt|auntie|uncle|cousin|niece|nephew|friend|neighbou?r|boss|manager|"
        r"colleague|co-?worker|mentor|teacher|doctor|dentist|fianc[eé]e?|[a-z]+-in-law)")


def relation_questions(answer: str | None) -> list[str]:
    """A fact whose answer names someone by relation ("Who do I call every Sunday evening?" -> "my
    mother, Dzintra") is also asked by the relation: "Who is my mother?", "What is my mother's name?"."""
    words = (answer or "").split()
    if len(words) < 3 or words[0].lower() not in ("my", "our"):
        return []
    for k in (1, 2, 3):  # "my mother, Dzintra", "my best friend Aiga", "my late grandmother Bu Salote"
        relation, rest = words[1:1 + k], words[1 + k:]
        person = re.fullmatch(_KIN, relation[-1].rstrip(","))  # "my old Volvo V70" names no one
        if rest and person and all(w.islower() for w in relation) and rest[0][:1].isupper():
            who = " ".join([words[0].lower(), *relation]).rstrip(",")
            return [f"Who is {who}?", f"What is {who}'s name?"]
    return []


_NAMED = [r"(?i)((?:my|our) .+?)'s name", r"(?i)the name of ((?:my|our|the) .+)"]  # of a topic
_NAMED_ASKED = [r"(?i)what did (?:i|we) name ((?:my|our|the) .+)\?", r"(?i)what is ((?:my|our|the) .+) called\?"]


def named_thing(p: Parsed) -> str | None:
    """What a name is asked of: "my dog" of "What is my dog's name?", "our dog" of "What is the name
    of our dog?", "the ram we are fattening" of "What did we name the ram we are fattening?"."""
    m = next((m for r in _NAMED if (m := re.fullmatch(r, p.topic or ""))), None)
    m = m or next((m for r in _NAMED_ASKED if (m := re.fullmatch(r, p.question))), None)
    return m.group(1) if m else None


def _name_questions(p: Parsed) -> list[str]:
    """A name asked otherwise: "What is our dog called?" of "What is the name of our dog?"."""
    thing = named_thing(p)
    if not thing:
        return []
    out = [f"What is {thing} called?", f"What did I name {thing}?", f"What do I call {thing}?",
           f"How is {thing} named?", f"What is the name of {thing}?"]
    own = re.match(r"(?i)(my|our) ", thing) and not re.search(r"(?i)\b(i|we|he|she|they)\b", thing)
    return out + ([f"What is {thing}'s name?"] if own else [])  # not "the ferry I captain's name"


def _restructures(p: Parsed) -> list[str]:
    """Rewrites that change the sentence, not just a word: "What's the deal with my dog's name?"."""
    return [f"What's the deal with {p.topic}?", f"Any idea what {p.topic} is?"] if p.topic else []


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _wrapped(q: str, family: str) -> list[str]:
    """Templates that only wrap the whole question: for shapes the parser does not know."""
    return {
        "formal": [q, f"May I ask: {q}", f"I would like to know this: {q}"],
        "casual": [_casualise(q), f"so {_casualise(q)}", f"wait {_casualise(q)}"],
        "terse": [f"{q.rstrip('?')}, again?"],
        "polite": [f"Could you remind me: {q}", f"Sorry to ask again, but {_lower_first(q)}",
                   f"If you don't mind: {q}"],
        "command": [f"Tell me: {q}", f"Remind me: {q}", f"Answer this: {q}"],
        "indirect": _synonym_variants(q),
        "conversational": [f"Before I forget, {_lower_first(q)}", f"Settle something for me: {q}",
                           f"My memory is terrible today. {q}"],
    }.get(family, [])


def family_candidates(p: Parsed, family: str, person: str | None = None, answer: str | None = None) -> list[str]:
    """All phrasings a family can make for one parsed question (whose answer is `answer`), best first."""
    q, core, topic = p.question, p.embedded, p.topic
    if family == "third_person":
        return _third_person_family(p, person) if person else []
    if core is None:
        return _wrapped(q, family)
    what_topic = topic if p.wh == "what" else None
    if family == "formal":
        out = [q, f"May I ask {core}?", f"I would like to know {core}.", f"Please state {core}."]
        return out + ([f"Kindly tell me {topic}."] if what_topic else [])
    if family == "casual":
        out = [_casualise(q), f"wait {_casualise(q)}", f"uh {_casualise(q)} again", f"so {_casualise(core)}?"]
        return out + ([f"{_casualise(topic)} again", f"whats {_casualise(topic)} lol"] if what_topic else [])
    if family == "terse":
        if topic:
            return [f"{topic}?", f"{re.sub(r'(?i)^my ', '', topic)}?", f"{topic}, again?"]
        return [f"{core}?", f"{core}, again?"]
    if family == "polite":
        return [f"Could you remind me {core}?", f"Would you mind telling me {core}?",
                f"Can you please tell me {core}?", f"Do you happen to know {core}?",
                f"Sorry to ask again, but {_lower_first(q)}"]
    if family == "command":
        out = [f"Tell me {core}.", f"Remind me {core}.", f"I need to know {core}."]
        return out + ([f"Tell me {what_topic}.", f"Say {what_topic}.", f"Give me {what_topic}."] if what_topic else [])
    if family == "indirect":
        return _restructures(p) + _rewordings(q, answer) + _synonym_variants(f"Remind me {core}.")
    if family == "conversational":
        return [f"I was chatting with a friend and blanked on {core}.",
                f"Before I forget, {_lower_first(q)}",
                f"Help me out here, I can't recall {core}.",
                f"Settle something for me: {_lower_first(q)}",
                f"For a form I'm filling out, I need to know {core}.",
                f"My memory is terrible today. {q}"]
    raise ValueError(f"unknown family {family!r}")


def _third_person_family(p: Parsed, person: str) -> list[str]:
    tq = third_person(p.question, person)
    tp = parse(tq, names=[person])
    out = [tq] + [third_person(s, person) for s in _synonym_variants(p.question)[:2]]
    if tp.embedded:
        out += [f"Do you know {tp.embedded}?", f"Tell me {tp.embedded}."]
    return out


def _typo(text: str, rng: random.Random) -> str:
    """One or two realistic keyboard slips: swap, drop, double, or a neighbouring key."""
    chars = list(text)
    for _ in range(rng.choice((1, 1, 2))):
        letters = [i for i, c in enumerate(chars) if c and c[0].lower() in _KEYBOARD]  # not one already dropped
        if len(letters) < 2:
            return "".join(chars) + text[-1:]  # nothing to slip on: a doubled last key
        i = rng.choice(letters[:-1])
        kind = rng.choice(("swap", "drop", "double", "near"))
        if kind == "swap" and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif kind == "drop":
            chars[i] = ""
        elif kind == "double":
            chars[i] = chars[i] * 2
        else:
            chars[i] = rng.choice(_KEYBOARD[chars[i][0].lower()])
    slipped = "".join(chars)
    # a slip that makes another word the gate reads ("car" -> "cat") would teach the fact under a
    # wrong word and tell the gate the fact is about a cat: a doubled last key instead, no new draw
    return slipped if concepts(slipped) <= concepts(text) else text + text[-1:]


def _fillers(p: Parsed) -> Iterable[str]:
    """Lead-in x closing-word combinations: the inexhaustible last resort (180+ distinct)."""
    base = _lower_first(p.question.rstrip("?"))
    for closer in [""] + _CLOSERS:
        for lead in _LEAD_INS:
            yield f"{lead.capitalize()}, {base}{', ' + closer if closer else ''}?"


# --- generation ----------------------------------------------------------------------


def _take(pools: dict[str, list[str]], n: int, seen: set[str], fact_id: str, rng: random.Random,
          first: Sequence[str] = ()) -> list[Phrasing]:
    """Round-robin across families, skipping normalised duplicates, until n are taken."""
    out: list[Phrasing] = []

    def add(text: str, family: str) -> None:
        text = " ".join(text.split())
        key = normalise_question(text)
        if key and key not in seen and len(out) < n:
            seen.add(key)
            out.append(Phrasing(fact_id, text, family))

    for text in first:
        add(text, "formal")
    queues = {f: list(c) for f, c in pools.items()}
    while len(out) < n and any(queues.values()):
        for family, queue in queues.items():
            if queue:
                add(queue.pop(0), family)
    return out


def training_phrasings(fact: Fact, n: int = DEFAULT_PHRASINGS, seed: int = 0, person: str | None = None) -> list[Phrasing]:
    """N distinct training phrasings of one fact; the first is always the user's own question."""
    if not 1 <= n <= MAX_PHRASINGS:
        raise ValueError(f"the number of phrasings must be between 1 and {MAX_PHRASINGS}, got {n}")
    rng = random.Random(f"{seed}:{fact.id}")
    p = parse(fact.question)
    # each family's templates also wrap the question in other key words ("my pup's name", "Where
    # was I raised?"), so the key words vary across the phrasings, not only the words around them
    reworded = [parse(v) for v in _rewordings(p.question, fact.answer)]
    pools: dict[str, list[str]] = {}
    for family in TRAIN_FAMILIES:
        if family == "typo":
            continue
        cands = family_candidates(p, family, person, fact.answer)
        if family != "indirect":
            cands += [c for r in reworded for c in family_candidates(r, family, person, fact.answer)]
        rng.shuffle(cands)
        pools[family] = cands
    sources = [c for cands in pools.values() for c in cands] or [p.question]
    pools["typo"] = [_typo(rng.choice(sources), rng) for _ in range(6)]
    seen: set[str] = set()
    out = _take(pools, n, seen, fact.id, rng, first=[p.question])
    if len(out) < n:  # templates exhausted: lead-ins and closers, then more typos
        out += _take({"casual": list(_fillers(p))}, n - len(out), seen, fact.id, rng)
    tries = 0
    while len(out) < n and tries < 50 * n:
        out += _take({"typo": [_typo(rng.choice(sources), rng)]}, n - len(out), seen, fact.id, rng)
        tries += 1
    if len(out) < n:  # unreachable for n <= MAX_PHRASINGS: fillers alone give more
        raise RuntimeError(f"could only make {len(out)} distinct phrasings for fact {fact.id!r}")
    return out


def heldout_phrasings(fact: Fact, train_texts: Iterable[str], n: int = 4, seed: int = 0,
                      person: str | None = None, all_train: set[str] = frozenset()) -> list[Phrasing]:
    """Up to n evaluation phrasings from families training never used.

    None equals any training phrasing (`all_train`: normalised texts of every fact) or nearly
    equals one of this fact's (`train_texts`)."""
    rng = random.Random(f"heldout:{seed}:{fact.id}")
    p = parse(fact.question)
    train_norm = [normalise_question(t) for t in train_texts]
    pools = {}
    for family in HELDOUT_FAMILIES:
        cands = [c for c in family_candidates(p, family, person, fact.answer) if not _near_any(c, train_norm)]
        rng.shuffle(cands)
        pools[family] = cands
    return _take(pools, n, set(train_norm) | set(all_train), fact.id, rng)


def _by_fact(phrasings: Iterable[Phrasing]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in phrasings:
        out.setdefault(p.fact_id, []).append(p.text)
    return out


@dataclass(frozen=True)
class Split:
    """Training and evaluation phrasings for a whole fact set."""

    train: tuple[Phrasing, ...]
    heldout: tuple[Phrasing, ...]


def make_split(facts: FactSet, n: int = DEFAULT_PHRASINGS, seed: int = 0, heldout_n: int = 4) -> Split:
    """Training phrasings (N per fact) and held-out ones, checked for leaks."""
    train = [ph for f in facts for ph in training_phrasings(f, n, seed, facts.person)]
    own = _by_fact(train)
    every = {normalise_question(p.text) for p in train}
    heldout = [ph for f in facts for ph in heldout_phrasings(f, own[f.id], heldout_n, seed, facts.person, every)]
    split = Split(tuple(train), tuple(heldout))
    check_leaks(split)
    return split


# --- leak check ----------------------------------------------------------------------


class LeakError(ValueError):
    """Evaluation phrasings that equal or nearly equal training phrasings."""


def _near_any(text: str, others_norm: Sequence[str]) -> bool:
    a = normalise_question(text)
    matcher = difflib.SequenceMatcher(None, b=a, autojunk=False)  # seq2 is the cached side
    for b in others_norm:
        if a == b:
            return True
        matcher.set_seq1(b)
        # cheap upper bounds first: lengths, then character counts
        if (matcher.real_quick_ratio() >= NEAR_DUPLICATE and matcher.quick_ratio() >= NEAR_DUPLICATE
                and matcher.ratio() >= NEAR_DUPLICATE):
            return True
    return False


def find_leaks(train: Sequence[str], evaluation: Sequence[str]) -> list[str]:
    """Evaluation texts that equal (after normalising) or nearly equal a training text."""
    train_norm = [normalise_question(t) for t in train]
    return [e for e in evaluation if _near_any(e, train_norm)]


def split_leaks(split: Split) -> list[str]:
    """Evaluation phrasings equal to any training phrasing, or nearly equal to one of the same fact's.

    Near-duplicates are looked for within a fact: a phrasing close to another fact's question
    gives away no answer, and the check stays linear in the number of facts."""
    every = {normalise_question(p.text) for p in split.train}
    own = {f: [normalise_question(t) for t in ts] for f, ts in _by_fact(split.train).items()}
    return [p.text for p in split.heldout
            if normalise_question(p.text) in every or _near_any(p.text, own.get(p.fact_id, []))]


def check_leaks(split: Split) -> int:
    """Raise LeakError on any overlap; return the number of evaluation phrasings checked."""
    leaks = split_leaks(split)
    if leaks:
        raise LeakError(f"{len(leaks)} evaluation phrasing(s) also appear in training: {leaks[:5]}")
    return len(split.heldout)


def without_leaks(train: Sequence[Phrasing], questions: Sequence[Phrasing]) -> tuple[tuple[Phrasing, ...], list[str]]:
    """A user's own evaluation questions minus those that (nearly) equal a training phrasing: those
    are not held out, so they are left out of the held-out figures; returns (kept, left out)."""
    leaked = set(split_leaks(Split(tuple(train), tuple(questions))))
    return tuple(q for q in questions if q.text not in leaked), [q.text for q in questions if q.text in leaked]


def answer_forms(fact: Fact) -> list[str]:
    """Ways to say the answer: bare, and in short sentences (so the model learns the fact)."""
    a = fact.answer
    p = parse(fact.question)
    forms = [a, f"It's {a}."]
    if p.topic:
        forms.append(f"{second_person(p.topic)[:1].upper()}{second_person(p.topic)[1:]} is {a}.")
    return forms


# --- files ---------------------------------------------------------------------------


def split_to_dict(split: Split) -> dict:
    as_rows = lambda ps: [{"fact_id": p.fact_id, "family": p.family, "text": p.text} for p in ps]  # noqa: E731
    return {"train": as_rows(split.train), "heldout": as_rows(split.heldout)}


def split_from_dict(data: dict, facts: FactSet, source: str = "phrasings") -> Split:
    """Read a (possibly hand-edited) phrasings file; every fact id must exist."""
    if not isinstance(data, dict) or not isinstance(data.get("train"), list):
        raise ValueError(f"{source}: expected 'train:' and 'heldout:' lists of {{fact_id, family, text}}")
    ids = {f.id for f in facts}
    parts = {}
    for key in ("train", "heldout"):
        rows = data.get(key) or []
        bad = [r for r in rows if not isinstance(r, dict) or r.get("fact_id") not in ids
               or not isinstance(r.get("text"), str) or not r["text"].strip()]
        if bad:
            raise ValueError(f"{source}: {len(bad)} {key} row(s) with an unknown fact_id or no text, e.g. {bad[0]!r}")
        parts[key] = tuple(Phrasing(r["fact_id"], str(r["text"]).strip(), r.get("family", "custom")) for r in rows)
    missing = ids - {p.fact_id for p in parts["train"]}
    if missing:
        raise ValueError(f"{source}: no training phrasing for facts {sorted(missing)}")
    return Split(parts["train"], parts["heldout"])


def load_questions(path, facts: FactSet) -> tuple[Phrasing, ...]:
    """Hand-written evaluation questions: a YAML mapping of fact id to a list of questions."""
    import yaml
    from pathlib import Path

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    ids = {f.id for f in facts}
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{path}: expected a mapping of fact id to a list of questions")
    unknown = set(data) - ids
    if unknown:
        raise ValueError(f"{path}: unknown fact ids {sorted(unknown)}")
    return tuple(Phrasing(fid, str(q), "handwritten") for fid, qs in data.items() for q in (qs or []))
