"""Stale links on their own: judged by e-mail, marked ERROR by one conditional UPDATE, audited."""

from __future__ import annotations

import datetime

import pytest

import models
from integrations.whmcs.records import WhmcsClientRecord
from integrations.whmcs.sync.audit import Audit
from integrations.whmcs.sync.errors import AlreadyLinked, StaleLink, SyncInProgress
from integrations.whmcs.sync.links import identity_problem, make_room, retire

NOW = datetime.datetime(2030, 5, 17, 12, 0, 0, tzinfo=datetime.UTC)
CLIENT = models.EntityType.CLIENT


def _row(email: str | None = "ana@example.org", whmcs_id: int = 13) -> models.SyncMap:
    snapshot = {"email": email} if email is not None else None
    return models.SyncMap(
        entity_type=CLIENT, local_id=1, whmcs_id=whmcs_id, status="SYNCED", snapshot=snapshot
    )


def _record(email: str, whmcs_id: int = 13) -> WhmcsClientRecord:
    return WhmcsClientRecord(whmcs_id, "A", "B", email, None, "Active", None)


@pytest.mark.parametrize(
    ("snapshot", "whmcs", "local"),
    [
        ("ana@example.org", "ana@example.org", "ana@example.org"),
        ("ana@example.org", " ANA@Example.org ", "other@example.org"),  # as WHMCS compares
        ("ana@example.org", "ana.new@example.org", "ana.new@example.org"),  # changed alike
        (None, "whoever@example.org", "ana@example.org"),  # nothing to judge by
    ],
)
def test_a_link_that_still_fits(snapshot: str | None, whmcs: str, local: str) -> None:
    assert identity_problem(_row(snapshot), _record(whmcs), local) is None


def test_a_link_to_another_e_mail_or_to_nothing_is_stale() -> None:
    other = identity_problem(_row(), _record("carla@example.org"), "ana@example.org")
    gone = identity_problem(_row(), None, None)

    assert other is not None
    assert "now has the e-mail carla@example.org, not ana@example.org" in other
    assert gone is not None
    assert "WHMCS client 13 no longer exists" in gone


def _audit() -> Audit:
    return Audit(operation=models.SyncOperation.PUSH, correlation_id="c0ffee")


@pytest.mark.usefixtures("db")
async def test_retire_marks_error_releases_and_audits() -> None:
    row = await models.SyncMap.create(
        entity_type=CLIENT, local_id=1, whmcs_id=13, status="PENDING", unconfirmed={"city": "X"}
    )

    stale = await retire(row, "gone", release=True, audit=_audit(), now=NOW)

    assert stale == StaleLink(1, 13, "gone", True)
    stored = await models.SyncMap.get(id=row.id)
    assert (stored.status, stored.whmcs_id, stored.last_error, stored.unconfirmed) == (
        models.SyncStatus.ERROR,
        None,
        "gone",
        None,
    )
    [log] = await models.SyncLog.all()
    assert (log.status, log.local_id, log.whmcs_id) == (models.LogStatus.ERROR, 1, 13)
    assert (
        log.error_message
        == "Link of local client 1 to WHMCS client 13 marked ERROR and released: gone"
    )


@pytest.mark.usefixtures("db")
@pytest.mark.parametrize(
    ("token", "expires", "holder", "refused"),
    [
        ("someone", NOW + datetime.timedelta(seconds=60), None, True),  # held by another
        ("someone", NOW - datetime.timedelta(seconds=1), None, False),  # a dead holder's lease
        ("mine", NOW + datetime.timedelta(seconds=60), "mine", False),  # the caller's own claim
        ("someone", NOW + datetime.timedelta(seconds=60), "mine", True),
    ],
)
async def test_retire_never_takes_a_link_another_operation_holds(
    token: str, expires: datetime.datetime, holder: str | None, refused: bool
) -> None:
    row = await models.SyncMap.create(
        entity_type=CLIENT,
        local_id=1,
        whmcs_id=13,
        status="SYNCED",
        lease_token=token,
        lease_expires_at=expires,
    )

    if refused:
        with pytest.raises(SyncInProgress):
            await retire(row, "stale", release=False, audit=_audit(), now=NOW, holder=holder)
    else:
        await retire(row, "stale", release=False, audit=_audit(), now=NOW, holder=holder)

    stored = await models.SyncMap.get(id=row.id)
    assert stored.status == (models.SyncStatus.SYNCED if refused else models.SyncStatus.ERROR)
    assert stored.whmcs_id == 13
    assert await models.SyncLog.all().count() == (0 if refused else 1)


@pytest.mark.usefixtures("db")
async def test_make_room_refuses_over_a_link_that_fits_and_names_both() -> None:
    ana = await models.Client.create(
        first_name="Ana", last_name="R", email="ana@example.org", email_key="ana@example.org"
    )
    await models.SyncMap.create(
        entity_type=CLIENT,
        local_id=ana.id,
        whmcs_id=13,
        status="SYNCED",
        snapshot={"email": "ana@example.org"},
    )

    with pytest.raises(AlreadyLinked) as caught:
        await make_room(13, ana.id + 1, _record("ana@example.org"), audit=_audit(), now=NOW)

    assert (caught.value.local_id, caught.value.whmcs_id) == (ana.id, 13)
    assert caught.value.requested_local_id == ana.id + 1
    assert await make_room(13, ana.id, _record("x@example.org"), audit=_audit(), now=NOW) is None
    assert await make_room(14, ana.id + 1, None, audit=_audit(), now=NOW) is None  # unlinked
