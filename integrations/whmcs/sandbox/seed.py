"""Deterministic demo data, the first thing a user of ``make run`` sees.

It is chosen to show WHMCS quirks: a legacy client with a zero ``datecreated``,
``bob@example.com`` next to ``bob@example.com.au`` (``search`` is a prefix match),
a company client with a second (invited) user, so user ids drift from client ids,
non-ASCII and apostrophes in names, every status, and a user who owns no client. Services,
invoices, orders, tickets and domains for them come from module_seed.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .module_seed import load_module_demo_data
from .records import ZERO_DATE

if TYPE_CHECKING:
    from .state import SandboxState

DEMO_PASSWORD = "Demo-Passw0rd!"  # every seeded user's password, for ValidateLogin-style tests

# (firstname, lastname, email, companyname, address1, city, state, postcode, country,
#  phonenumber, status, datecreated, groupid)
_CLIENTS: tuple[tuple[str, str, str, str, str, str, str, str, str, str, str, str, int], ...] = (
    ("Margaret", "Hale", "margaret.hale@example.co.uk", "", "12 Milton Road", "Manchester",
     "Greater Manchester", "M14 5TL", "GB", "0161 496 0000", "Active", ZERO_DATE, 0),
    ("Bob", "Smith", "bob@example.com", "", "1600 Elm Street", "Springfield",
     "Illinois", "62704", "US", "217-555-0134", "Active", "2019-03-14", 0),
    ("Priya", "Natarajan", "priya@acme-widgets.example", "Acme Widgets Ltd",
     "Unit 4, Riverside Park", "Leeds", "West Yorkshire", "LS1 4AP", "GB", "0113 496 0721",
     "Active", "2019-08-02", 1),
    ("Bob", "Jones", "bob@example.com.au", "", "88 George Street", "Sydney",
     "New South Wales", "2000", "AU", "02 5550 1234", "Active", "2020-01-21", 0),
    ("Jürgen", "Müller", "juergen.mueller@example.de", "", "Hauptstraße 5", "München",
     "Bayern", "80331", "DE", "089 123456", "Inactive", "2020-06-30", 0),
    ("Sophie", "Martin", "sophie.martin@example.fr", "", "7 rue de la Paix", "Paris",
     "Île-de-France", "75002", "FR", "01 23 45 67 89", "Closed", "2020-11-11", 0),
    ("Liam", "O'Brien", "liam.obrien@example.ie", "", "3 Harbour View", "Cork",
     "Cork", "T12 X70A", "IE", "021 555 0198", "Active", "2021-04-05", 0),
    ("Aiko", "Tanaka", "aiko.tanaka@example.jp", "", "1-2-3 Shibuya", "Tokyo",
     "Tokyo", "150-0002", "JP", "03-1234-5678", "Active", "2021-09-17", 0),
    ("Carlos", "Silva", "carlos.silva@example.com.br", "", "Rua Augusta 100", "São Paulo",
     "SP", "01304-000", "BR", "11 5555 0100", "Inactive", "2022-02-28", 0),
    ("Emma", "Wilson", "emma.wilson@example.co.nz", "", "45 Queen Street", "Auckland",
     "Auckland", "1010", "NZ", "09 555 0123", "Active", "2022-12-01", 1),
    ("Noah", "Brown", "noah.brown@example.ca", "", "200 Bay Street", "Toronto",
     "Ontario", "M5J 2J2", "CA", "416-555-0175", "Closed", "2023-05-09", 0),
    ("Zanele", "Dlamini", "zanele@example.co.za", "", "10 Long Street", "Cape Town",
     "Western Cape", "8001", "ZA", "021 555 0142", "Active", "2024-07-23", 0),
)  # fmt: skip

_COMPANY_CLIENT_INDEX = 2  # Acme Widgets: Tom Baker was invited to manage it


def load_demo_data(state: SandboxState) -> None:
    """Add the demo users and clients to an empty state."""
    for index, row in enumerate(_CLIENTS):
        (
            firstname,
            lastname,
            email,
            company,
            address1,
            city,
            region,
            postcode,
            country,
            phone,
            status,
            created,
            groupid,
        ) = row
        client = state.add_client(
            firstname=firstname,
            lastname=lastname,
            email=email,
            password=DEMO_PASSWORD,
            companyname=company,
            address1=address1,
            city=city,
            state=region,
            postcode=postcode,
            country=country,
            phonenumber=phone,
            status=status,
            datecreated=created,
            groupid=groupid,
        )
        if index == _COMPANY_CLIENT_INDEX:
            invited = state.add_user(
                firstname="Tom",
                lastname="Baker",
                email="tom@acme-widgets.example",
                password=DEMO_PASSWORD,
            )
            client.user_ids.append(invited.id)
    # A login that owns no client (8.x allows it): AddClient with this e-mail and no
    # owner_user_id fails with "A user already exists with that email address".
    state.add_user(
        firstname="Olivia", lastname="Grant", email="olivia@example.org", password=DEMO_PASSWORD
    )
    load_module_demo_data(state.modules)
