"""The procedure catalogue: loaded and checked once; an unknown code is a clear error, never a guess."""

import json

import pytest
from pydantic import ValidationError

from pipeline.errors import BadInput, UnknownProcedure
from schemas.doc_types import DOC_TYPES
from schemas.procedures import CATALOGUE_PATH, CatalogueError, get_procedure, load_catalogue, parse_catalogue


def test_every_document_type_is_the_result_of_some_procedure():
    catalogue = load_catalogue()
    assert {p.result_doc_type for p in catalogue.procedures} == set(DOC_TYPES)


def test_birth_registration_needs_a_paper_the_wallet_holds_and_some_it_does_not():
    procedure = get_procedure("1.001193")
    assert procedure.result_doc_type == "khai_sinh"
    assert [p.doc_type for p in procedure.papers_in_wallet()] == ["cccd"]
    assert any(not p.held_by_wallet for p in procedure.required_papers)


def test_unknown_code_is_an_unknown_procedure_error():
    with pytest.raises(UnknownProcedure) as err:
        get_procedure("9.999999")
    assert isinstance(err.value, BadInput) and err.value.reason == "unknown_procedure"
    assert "9.999999" in str(err.value)
    assert "9.999999" not in load_catalogue()


def test_codes_that_could_not_be_checked_say_so():
    catalogue = load_catalogue()
    assert catalogue.unverified()  # none could be checked against the national database offline
    assert all(p.source for p in catalogue.unverified())


def _shipped() -> dict:
    return json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize("breakage", [
    lambda d: d["procedures"][0].update(result_doc_type="ho_chieu"),
    lambda d: d["procedures"][0]["required_papers"].append({"name": "Sổ hộ khẩu", "doc_type": "so_ho_khau"}),
    lambda d: d["procedures"][1].update(code=d["procedures"][0]["code"]),
    lambda d: d["procedures"][0].update(code="1001193"),
    lambda d: d["procedures"][0].update(nam="typo"),
])
def test_a_broken_catalogue_is_refused_at_load(breakage):
    data = _shipped()
    breakage(data)
    with pytest.raises(ValidationError):
        parse_catalogue(json.dumps(data))


def test_loading_a_malformed_file_names_the_file_and_the_wrong_entry(tmp_path):
    data = _shipped()
    data["procedures"][2]["code"] = "12-34"
    path = tmp_path / "procedures.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(path)
    assert str(path) in str(err.value)
    assert any(p.startswith("procedures[2].code:") for p in err.value.problems)


def test_loading_a_file_that_is_not_json_says_where_it_breaks(tmp_path):
    path = tmp_path / "procedures.json"
    path.write_text('{"procedures": [\n  {"code": "1.001193",\n}', encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(path)
    assert "line 3" in err.value.problems[0]


def test_loading_a_missing_file_is_a_catalogue_error(tmp_path):
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "absent.json")
