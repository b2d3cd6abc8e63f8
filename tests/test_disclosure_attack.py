"""A funder attacks the disclosure control of random small networks (tests/attack.py) and must pin down nothing.

Bounded here so CI stays quick; `make attack` runs the same attack at full size (more networks, more quarters,
each initiative crossed with each institution).
"""

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import attack

FULL = os.environ.get("ANCHOR_ATTACK") == "full"
N_QUARTERS = 5 if FULL else 4
EXAMPLES = int(os.environ.get("ANCHOR_ATTACK_EXAMPLES", "20")) if FULL else 3
REPO = Path(__file__).resolve().parent.parent


@st.composite
def people(draw, n_quarters=N_QUARTERS, max_people=30 if FULL else 20):
    out = []
    for _ in range(draw(st.integers(1, max_people))):
        start = draw(st.integers(0, n_quarters - 1))
        later = st.one_of(st.none(), st.integers(start, n_quarters - 1))
        out.append(attack.Person(draw(st.sampled_from(attack.INITIATIVES)), draw(st.sampled_from(attack.INSTITUTIONS)),
                                 draw(st.sampled_from(list(attack.PLACES))), start, draw(later), draw(later)))
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return attack.tiny_template(tmp_path_factory.mktemp("attack"))


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=people())
def test_a_funder_asking_everything_pins_down_no_small_count(template, tmp_path_factory, world):
    path = attack.build(template, tmp_path_factory.mktemp("world") / "world.duckdb", world, N_QUARTERS)
    answers = attack.ask(path, N_QUARTERS, attack.filters(crossed=FULL))
    assert len(answers) > 100
    assert attack.pinned(world, answers, N_QUARTERS) == []


def test_the_attacker_pins_down_what_exact_figures_give_away(template, tmp_path):
    # The same attacker against figures shown exactly: two periods with the same start give the later quarter away.
    world = [attack.Person("h2h", "trust", "E01000001", q, None, None) for q in (0, 0, 0, 0, 0, 0, 1)]
    answers = [attack.Answer("participants", attack.INITIATIVES, attack.INSTITUTIONS, ("1",), quarters,
                             attack.exact(world, attack.Answer("participants", attack.INITIATIVES,
                                                               attack.INSTITUTIONS, ("1",), quarters, "")))
               for quarters in ((0,), (0, 1))]
    found = attack.pinned(world, answers, 2, half=0)
    assert any("quarters (1,): exactly 1" in line for line in found), found


@pytest.mark.skipif(FULL, reason="this is the full attack already")
def test_make_attack_runs_the_full_size_attack():
    # `make attack` as the README gives it, on one network so the suite stays quick.
    done = subprocess.run(["make", "attack", "ATTACK_EXAMPLES=1"], cwd=REPO, capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "2 passed, 1 skipped" in done.stdout
