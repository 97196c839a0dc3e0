"""Synthetic UK council-domain comments: requests and their intents, UK party politics, council
abuse, threats and spam, and hard negatives (civil criticism, rude-looking place names, idioms).

No public labelled data exists for these (shared/data/SOURCES.md, coverage table), so they are
generated from templates with slots, marked synthetic and reported apart from real data. The
behavioural model tests use sentences written separately, not these templates.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

PLACES = [
    "Sittingbourne",
    "Faversham",
    "Lewes",
    "Eastbourne",
    "Sutton-in-Ashfield",
    "Kirkby",
    "Hucknall",
    "Tonbridge",
    "Sheerness",
    "Newhaven",
    "Seaford",
    "Peacehaven",
    "Minster",
    "West Malling",
    "Snodland",
]
STREETS = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Mill Road",
    "London Road",
    "Victoria Avenue",
    "the ring road",
    "Park Lane",
    "Queen Street",
    "the market square",
]
SERVICES = [
    "bin collection",
    "recycling collection",
    "garden waste collection",
    "street cleaning",
    "library",
    "leisure centre",
    "car park",
    "housing repairs team",
    "planning department",
    "council tax office",
]
TOPICS = [
    "the new car park charges",
    "the planning application for the retail park",
    "the council tax rise",
    "the road closure",
    "the bin strike",
    "the local plan",
    "the new cycle lane",
    "the leisure centre closure",
]
PARTIES = [
    "Labour",
    "the Conservatives",
    "the Tories",
    "Reform",
    "Reform UK",
    "the Lib Dems",
    "the Liberal Democrats",
    "the Greens",
    "the Green Party",
    "the Independents",
]
NAMES = [
    "Councillor Smith",
    "Cllr Patel",
    "the leader of the council",
    "our MP",
    "Councillor Jones",
    "the planning officer",
    "the chief executive",
]

# (intent, needs_response, templates)
_REQUESTS: list[tuple[str, int, list[str]]] = [
    (
        "question",
        1,
        [
            "When is the {service} in {place} over Christmas?",
            "What time does the {service} open on Saturday?",
            "Where is my nearest polling station in {place}?",
            "How do I apply for a resident parking permit?",
            "Is the tip on {street} open on bank holidays?",
            "Does anyone know if {topic} has been approved?",
            "Can I put pizza boxes in the recycling bin?",
            "Why has my council tax bill gone up this year?",
            "How do I register to vote before the election?",
            "Will the {service} still run during the snow?",
        ],
    ),
    (
        "service_request",
        1,
        [
            "There's a massive pothole on {street} in {place}, please can someone fix it",
            "Our {service} has been missed again on {street}, can you send someone?",
            "Fly-tipping behind the shops on {street}, {place}. Please clear it",
            "Streetlight outside number 14 {street} has been out for two weeks",
            "Please can you empty the overflowing bins in the park in {place}",
            "Dead fox on the pavement on {street}, can someone remove it",
            "Graffiti on the bus shelter on {street} needs cleaning off",
            "Please can someone fix the broken swing at the playground in {place}",
        ],
    ),
    (
        "complaint",
        1,
        [
            "I want to make a formal complaint about the {service}, third time this month it's been missed",
            "Absolutely disgusted with the {service}. Nobody has come despite four phone calls",
            "Complaint: your contractor left rubbish all over {street} after collecting",
            "I've waited six weeks for a reply from the {service}. This is not acceptable",
            "Really poor service from the {service} today, staff were unhelpful and I want this looked at",
        ],
    ),
    (
        "foi_or_sar",
        1,
        [
            "This is a Freedom of Information request: how much did {topic} cost?",
            "Under the Freedom of Information Act please tell me how many fixed penalty notices were issued in {place}",
            "FOI request: please publish the consultants' report on {topic}",
            "I am making a subject access request for all the personal data the council holds about me",
            "Please treat this as a SAR, I want copies of every email about my housing case",
        ],
    ),
    (
        "safeguarding",
        1,
        [
            "I'm really worried about the elderly man next door on {street}, nobody has seen him for days",
            "There's a young kid who seems to be living on his own in the flats on {street}, he looks scared",
            "My neighbour's children are left alone every night and I can hear shouting, who do I tell?",
            "I think a vulnerable woman in {place} is being exploited by the people staying with her",
            "I don't want to be here anymore, I've had enough of everything",
        ],
    ),
    (
        "press",
        1,
        [
            "I'm a reporter with the {place} Gazette, can the press office comment on {topic}?",
            "Journalist here from the Kent Messenger, who do I speak to about {topic}?",
            "Media enquiry: BBC South East would like a statement on {topic}",
        ],
    ),
    (
        "emergency",
        1,
        [
            "A tree has come down across {street} in {place} and is blocking the whole road",
            "Water pouring out of the ground on {street}, the road is flooding fast",
            "Strong smell of gas outside the flats on {street}, please send someone now",
            "Cables hanging down from a pole on {street} after the storm, really dangerous",
            "The river has burst its banks in {place}, houses on {street} are flooding",
        ],
    ),
    (
        "compliment",
        0,
        [
            "Huge thanks to the {service} crew in {place}, always cheerful and so helpful",
            "Just want to say the {service} staff were brilliant today, well done",
            "The flowers in {place} look gorgeous this year, thank you to everyone involved",
            "Great to see the park in {place} looking so tidy, thank you",
        ],
    ),
    (
        "none",
        0,
        [
            "Lovely photo of {place} seafront",
            "Went to the market in {place} today, lovely atmosphere",
            "Remember when {street} had a cinema? Those were the days",
            "Nice one",
            "Shared with my neighbours",
            "The council has got this completely wrong on {topic} and should think again",
            "I think {topic} is a terrible decision and a waste of money",
            "Typical, another year another rise in council tax while services get worse",
            "This consultation is a sham, the decision on {topic} was made months ago",
            "I strongly disagree with {topic}, it will ruin {place}",
            "I'm off to Scunthorpe for the weekend",
            "Penistone market was busy this morning",
            "Cockermouth looks lovely in the sunshine",
            "Anyone from Middlesex on here?",
            "Drove through Shitterton in Dorset, funny name for a lovely village",
            "This queue at the tip is killing me",
            "I could murder a bacon sandwich after that walk",
            "The traffic on {street} is a nightmare, it's driving me mad",
            "Proud to see the rainbow flag on the town hall for Pride, as a gay man in {place} it means a lot",
            "As a queer woman I loved the Pride event in {place} this year",
            "My disabled son loved the new accessible swings in {place}",
        ],
    ),
]

_HARMFUL: list[tuple[dict[str, int], list[str]]] = [
    (
        {"political": 1},
        [
            "Vote {party} on Thursday, the only party that will sort out {place}!",
            "{party} have ruined this town. Vote them out in May",
            "Don't let {party} anywhere near the council, vote Reform",
            "Only {party} will fix the potholes, vote for our candidate in {place} ward",
            "Join {party} today and help us win {place} at the election",
            "{party} candidate for {place} East is the only one who listens. Put your cross next to her name",
        ],
    ),
    (
        {"abuse": 1},
        [
            "{name} is a useless idiot who should be sacked",
            "You lot at the council are a bunch of clueless morons",
            "{name} you are a pathetic liar and everyone knows it",
            "The planning officer is a spineless little weasel",
            "What a bunch of brain dead clowns running this council",
            "Shut up you stupid woman, nobody cares",
        ],
    ),
    (
        {"abuse": 1, "threat": 1},
        [
            "I know where {name} lives, he'd better watch his back",
            "Someone should burn the council offices down",
            "If my bin isn't collected I'll come down there and smash the place up",
            "{name} deserves a good kicking",
            "Keep this up and someone will put a brick through your window",
            "The bin men had better watch out next time they come down {street}",
            "I'm going to find out where {name} lives and make him pay",
            "People like {name} should be shot",
            "One more parking ticket and I swear I'll torch that warden's car",
            "I will hurt whoever approved {topic}",
            "Come to {place} again and you won't leave in one piece, {name}",
        ],
    ),
    (
        {"spam": 1},
        [
            "Earn £500 a day working from home, message me for details!!",
            "Cheap driveway cleaning in {place}, DM for a quote",
            "Check out my page for the best deals on hot tubs",
            "Congratulations! You've won a £1000 voucher, click the link in my bio",
            "Crypto investment opportunity, 300% returns guaranteed, WhatsApp me",
            "Follow my page for free giveaways, share to win!",
        ],
    ),
]


@dataclass(frozen=True)
class CouncilRow:
    text: str
    labels: dict[str, int]
    intent: str | None
    known: tuple[str, ...] = field(default=())


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        place=rng.choice(PLACES),
        street=rng.choice(STREETS),
        service=rng.choice(SERVICES),
        topic=rng.choice(TOPICS),
        party=rng.choice(PARTIES),
        name=rng.choice(NAMES),
    )


def generate(n: int, seed: int) -> Iterator[CouncilRow]:
    """`n` rows, each with the labels the template determines; other labels stay unknown."""
    rng = random.Random(seed)
    benign_known = ("abuse", "threat", "hate", "obscene", "spam", "political", "personal_info", "needs_response")
    for _ in range(n):
        if rng.random() < 0.7:
            intent, needs, templates = rng.choice(_REQUESTS)
            labels = dict.fromkeys(benign_known, 0) | {"needs_response": needs}
            yield CouncilRow(_fill(rng.choice(templates), rng), labels, intent, benign_known)
        else:
            positives, templates = rng.choice(_HARMFUL)
            known = ("spam", "political", "personal_info", *tuple(positives))
            labels = dict.fromkeys(known, 0) | positives
            intent = "none" if "spam" in positives or "political" in positives else None
            yield CouncilRow(_fill(rng.choice(templates), rng), labels, intent, tuple(dict.fromkeys(known)))
