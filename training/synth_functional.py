"""Synthetic functional coverage: hate against groups protected by the Equality Act 2010 in the
forms it takes on council pages, with the contrasts a model must not flag, and council hard
negatives (the council's own contact numbers, idioms of violence, civil criticism).

Why: the public hate sets are tweets about immigrants and women (TweetEval) or a lexicon sample
(Davidson); they teach slur-spotting, not "Travellers are all thieves, keep them out of the
village" under a planning post, and they have almost no negations ("I don't hate ...") or
counter-speech ("saying ... is disgusting"). The templates and word lists here were written for
this project from the Equality Act's protected characteristics and UK council topics (Traveller
sites, asylum hotels, housing lists). They are NOT taken from HateCheck, which stays evaluation
only; but they cover similar functions (negation, counter-speech, misspelling), so the HateCheck
figure after adding them is partly in-distribution and is reported with that caveat
(docs/EVALUATION.md).

Each template family fixes the labels it is sure of; the rest stay unknown.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from training.functional_words import ACTIVITIES, BAD_ADJS, BAD_NOUNS, GROUPS, NAMES, OBJECTS, UNPROTECTED
from training.synth_council import PLACES, SERVICES, TOPICS

# Hateful: hate 1 (and threat 1 for the threat families).
_HATE = [
    "{G} are {bad}",
    "All {G} are {bad}",
    "{G} are {adj}",
    "{G} are nothing but {bad}",
    "Every single one of them is {bad}, the {G} I mean",
    "I hate {G}",
    "I can't stand {G}",
    "I despise {G}",
    "{G} make me sick",
    "{G} disgust me",
    "Nothing is more {adj} than {G}",
    "{G} should not be allowed to {activity}",
    "{G} don't belong in {place}",
    "Keep {G} out of {place}",
    "We don't want any {G} in {place}",
    "Send the {G} back where they came from",
    "Never trust a {S}",
    "You can't trust a {S} as far as you can throw one",
    "Typical {S}, {adj} like the rest of them",
    "{place} was lovely before the {G} turned up",
    "Crime in {place} went through the roof once the {G} moved in, funny that",
    "Lock up your bikes, the {G} have moved in by the park",
    "Another {S} getting a council house before us, what a surprise",
    "No to the Traveller site, they are all thieves",
    "Stop putting {G} in hotels in {place}, they are {bad}",
    "Don't give council houses to {G}, they're {bad}",
    "I think {G} are {bad}",
    "In my opinion {G} are {adj}",
    "Honestly, {G} are {bad} and everyone knows it",
    "Why are {G} always so {adj}?",
    "Isn't it obvious that {G} are {bad}?",
    "Why do we let {G} {activity}?",
    "{G} are {bad}. They should all be locked up",
    "Those {G}? {adj} and {bad}, the lot of them",
    "{G} are fucking {bad}",
    "Fuck all {G}",
    "{G} are {adj} shit",
]
_HATE_THREAT = [
    "All {G} should be shot",
    "{G} deserve to die",
    "I'm going to hurt the next {S} I see in {place}",
    "Someone should burn the {G} out of {place}",
    "We should get rid of {G} for good, by any means",
    "Any {S} who comes near my street will get a beating",
    "I'll make sure every {S} in {place} gets what's coming",
    "{G} should be hanged",
    "If I see a {S} at the {service} I'll kill them",
    "Round up the {G} and get rid of them",
]
# Not hateful: hate 0. Negation, counter-speech, positive and neutral mentions.
_NOT_HATE_CLEAN = [
    "I don't hate {G}",
    "{G} are not {bad}",
    "{G} are not {adj} at all",
    "It's wrong to say {G} are {bad}",
    "Nobody should ever call {G} {bad}",
    "No, {G} are not {adj}, stop spreading this rubbish",
    "I have never thought {G} are {adj}",
    "Saying {G} are {bad} is just bigotry",
    "Whoever posted that {G} are {bad} should be ashamed of themselves",
    'Calling {G} "{bad}" is disgusting and has no place on this page',
    "Please report the comment saying {G} are {adj}",
    '"{G} are {bad}"? What a vile thing to write',
    "If you think {G} are {bad}, you're the problem",
    "I love {G}",
    "{G} are welcome in {place}",
    "Proud that {place} welcomes {G}",
    "{G} make {place} a better place to live",
    "Great to see so many {G} at the community fair in {place}",
    "My neighbours are {G} and they are lovely",
    "Lots of {G} live in {place}",
    "As a {S} I found the consultation easy to follow",
    "Is there a support group for {G} in {place}?",
    "The council is holding a drop-in for {G} at the library",
    "{G} have as much right to {activity} as anyone",
    "Being one of the {G} in {place} is fine, people are friendly",
]
# Not hateful but abusive: insults aimed at groups with no protected characteristic.
_ABUSE_NOT_HATE = [
    "{U} are {bad}",
    "All {U} are {adj}",
    "I can't stand {U}",
    "{U} are {adj} and should get proper jobs",
    "Honestly {U} are the worst, {adj} the lot of them",
]
# Not hateful, not abusive: strong words about things.
_OBJECT_NOT_HATE = [
    "I hate {O}",
    "I can't stand {O}",
    "{O} are the worst thing about {place}",
    "I despise {O}, they make my commute a nightmare",
    "{O} are a plague on this town",
    "Honestly {O} make me sick",
]
# Threats to officers and councillors (threat 1, abuse 1), beyond synth_council's set.
_THREAT_PERSON = [
    "Watch yourself, {name}, we know which car is yours",
    "{name} will get a visit from me and my mates",
    "I'll be waiting outside the town hall for {name} after the meeting",
    "Approve {topic} and see what happens to you, {name}",
    "Your office windows won't last the night",
    "Next time the warden tickets my car he's going in the river",
    "Somebody needs to teach {name} a lesson he won't forget",
    "I'll make your life hell, I know your address",
    "Touch my garden and I'll break your legs",
    "Whoever signed off {topic} better not show their face in {place}",
]
# Violent idioms and worries that are not threats (threat 0, abuse 0).
_IDIOM = [
    "These roadworks will be the death of me",
    "My feet are killing me after the fun run in {place}",
    "The council tax bill nearly gave me a heart attack",
    "I'm dying to know when the pool reopens",
    "I'd kill for a reliable {service}",
    "That pothole on the bypass is going to kill someone one day, please fix it",
    "The heat in the library today was murder",
    "The kids absolutely smashed it at the {place} gala",
    "The band blew the roof off at the {place} festival",
    "I nearly died laughing at the panto in {place}",
    "We got slaughtered in the quiz at the community centre",
    "Whoever designed {topic} wants shooting, honestly",
]
# Published council contacts: not personal information, not spam, not a threat.
_CONTACT = [
    "You can report it to the council on {phone}",
    "Ring the {service} on {phone}, they're open 9 to 5",
    "The council's contact centre number is {phone}",
    "Council tax queries: {phone} or {email}",
    "Email {email} about the {service}",
    "For help with {service} phone {phone}",
    "Missed bins can be reported on {phone} or online",
    "The out of hours emergency line is {phone}",
    "Call {phone} to book a bulky waste collection",
    "For housing advice contact {email} or call {phone}",
]
_CIVIL = [
    "The cabinet's decision on {topic} is short-sighted and residents deserve better",
    "Councillors have let {place} down over {topic}",
    "I'm furious about {topic}, it is a waste of our money",
    "The {service} has gone downhill and nobody seems to care",
    "Whoever approved {topic} should explain themselves at the next full council meeting",
    "This is the third year running the {service} has failed {place}, it's not good enough",
    "Shameful handling of {topic}, the council should apologise",
    "The consultation on {topic} ignored everything residents said",
    "Very disappointed with the {service}, it used to be so much better",
    "Why does {place} always get forgotten when money is handed out?",
]

_ALL_ZERO = ("abuse", "threat", "hate", "obscene", "spam", "political", "personal_info")


@dataclass(frozen=True)
class FunctionalRow:
    text: str
    labels: dict[str, int]
    family: str


def _perturb(word: str, rng: random.Random) -> str:
    """A misspelling people use to get past filters: swap, drop or space out letters, or leet."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.choice(("swap", "drop", "space", "leet"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "space":
        return " ".join(word) if rng.random() < 0.5 else word[:i] + " " + word[i:]
    return word.translate(str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"}))


def _phone(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return f"0300 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    if kind < 0.55:
        return f"0800 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    area = rng.choice(["01795", "01273", "01323", "01623", "01732", "01622", "01227"])
    return f"{area} {rng.randint(100, 999)} {rng.randint(100, 999)}"


def _fill(template: str, rng: random.Random, perturb: bool) -> str:
    group, single = rng.choice(GROUPS)
    bad, adj = rng.choice(BAD_NOUNS), rng.choice(BAD_ADJS)
    if perturb:
        # One misspelt word, on hateful and harmless rows alike, so spelling is not a cue.
        which = rng.choice(("bad", "adj", "group"))
        bad = _perturb(bad, rng) if which == "bad" else bad
        adj = _perturb(adj, rng) if which == "adj" else adj
        group = _perturb(group, rng) if which == "group" else group
    place = rng.choice(PLACES)
    council = place.lower().replace(" ", "").replace("-", "")
    return template.format(
        G=group,
        S=single,
        bad=bad,
        adj=adj,
        activity=rng.choice(ACTIVITIES).format(place=place),
        place=place,
        U=rng.choice(UNPROTECTED),
        O=rng.choice(OBJECTS),
        name=rng.choice(NAMES),
        topic=rng.choice(TOPICS),
        service=rng.choice(SERVICES),
        phone=_phone(rng),
        email=f"{rng.choice(['contact', 'help', 'info'])}@{council}.gov.uk",
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# (family, share of rows, labels, templates, may be misspelt)
_FAMILIES: list[tuple[str, float, dict[str, int], list[str], bool]] = [
    ("hate", 0.26, {"hate": 1, "spam": 0, "personal_info": 0, "needs_response": 0}, _HATE, True),
    ("hate_threat", 0.08, {"hate": 1, "threat": 1, "spam": 0, "personal_info": 0}, _HATE_THREAT, True),
    ("not_hate", 0.24, dict.fromkeys(("hate", "threat", "obscene", "spam", "personal_info"), 0), _NOT_HATE_CLEAN, True),
    (
        "abuse_not_hate",
        0.06,
        {"hate": 0, "threat": 0, "abuse": 1, "spam": 0, "personal_info": 0},
        _ABUSE_NOT_HATE,
        False,
    ),
    ("object_not_hate", 0.05, dict.fromkeys(_ALL_ZERO, 0), _OBJECT_NOT_HATE, False),
    ("threat_person", 0.08, {"threat": 1, "abuse": 1, "hate": 0, "spam": 0, "personal_info": 0}, _THREAT_PERSON, False),
    ("idiom", 0.07, dict.fromkeys(_ALL_ZERO, 0), _IDIOM, False),
    ("council_contact", 0.08, dict.fromkeys(_ALL_ZERO, 0) | {"needs_response": 0}, _CONTACT, False),
    ("civil_criticism", 0.08, dict.fromkeys(_ALL_ZERO, 0), _CIVIL, False),
]


def generate(n: int, seed: int, misspell_rate: float = 0.2) -> Iterator[FunctionalRow]:
    """`n` rows drawn across the families by their shares; labels a family is not sure of stay unknown."""
    rng = random.Random(seed)
    weights = [share for _, share, _, _, _ in _FAMILIES]
    for _ in range(n):
        family, _, labels, templates, can_misspell = rng.choices(_FAMILIES, weights)[0]
        text = _fill(rng.choice(templates), rng, can_misspell and rng.random() < misspell_rate)
        yield FunctionalRow(_capitalised(text), dict(labels), family)
