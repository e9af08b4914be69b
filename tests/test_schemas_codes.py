"""Document numbers, dossier codes and result codes as Decree 30/2020 and Decree 45/2020 write them."""

from datetime import date

import pytest

from schemas.codes import is_register_number, parse_doc_number, parse_dossier_code, parse_result_code, result_code


def test_document_number_with_and_without_year():
    n = parse_doc_number("123/2024/QĐ-UBND")
    assert (n.number, n.year, n.kind, n.body) == ("123", 2024, "QĐ", "UBND")
    n = parse_doc_number("57/TTr-STNMT")
    assert (n.number, n.year, n.kind, n.body) == ("57", None, "TTr", "STNMT")
    assert parse_doc_number("/QĐ-UBND").number is None  # number left blank on the form


@pytest.mark.parametrize("bad", ["123", "123 /QĐ-UBND", "QĐ-UBND", "12/24/QĐ-UBND", "27!1/QĐ-UBND", ""])
def test_malformed_document_numbers_are_refused(bad):
    assert parse_doc_number(bad) is None


def test_register_numbers():
    assert is_register_number("39") and is_register_number("05/2016")
    assert not is_register_number("05/16") and not is_register_number("3A")


def test_dossier_code_parts_and_round_trip():
    code = parse_dossier_code("000.00.01.H29-260310-0420")
    assert code.agency == "000.00.01.H29" and code.received == date(2026, 3, 10) and code.serial == 420
    assert str(code) == "000.00.01.H29-260310-0420"


@pytest.mark.parametrize("bad", ["000.00.01.H29-260230-0420",  # 30 February
                                 "000.00.01.H29-260310-0000",  # serial starts at 1
                                 "000.00.01.29-260310-0420", "000.0.01.H29-260310-0420", "000.00.01.H29-2603100420"])
def test_malformed_dossier_codes_are_refused(bad):
    assert parse_dossier_code(bad) is None


def test_result_code_is_the_dossier_code_and_kq_n():
    for text in ("000.00.01.H29-260310-0420-KQ1", "000.00.01.H29-260310-0420-KQ(1)", "000.00.01.H29-260310-0420-KQ01"):
        parsed = parse_result_code(text)
        assert parsed.n == 1 and str(parsed.dossier) == "000.00.01.H29-260310-0420"
    assert result_code("000.00.01.H29-260310-0420", 2) == "000.00.01.H29-260310-0420-KQ2"
    assert parse_result_code("000.00.01.H29-260310-0420-KQ0") is None
    assert parse_result_code("000.00.01.H29-260310-0420") is None
    with pytest.raises(ValueError):
        result_code("not a dossier code")
