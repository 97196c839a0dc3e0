"""`triage demo seed`: realistic council comments, scored by the shipped model and decided under
each council's profile, so an officer can sign in and work through a queue."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from triage.config import get_settings
from triage.service import IncomingComment, Profiles, Triage, load_scorer
from triage.storage import repo
from triage.storage.accounts import create_user

app = typer.Typer(help="Demonstration data.", no_args_is_help=True)

# Written for the demo: what residents post under council updates on bins, roads, tax and planning.
COMMENTS = [
    ("bins", "When will the garden waste collections restart after the snow?"),
    ("bins", "Our black bin on Mill Road has been missed for the third week running, please send someone"),
    ("bins", "Absolutely useless. Three weeks without a collection and nobody answers the phone. Disgraceful"),
    ("bins", "Thank you to the crew on Station Road, always cheerful even in the rain"),
    ("bins", "The binmen are lazy idiots who can't do their one job"),
    ("bins", "What a load of shit this new bin schedule is"),
    ("bins", "Earn £300 a week from home!!! Message me now for details"),
    ("bins", "Earn £300 a week from home!!! Message me now for details"),
    ("roads", "There's a huge pothole outside the school on London Road, a cyclist nearly came off this morning"),
    ("roads", "A tree has come down across Church Lane and is blocking the whole road"),
    ("roads", "The council should be ashamed of the state of the roads. We pay enough council tax"),
    ("roads", "If they dig up the high street again I'll torch the contractor's van"),
    (
        "roads",
        "My neighbour Dave Smith at 14 Acacia Avenue parks on the pavement every night, his number is 07911 123456",
    ),
    ("tax", "Why has my council tax gone up by 5% when services keep getting cut?"),
    ("tax", "This is a Freedom of Information request: how much was spent on consultants for the town centre plan?"),
    ("tax", "I'd like to make a formal complaint about how my council tax reduction claim was handled"),
    ("tax", "Vote Reform in May and get rid of this useless Labour council"),
    ("tax", "The Lib Dems are the only ones who will sort out this mess, vote for them on Thursday"),
    (
        "planning",
        "I'm worried about the old lady at number 3, nobody has seen her for a week and her curtains are closed",
    ),
    ("planning", "I'm a reporter at the local paper, can the press office comment on the retail park decision?"),
    ("planning", "Immigrants are ruining this town, send them all back"),
    (
        "planning",
        "The planning committee has got this one badly wrong, the traffic on the ring road will be unbearable",
    ),
    ("planning", "Where can I see the plans for the new houses behind the leisure centre?"),
    ("planning", "Great to see the Pride flag on the town hall this weekend"),
    ("planning", "Check out my page for cheap driveway cleaning, best prices in Kent"),
]
HANDLES = [
    "j.morris",
    "kent_mum",
    "dave1979",
    "rosie.b",
    "bin_watch",
    "localguy",
    "sue_p",
    "taxpayer22",
    "happy_resident",
]


def _demo_comments(council: str, started: datetime, rng: random.Random) -> list[tuple[datetime, IncomingComment]]:
    stamp = int(datetime.now(UTC).timestamp())
    return [
        (
            started + timedelta(minutes=7 * index),
            IncomingComment(
                council=council,
                platform=rng.choice(["facebook", "x", "instagram"]),
                external_id=f"demo-{stamp}-{index}",
                author_handle=rng.choice(HANDLES),
                post_id=post,
                post_topic=f"Council update: {post}",
                text=text,
                created_at=None,
            ),
        )
        for index, (post, text) in enumerate(COMMENTS)
    ]


@app.command("seed")
def seed(
    councils: Annotated[list[str] | None, typer.Option("--council", help="councils to seed")] = None,
    model: Annotated[Path | None, typer.Option(help="bundle (default TRIAGE_MODEL_PATH)")] = None,
    password: Annotated[str, typer.Option(help="password for the demo officer and manager")] = "demo-password-1",
) -> None:
    """Post the demo comments through the service and create demo accounts (officer, manager)."""
    from triage_cli.service import now_utc, open_sessions

    settings = get_settings()
    chosen = councils or ["swale", "lewes"]
    sessions = open_sessions()
    with sessions() as session:
        for name, role in (("demo-officer", "officer"), ("demo-manager", "manager")):
            if repo.user_named(session, username=name) is None:
                create_user(session, username=name, password=password, role=role, councils=chosen, now=now_utc())
        session.commit()
    scorer = load_scorer(model or settings.model_path)
    rng, started = random.Random(7), datetime.now(UTC) - timedelta(hours=3)
    moment = [started]
    triage = Triage(scorer, Profiles(settings), sessions, clock=lambda: moment[0])
    with typer.progressbar(length=len(chosen) * len(COMMENTS), label="seeding") as bar:
        for council in chosen:
            for at, incoming in _demo_comments(council, started, rng):
                moment[0] = at  # one at a time, each at its own time of day, as residents post them
                triage.score_and_record([incoming])
                bar.update(1)
    typer.echo(
        f"seeded {len(COMMENTS)} comments for {', '.join(chosen)}; sign in as demo-officer or demo-manager with {password!r}"
    )
