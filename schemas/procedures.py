"""The procedure catalogue: administrative procedure code → its name, sector, the document type of its result and
the papers it requires (DESIGN.md §2).

The data lives in ``schemas/data/procedures.json`` so officers can extend it without touching code; it is loaded
and checked once (:func:`load_catalogue`, to be called at process start-up so a broken file stops the service
with a clear :class:`CatalogueError` instead of failing on the first request): codes well-formed and unique,
result and paper types among the six the wallet holds. A code not in the catalogue is an :class:`~pipeline.errors.UnknownProcedure`, never a guess.
Entries whose code could not be checked against the national database say ``verified: false``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.errors import SohoaError, UnknownProcedure
from schemas.doc_types import DOC_TYPES

CATALOGUE_PATH = Path(__file__).parent / "data" / "procedures.json"
CODE_PATTERN = r"^\d\.\d{6}$"  # "1.001193": level digit, dot, six digits


class RequiredPaper(BaseModel):
    """A paper a procedure asks for. ``doc_type`` is set when the wallet can hold it (and so reuse it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    doc_type: str | None = None
    optional: bool = False

    @field_validator("doc_type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        if value is not None and value not in DOC_TYPES:
            raise ValueError(f"unknown document type {value!r}; the wallet holds {sorted(DOC_TYPES)}")
        return value

    @property
    def held_by_wallet(self) -> bool:
        return self.doc_type is not None


class Procedure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1)
    sector: str = Field(min_length=1)
    level: str | None = None  # xã / huyện / tỉnh / trung ương
    result_doc_type: str
    required_papers: tuple[RequiredPaper, ...] = ()
    verified: bool = False
    source: str = ""

    @field_validator("result_doc_type")
    @classmethod
    def _result_is_a_wallet_type(cls, value: str) -> str:
        if value not in DOC_TYPES:
            raise ValueError(f"result type {value!r} is not one of {sorted(DOC_TYPES)}")
        return value

    def papers_in_wallet(self) -> tuple[RequiredPaper, ...]:
        """The required papers the wallet can supply instead of the citizen."""
        return tuple(p for p in self.required_papers if p.held_by_wallet)


class ProcedureCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    about: str = ""
    procedures: tuple[Procedure, ...]

    @model_validator(mode="after")
    def _codes_unique(self) -> ProcedureCatalogue:
        seen: set[str] = set()
        for p in self.procedures:
            if p.code in seen:
                raise ValueError(f"procedure code {p.code} appears twice")
            seen.add(p.code)
        return self

    def get(self, code: str) -> Procedure:
        """The procedure with ``code``; :class:`UnknownProcedure` if the catalogue has none."""
        for p in self.procedures:
            if p.code == code.strip():
                return p
        raise UnknownProcedure(
            f"mã thủ tục {code!r} không có trong danh mục ({len(self.procedures)} thủ tục); "
            f"unknown procedure code {code!r}", reason="unknown_procedure")

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and any(p.code == code.strip() for p in self.procedures)

    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.procedures)

    def resulting_in(self, doc_type: str) -> tuple[Procedure, ...]:
        """Procedures whose result is a paper of ``doc_type``."""
        return tuple(p for p in self.procedures if p.result_doc_type == doc_type)

    def unverified(self) -> tuple[Procedure, ...]:
        return tuple(p for p in self.procedures if not p.verified)


def parse_catalogue(text: str) -> ProcedureCatalogue:
    """A catalogue from its JSON text; raises :class:`pydantic.ValidationError` naming what is wrong."""
    return ProcedureCatalogue.model_validate(json.loads(text))


class CatalogueError(SohoaError):
    """The procedure catalogue file is missing or malformed: the service must not start with it."""

    exit_code = 3

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listed = "; ".join(problems)
        super().__init__(f"danh mục thủ tục {path} không hợp lệ / procedure catalogue {path} is malformed: {listed}")


def _problems(exc: ValidationError) -> list[str]:
    """One line per error, with where it is: ``procedures[2].code: String should match pattern …``."""
    out = []
    for e in exc.errors():
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in e["loc"]).lstrip(".")
        out.append(f"{where or 'file'}: {e['msg']}")
    return out


@cache
def load_catalogue(path: Path | None = None) -> ProcedureCatalogue:
    """The catalogue at ``path`` (default: the one shipped in ``schemas/data``), loaded and checked once.

    Raises :class:`CatalogueError` naming the file and every problem (unreadable, not JSON, a field wrong)."""
    path = path or CATALOGUE_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(path, [f"cannot read: {exc}"]) from exc
    try:
        return parse_catalogue(text)
    except json.JSONDecodeError as exc:
        raise CatalogueError(path, [f"not JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from exc
    except ValidationError as exc:
        raise CatalogueError(path, _problems(exc)) from exc


def get_procedure(code: str) -> Procedure:
    """Shortcut for ``load_catalogue().get(code)``."""
    return load_catalogue().get(code)
