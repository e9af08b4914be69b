"""The `sohoa` command as users run it: extract's JSON contract, its exit codes, ingest + search end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from pipeline.textnorm import fold
from samples.generator import generate_document

SOHOA = [sys.executable, "-m", "pipeline.cli"]
CONTRACT_KEYS = {"file", "pages", "doc_type", "doc_type_confidence", "fields", "validation", "status", "text"}


def _run(args, env_extra=None, **kw):
    env = {**os.environ, "SOHOA_OCR_WORKERS": "1", **(env_extra or {})}
    return subprocess.run([*SOHOA, *args], capture_output=True, text=True, env=env, timeout=300, **kw)


def test_extract_json_follows_the_contract(tmp_path):
    doc = generate_document("cccd", 77, variant="clean", fmt="png")
    path = tmp_path / "the-card.png"
    path.write_bytes(doc.data)
    proc = _run(["extract", str(path), "--json"])
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == CONTRACT_KEYS
    assert out["file"] == "the-card.png" and out["pages"] == 1
    assert out["doc_type"] == "cccd"
    assert out["status"] in {"auto_approved", "needs_review", "rejected"}
    assert fold(doc.truth["fields"]["ho_ten"]) in fold(out["text"])
    for name, fv in out["fields"].items():
        assert set(fv) == {"value", "confidence", "page", "bbox"}, name
        if fv["value"] is not None:
            assert fv["page"] == 1 and len(fv["bbox"]) == 4
    assert out["fields"]["so_dinh_danh"]["value"] == doc.truth["fields"]["so_dinh_danh"]


def test_a_malformed_procedure_catalogue_stops_every_command_at_start_up(tmp_path):
    catalogue = tmp_path / "procedures.json"
    catalogue.write_text('{"procedures": [{"code": "1.001193"}]}')  # no name, sector, result, papers
    env = {"SOHOA_PROCEDURE_CATALOGUE": str(catalogue), "SOHOA_DATA_DIR": str(tmp_path / "data")}
    proc = _run(["search", "nguyen"], env_extra=env)
    assert proc.returncode == 3
    assert str(catalogue) in proc.stderr and "procedures[0]" in proc.stderr
    assert not (tmp_path / "data").exists()  # stopped before touching anything


def test_extract_unreadable_file_exits_2_with_one_line_reason(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_text("không phải PDF")
    proc = _run(["extract", str(path), "--json"])
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "unsupported_file_type" in proc.stderr


def test_ingest_then_search_without_diacritics(tmp_path):
    batch = tmp_path / "scans"
    batch.mkdir()
    doc = generate_document("khai_sinh", 4242, variant="clean", fmt="pdf")
    (batch / "giay-khai-sinh.pdf").write_bytes(doc.data)
    (batch / "empty.pdf").write_bytes(b"")
    env = {"SOHOA_DATA_DIR": str(tmp_path / "data"), "SOHOA_LANG": "en", "COLUMNS": "200"}
    proc = _run(["ingest", str(batch), "--station", "HN-CG-01", "--operator", "lan"], env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Quarantined" in proc.stdout and "empty.pdf" in proc.stdout
    name = doc.truth["fields"]["ho_ten"]
    found = _run(["search", fold(name)], env)
    assert found.returncode == 0, found.stderr
    assert ": 1 papers" in found.stdout and "khai_sinh" in found.stdout
    assert fold(name) in fold(found.stdout)
