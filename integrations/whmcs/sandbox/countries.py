"""ISO 3166-1 alpha-2 codes (WHMCS accepts only these), country names and a few calling codes."""

from __future__ import annotations

from functools import cache

import pycountry

_ALPHA_2 = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES: frozenset[str] = frozenset(_ALPHA_2.split())

# Enough for the seeded countries and the usual test inputs; others format without a prefix.
CALLING_CODES: dict[str, int] = {
    "AU": 61, "BR": 55, "CA": 1, "DE": 49, "ES": 34, "FR": 33, "GB": 44, "IE": 353, "IN": 91,
    "IT": 39, "JP": 81, "NL": 31, "NZ": 64, "PL": 48, "SE": 46, "US": 1, "ZA": 27,
}  # fmt: skip


def is_country_code(value: str) -> bool:
    """True for an upper-case ISO 3166-1 alpha-2 code (WHMCS does not upper-case input)."""
    return value in COUNTRY_CODES


@cache
def country_name(code: str) -> str:
    """GetClientsDetails' ``countryname``: "United Kingdom" for GB; "" for no country."""
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return ""
    return str(getattr(country, "common_name", None) or country.name)
