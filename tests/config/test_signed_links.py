"""Every signed link goes through config/signed_links.py: one salt per purpose, and a token made
for one purpose opens nothing else."""

import itertools
import re
import time

import pytest

from config import signed_links
from tests.config.test_code_shape import ROOT, project_modules


def test_every_purpose_has_its_own_salt():
    salts = [purpose.salt for purpose in signed_links.PURPOSES.values()]
    assert len(salts) == len(set(salts))


@pytest.mark.parametrize(("made_for", "read_as"), list(itertools.permutations(signed_links.PURPOSES, 2)))
def test_a_token_opens_only_its_own_purpose(made_for, read_as):
    token = signed_links.sign(made_for, {"i": 7})
    assert signed_links.unsign(made_for, token) == {"i": 7}
    assert signed_links.unsign(read_as, token) is None


def test_an_altered_token_is_refused():
    token = signed_links.sign("member.manage", {"m": 1})
    altered = token[:1] + ("A" if token[1] != "A" else "B") + token[2:]  # the payload, not its signature
    assert signed_links.unsign("member.manage", altered) is None


def test_no_module_signs_or_reads_a_token_by_itself():
    home = ROOT / "config" / "signed_links.py"
    by_hand = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in project_modules()
        if path != home
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\bsigning\.(dumps|loads)\(|\bTimestampSigner\(", line)
    ]
    assert by_hand == []


def test_the_bulk_signer_makes_the_very_tokens_sign_makes_in_the_same_second(monkeypatch):
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)  # both read the same second
    signer = signed_links.BulkSigner("newsletter.subscriber")
    for person_id in (1, 42, 10**12):
        token = signer.sign_number("p", person_id)
        assert token == signed_links.sign("newsletter.subscriber", {"p": person_id})
        assert signed_links.unsign("newsletter.subscriber", token) == {"p": person_id}
        assert signed_links.unsign("member.manage", token) is None  # another purpose's salt refuses it
