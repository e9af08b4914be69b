"""Random but self-consistent people for synthetic papers: name, gender, birth date and province, ethnicity,
identity number that agrees with them, residence and place of origin.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from samples.identity import cccd_number
from samples.names import random_name
from samples.places import Place, Province, random_place, random_province, street_part

TODAY = dt.date(2026, 11, 26)  # the generator's fixed "today": papers are never dated after it

ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("Kinh", 86.0), ("Tày", 2.0), ("Thái", 2.0), ("Mường", 1.5), ("Khmer", 1.5), ("Hoa", 1.0),
    ("Nùng", 1.0), ("H'Mông", 1.0), ("Dao", 0.8), ("Gia Rai", 0.4), ("Ê Đê", 0.4), ("Chăm", 0.2),
)


@dataclass(frozen=True)
class Person:
    name: str  # title case
    gender: str  # Nam / Nữ
    birth: dt.date
    birth_province: Province
    ethnicity: str
    id_number: str  # 12-digit CCCD / personal identification number
    residence: Place
    residence_street: str
    origin: Place  # quê quán

    @property
    def honorific(self) -> str:
        return "ông" if self.gender == "Nam" else "bà"


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end < start:
        raise ValueError(f"empty date range {start} … {end}")
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def birthday_at(birth: dt.date, age: int) -> dt.date:
    """The date a person turns `age` (29 February births celebrate on 28 February)."""
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:
        return birth.replace(year=birth.year + age, day=28)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def random_person(
    rng: random.Random,
    *,
    born_from: dt.date,
    born_to: dt.date,
    gender: str | None = None,
    family: str | None = None,
    birth_province: Province | None = None,
) -> Person:
    gender = gender or rng.choice(("Nam", "Nữ"))
    birth = random_date(rng, born_from, born_to)
    province = birth_province or random_province(rng)
    names, weights = zip(*ETHNICITIES, strict=True)
    ethnicity = "Kinh" if rng.random() < 0.5 else rng.choices(names, weights=weights, k=1)[0]
    residence_province = province if rng.random() < 0.7 else random_province(rng)
    residence = random_place(rng, residence_province)
    origin = random_place(rng, province if rng.random() < 0.6 else random_province(rng))
    return Person(
        name=random_name(rng, gender, family),
        gender=gender,
        birth=birth,
        birth_province=province,
        ethnicity=ethnicity,
        id_number=cccd_number(province.code, birth, gender, rng),
        residence=residence,
        residence_street=street_part(rng, residence),
        origin=origin,
    )
