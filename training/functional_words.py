"""Word lists for the synthetic functional-coverage rows (training/synth_functional.py): the
protected groups, the targets and objects that are not, and the words hateful templates use.
Written for this project from the Equality Act 2010's protected characteristics; not taken from
HateCheck."""

from __future__ import annotations

# (plural, singular): groups sharing a protected characteristic (race, religion, sex, sexual
# orientation, gender reassignment, disability, age), chosen for UK council pages.
GROUPS: list[tuple[str, str]] = [
    ("women", "woman"),
    ("immigrants", "immigrant"),
    ("migrants", "migrant"),
    ("asylum seekers", "asylum seeker"),
    ("refugees", "refugee"),
    ("Muslims", "Muslim"),
    ("Jews", "Jew"),
    ("Sikhs", "Sikh"),
    ("Hindus", "Hindu"),
    ("Catholics", "Catholic"),
    ("gay people", "gay person"),
    ("lesbians", "lesbian"),
    ("bisexual people", "bisexual person"),
    ("trans people", "trans person"),
    ("black people", "black person"),
    ("Asians", "Asian"),
    ("Pakistanis", "Pakistani"),
    ("Eastern Europeans", "Eastern European"),
    ("Poles", "Pole"),
    ("Romanians", "Romanian"),
    ("Travellers", "Traveller"),
    ("Gypsies", "Gypsy"),
    ("disabled people", "disabled person"),
    ("people in wheelchairs", "wheelchair user"),
    ("autistic people", "autistic person"),
    ("pensioners", "pensioner"),
]
# Targets without a protected characteristic: abusing them is not hate (it may be abuse).
UNPROTECTED: list[str] = [
    "traffic wardens",
    "council officers",
    "cyclists",
    "landlords",
    "estate agents",
    "politicians",
    "bin men",
    "planners",
    "tourists",
    "dog walkers",
    "Londoners",
    "football fans",
    "van drivers",
]
OBJECTS: list[str] = [
    "potholes",
    "the new bins",
    "speed bumps",
    "roadworks",
    "parking meters",
    "the one-way system",
    "the new cycle lane",
    "Mondays",
    "wheelie bins",
    "traffic lights on the bypass",
]
BAD_NOUNS = [
    "vermin",
    "parasites",
    "scum",
    "rats",
    "animals",
    "subhuman",
    "a disease",
    "a plague",
    "filth",
    "thieves",
    "criminals",
    "scroungers",
    "liars",
    "freaks",
    "savages",
    "cockroaches",
    "a cancer",
]
BAD_ADJS = ["disgusting", "filthy", "dirty", "lazy", "stupid", "worthless", "dangerous", "evil", "pathetic", "useless"]
ACTIVITIES = [
    "vote",
    "live in {place}",
    "work with children",
    "get council houses",
    "use the leisure centre",
    "stand for the council",
    "run a business here",
    "have children",
    "be teachers",
]
NAMES = ["Councillor Reid", "Cllr Ahmed", "the council leader", "the head of planning", "Councillor Brown", "the mayor"]
