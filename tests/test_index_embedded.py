"""The embedded index's own guarantees, beyond the SearchIndex contract (``test_index_contract.py``): it lives in
a directory that ``open_index`` picks, survives reopening, commits a batch whole or not at all, and shares that
directory safely with other handles and processes (tantivy's one-writer lock)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.index import open_index
from pipeline.index.embedded import EmbeddedIndex
from tests.test_index_contract import RECORDS, ids

ROOT = Path(__file__).resolve().parents[1]


def test_open_index_builds_the_embedded_index_under_the_data_dir(tmp_path: Path) -> None:
    idx = open_index(Settings(data_dir=tmp_path, index="embedded"))
    assert isinstance(idx, EmbeddedIndex)
    assert idx.path == tmp_path / "index"


def test_reopened_index_keeps_its_records(tmp_path: Path) -> None:
    EmbeddedIndex(tmp_path).upsert(RECORDS)
    again = EmbeddedIndex(tmp_path)
    assert again.count() == len(RECORDS)
    assert ids(again, text="dang van duc") == ["decision"]


def test_failed_batch_leaves_the_index_unchanged(tmp_path: Path) -> None:
    idx = EmbeddedIndex(tmp_path)
    idx.upsert(RECORDS[:1])

    def broken() -> object:
        yield RECORDS[1]
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError):
        idx.upsert(broken())  # type: ignore[arg-type]
    assert idx.count() == 1
    idx.upsert(RECORDS[1:2])  # the writer lock was released
    assert idx.count() == 2


def test_another_process_can_write_while_we_hold_the_index_open(tmp_path: Path) -> None:
    idx = EmbeddedIndex(tmp_path)
    idx.upsert(RECORDS[:1])
    child = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from pipeline.index.embedded import EmbeddedIndex
        from tests.test_index_contract import RECORDS
        print(EmbeddedIndex(Path({str(tmp_path)!r})).upsert(RECORDS[1:]))
        """
    )
    done = subprocess.run([sys.executable, "-c", child], check=False, capture_output=True, text=True, timeout=60,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert idx.count() == len(RECORDS)  # our reader sees the other process's commit
    assert ids(idx, text="0101234567") == ["company"]
    idx.upsert([RECORDS[0]])  # and its writer lock is free again
    assert idx.count() == len(RECORDS)


def test_upsert_waits_while_another_process_holds_the_writer(tmp_path: Path) -> None:
    idx = EmbeddedIndex(tmp_path)
    child = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from pipeline.index.embedded import EmbeddedIndex
        writer = EmbeddedIndex(Path({str(tmp_path)!r}))._open_writer()
        print("locked", flush=True)
        time.sleep(1.0)
        writer.wait_merging_threads()
        """
    )
    with subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True, cwd=ROOT) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        assert idx.upsert(RECORDS[:1]) == 1  # retried until the other process let go
        assert time.monotonic() - started > 0.3
        assert idx.count() == 1
    assert holder.returncode == 0
