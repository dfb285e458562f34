"""Realistic synthetic personal fact sets of any size, so scale can be measured without anyone's data.

Facts are attribute questions about the person and the people and pets around them ("What is my
cousin's favorite color?"). Every question is distinct, so no two facts contradict; answers come
from realistic pools, drawn with a seed.
"""

from __future__ import annotations

import random

from .facts import Fact, FactSet

FIRST_NAMES = ("Ada Amir Bea Bram Cleo Dara Eli Esme Farah Femi Gus Hana Ines Ivo Jana Joon Kai Kira Lars Leila "
               "Luca Mira Nia Noor Omar Otto Pia Quinn Rafa Rosa Sami Sana Teo Tara Uma Vik Wren Yara Zane Zoe").split()
PET_NAMES = ("Biscuit Pepper Mochi Juniper Pickle Waffles Clementine Tofu Bramble Noodle Pistachio Ziggy Marble "
             "Olive Basil Nutmeg Pretzel Sprocket Truffle Dumpling").split()
CITIES = ("Lisbon Portland Savannah Tucson Leeds Porto Quebec Bergen Kyoto Oaxaca Dundee Ghent Tallinn Perth "
          "Boise Cork Malmo Hobart Salta Nantes").split()
COLORS = "teal crimson mustard lavender olive coral indigo ochre turquoise maroon".split()
FOODS = ("jollof rice", "ramen", "paella", "pierogi", "shakshuka", "pad thai", "lasagna", "pho", "tacos al pastor",
         "moussaka", "bibimbap", "risotto")
JOBS = ("nurse", "carpenter", "architect", "pharmacist", "data analyst", "firefighter", "librarian", "chef",
        "electrician", "translator", "veterinarian", "pilot")
CARS = ("Subaru Outback", "Honda Civic", "Volvo V60", "Mazda 3", "Kia Niro", "Toyota Prius", "Skoda Octavia",
        "Ford Fiesta")
SPORTS = ("ultimate frisbee", "badminton", "rowing", "climbing", "fencing", "handball", "curling", "squash")
INSTRUMENTS = ("cello", "banjo", "oboe", "ukulele", "trombone", "harp", "accordion", "viola")
COUNTRIES = ("Portugal", "Ghana", "Chile", "Vietnam", "Norway", "Morocco", "Peru", "Ireland", "Kenya", "Canada")
SEASONS = ("spring", "summer", "autumn", "winter")
MONTHS = "January February March April May June July August September October November December".split()

PEOPLE = ("sister", "brother", "mother", "father", "grandmother", "grandfather", "aunt", "uncle", "cousin",
          "niece", "nephew", "best friend", "neighbour", "boss", "partner", "roommate", "godmother", "mentor",
          "dentist", "landlord", "coworker", "childhood friend", "piano teacher", "doctor", "sister-in-law",
          "brother-in-law", "stepfather", "stepmother", "goddaughter", "godson")
PETS = ("dog", "cat", "parrot", "rabbit", "horse", "hamster", "tortoise", "goldfish", "ferret", "gecko")
# (question template about a possessor, answer pool)
ATTRIBUTES = (
    ("What is {who} name?", FIRST_NAMES),
    ("Which city does {whom} live in?", CITIES),
    ("What is {who} favorite color?", COLORS),
    ("What is {who} favorite food?", FOODS),
    ("What does {whom} do for a living?", JOBS),
    ("What car does {whom} drive?", CARS),
    ("What sport does {whom} play?", SPORTS),
    ("What instrument does {whom} play?", INSTRUMENTS),
    ("Which country is {whom} from?", COUNTRIES),
    ("What is {who} favorite season?", SEASONS),
    ("When is {who} birthday?", None),  # a date
)
THINGS = ("bicycle", "guitar", "sofa", "watch", "camera", "telescope", "kayak", "typewriter", "espresso machine")


def _date(rng: random.Random) -> str:
    return f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"


def _candidates() -> list[tuple[str, tuple[str, ...] | None]]:
    """Every distinct question this generator can ask, with its answer pool."""
    out: list[tuple[str, tuple[str, ...] | None]] = []
    for pet in PETS:
        out.append((f"What is my {pet}'s name?", tuple(PET_NAMES)))
    for thing in THINGS:
        out.append((f"Where did I buy my {thing}?", tuple(CITIES)))
    for template, pool in ATTRIBUTES:
        if "{who} name" not in template:
            out.append((template.format(who="my", whom="I").replace("does I ", "do I "), pool and tuple(pool)))
    named = [f"friend {n}" for n in FIRST_NAMES] + [f"colleague {n}" for n in FIRST_NAMES]
    for person in (*PEOPLE, *named):
        for template, pool in ATTRIBUTES:
            if person in named and "{who} name" in template:
                continue  # "my friend Bea's name" answers itself
            q = template.format(who=f"my {person}'s", whom=f"my {person}")
            out.append((q, pool and tuple(pool)))
    return out


MAX_FACTS = len(_candidates())


def synthetic_facts(n: int, seed: int = 0, name: str = "Alex") -> FactSet:
    """n distinct, non-contradicting facts about one invented person."""
    pool = _candidates()
    if not 1 <= n <= len(pool):
        raise ValueError(f"the synthetic generator makes 1 to {len(pool)} facts, not {n}")
    rng = random.Random(seed)
    chosen = rng.sample(pool, n)
    facts = []
    for i, (question, answers) in enumerate(chosen):
        answer = rng.choice(answers) if answers else _date(rng)
        facts.append(Fact(f"s{i:04d}", question, answer, category="synthetic"))
    return FactSet(tuple(facts), person=name, source=f"synthetic(n={n}, seed={seed})")
