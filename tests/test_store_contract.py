"""The ObjectStore contract: every adapter passes the same tests (local directory; MinIO SDK on real SeaweedFS).

Adapter-specific behaviour is tested here too, each named for what it guarantees: presigned URLs (S3 only),
errors when the server is down (S3), and the local store's atomic no-clobber writes and on-disk layout.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
import unicodedata
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.storage import ObjectExists, ObjectNotFound, ObjectStore, StorageError, open_store
from pipeline.storage.local import LocalDirStore
from pipeline.storage.minio_store import MinioStore
from tests.servers import SeaweedFS, free_ports

VIETNAMESE = {
    "ho_ten": "Nguyễn Thị Hằng",
    "noi_sinh": "Xã Đông Hưng, huyện Đông Hưng, tỉnh Thái Bình",
    "Loai-Giay": "GIẤY KHAI SINH",
}


def _is_md5_or_multipart(etag: str, data: bytes) -> bool:
    return etag == hashlib.md5(data).hexdigest() or re.fullmatch(r"[0-9a-f]{32}-\d+", etag) is not None


# -- put / get / stat ---------------------------------------------------------------------------------------------


def test_adapters_satisfy_the_protocol(store: ObjectStore) -> None:
    assert isinstance(store, ObjectStore)


def test_put_then_get_returns_the_same_bytes(store: ObjectStore) -> None:
    data = b"%PDF-1.4\n\x00\xff binary \r\n"
    store.put("incoming/2025/giay-khai-sinh.pdf", data)
    assert store.get("incoming/2025/giay-khai-sinh.pdf") == data


def test_empty_object_round_trips(store: ObjectStore) -> None:
    info = store.put("empty", b"")
    assert store.get("empty") == b""
    assert store.stat("empty").size == 0
    assert info.etag == hashlib.md5(b"").hexdigest()


def test_vietnamese_metadata_round_trips_nfc_with_lower_case_names(store: ObjectStore) -> None:
    store.put("records/1.json", b"{}", content_type="application/json", metadata=VIETNAMESE)
    info = store.stat("records/1.json")
    assert info.metadata == {name.lower(): value for name, value in VIETNAMESE.items()}
    assert all(unicodedata.is_normalized("NFC", value) for value in info.metadata.values())
    assert info.content_type == "application/json"


def test_metadata_values_come_back_exactly(store: ObjectStore) -> None:
    tricky = {
        "nfd": unicodedata.normalize("NFD", "Hằng"),  # stores do not normalise: NFD stays NFD
        "percent": "100%25 đúng %",
        "spaces": "  hai  khoảng trắng  ",
        "symbols": "a=b&c;d/e?f#g:h,i\"j'k<l>",
        "newline": "dòng 1\ndòng 2",
    }
    store.put("k", b"x", metadata=tricky)
    assert store.stat("k").metadata == tricky


def test_metadata_near_the_size_limit_round_trips(store: ObjectStore) -> None:
    value = "Đ" * 1000  # 2,000 UTF-8 bytes, ≈6,000 once percent-encoded into an S3 header
    store.put("k", b"x", metadata={"v": value})
    assert store.stat("k").metadata == {"v": value}


def test_put_returns_what_stat_reports(store: ObjectStore) -> None:
    put = store.put("a/x.txt", "Quyết định".encode(), content_type="text/plain; charset=utf-8", metadata=VIETNAMESE)
    stat = store.stat("a/x.txt")
    assert (put.key, put.size, put.etag, put.metadata, put.content_type) == (
        stat.key,
        stat.size,
        stat.etag,
        stat.metadata,
        stat.content_type,
    )
    assert stat.last_modified is not None and stat.last_modified.tzinfo is not None


def test_default_content_type_and_empty_metadata(store: ObjectStore) -> None:
    store.put("k", b"x")
    info = store.stat("k")
    assert info.content_type == "application/octet-stream"
    assert info.metadata == {}


def test_etag_is_the_md5_hex_of_the_bytes(store: ObjectStore) -> None:
    data = "Giấy chứng nhận quyền sử dụng đất".encode()
    info = store.put("gcn.pdf", data)
    assert info.etag == store.stat("gcn.pdf").etag == hashlib.md5(data).hexdigest()


def test_large_object_round_trips(store: ObjectStore) -> None:
    data = os.urandom(12 * 1024 * 1024)  # over the SDK's 5 MiB part size: a multipart upload on S3
    info = store.put("scans/big.pdf", data)
    assert store.get("scans/big.pdf") == data
    stat = store.stat("scans/big.pdf")
    assert stat.size == len(data)
    assert stat.etag == info.etag
    assert _is_md5_or_multipart(stat.etag, data)


# -- overwrite ----------------------------------------------------------------------------------------------------


def test_put_overwrites_by_default(store: ObjectStore) -> None:
    store.put("k", b"old", metadata={"v": "1"})
    store.put("k", b"new", metadata={"v": "2"})
    assert store.get("k") == b"new"
    assert store.stat("k").metadata == {"v": "2"}
    assert store.stat("k").etag == hashlib.md5(b"new").hexdigest()


def test_overwrite_false_refuses_an_existing_key_and_keeps_it(store: ObjectStore) -> None:
    store.put("originals/abc.pdf", b"first", metadata={"v": "1"}, overwrite=False)
    with pytest.raises(ObjectExists):
        store.put("originals/abc.pdf", b"second", metadata={"v": "2"}, overwrite=False)
    assert store.get("originals/abc.pdf") == b"first"
    assert store.stat("originals/abc.pdf").metadata == {"v": "1"}


# -- missing keys -------------------------------------------------------------------------------------------------


def test_missing_key_raises_object_not_found(store: ObjectStore) -> None:
    store.put("a/b", b"x")
    for key in ("nope", "a/nope", "a", "a/b/c"):
        with pytest.raises(ObjectNotFound):
            store.get(key)
        with pytest.raises(ObjectNotFound):
            store.stat(key)


def test_object_not_found_is_a_key_error(store: ObjectStore) -> None:
    with pytest.raises(KeyError):
        store.get("nope")


def test_exists(store: ObjectStore) -> None:
    assert not store.exists("a/b")
    store.put("a/b", b"x")
    assert store.exists("a/b")
    assert not store.exists("a")  # a "folder" is not an object
    assert not store.exists("a/b/c")


# -- list ---------------------------------------------------------------------------------------------------------

LIST_KEYS = ["a/b/x", "a/b/y/z", "a/b-c", "a/bc", "a/B", "a/đ", "a/e", "ab", "z"]


@pytest.fixture
def listed(store: ObjectStore) -> ObjectStore:
    for key in reversed(LIST_KEYS):
        store.put(key, key.encode(), metadata={"k": key})
    return store


def test_list_everything_is_recursive_and_in_key_order(listed: ObjectStore) -> None:
    assert [info.key for info in listed.list()] == sorted(LIST_KEYS)
    # sorted() on str is code point order = UTF-8 byte order, as S3 lists: "a/b-c" < "a/b/x" ('-' < '/')
    assert sorted(LIST_KEYS).index("a/b-c") < sorted(LIST_KEYS).index("a/b/x")


def test_list_prefix_is_a_plain_string_prefix(listed: ObjectStore) -> None:
    assert [i.key for i in listed.list("a/b")] == ["a/b-c", "a/b/x", "a/b/y/z", "a/bc"]
    assert [i.key for i in listed.list("a")] == [k for k in sorted(LIST_KEYS) if k.startswith("a")]


def test_list_prefix_ending_in_slash_is_one_folder(listed: ObjectStore) -> None:
    assert [i.key for i in listed.list("a/b/")] == ["a/b/x", "a/b/y/z"]
    assert [i.key for i in listed.list("a/b/y/")] == ["a/b/y/z"]


def test_list_unknown_or_odd_prefix_is_empty(listed: ObjectStore) -> None:
    assert list(listed.list("nothing/")) == []
    assert list(listed.list("../")) == []
    assert list(listed.list("a/../a")) == []


def test_list_items_carry_size_and_etag_but_not_metadata(listed: ObjectStore) -> None:
    for info in listed.list():
        assert info.size == len(info.key.encode())
        assert info.etag == hashlib.md5(info.key.encode()).hexdigest()
        assert info.last_modified is not None
        assert info.metadata == {}  # S3 listings do not carry it; stat() does
    assert listed.stat("a/đ").metadata == {"k": "a/đ"}


def test_list_of_an_empty_store(store: ObjectStore) -> None:
    assert list(store.list()) == []


def test_put_while_listing_does_not_block(listed: ObjectStore) -> None:
    for info in listed.list("a/"):
        listed.put("copies/" + info.key, b"c")
    assert len(list(listed.list("copies/"))) == len([k for k in LIST_KEYS if k.startswith("a/")])


# -- invalid input ------------------------------------------------------------------------------------------------

BAD_KEYS = ["", "/a", "a/", "a//b", "./a", "a/./b", "a/../b", "..", "a\\b", "a\x00b", "a\nb", "x" * 1025, "đ" * 513]


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
def test_invalid_keys_are_rejected_before_any_io(store: ObjectStore, key: str) -> None:
    with pytest.raises(ValueError):
        store.put(key, b"x")
    for method in (store.get, store.stat, store.exists, lambda k: store.presigned_url(k, timedelta(minutes=1))):
        with pytest.raises(ValueError):
            method(key)


@pytest.mark.parametrize(
    "metadata",
    [{"has space": "x"}, {"ho tên": "x"}, {"": "x"}, {"-lead": "x"}, {"A": "1", "a": "2"}, {"n": 1}, {"n": "x" * 3000}],
    ids=repr,
)
def test_invalid_metadata_is_rejected(store: ObjectStore, metadata: dict) -> None:
    with pytest.raises(ValueError):
        store.put("k", b"x", metadata=metadata)
    assert not store.exists("k")


def test_invalid_content_type_is_rejected(store: ObjectStore) -> None:
    with pytest.raises(ValueError):
        store.put("k", b"x", content_type="text/plain\r\nX-Injected: 1")
    assert not store.exists("k")


def test_keys_may_be_vietnamese_and_contain_spaces(store: ObjectStore) -> None:
    key = "hồ sơ/Nguyễn Thị Hằng (bản sao) #1.pdf"
    store.put(key, b"x")
    assert store.get(key) == b"x"
    assert [i.key for i in store.list("hồ sơ/")] == [key]


# -- presigned URLs -----------------------------------------------------------------------------------------------


def _fetch_refused(url: str) -> int:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    refused.value.close()
    return refused.value.code


def test_presigned_url_downloads_the_bytes_and_a_tampered_signature_is_refused(store: ObjectStore) -> None:
    data = "Căn cước công dân".encode()
    store.put("hồ sơ/cccd.jpg", data, content_type="image/jpeg")
    url = store.presigned_url("hồ sơ/cccd.jpg", timedelta(minutes=5))
    if isinstance(store, LocalDirStore):
        assert url is None  # streamed by the web app instead
        return
    assert url is not None and url.startswith("http://127.0.0.1:")
    assert "X-Amz-Expires=300" in url
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == data
        assert response.headers["Content-Type"] == "image/jpeg"
    signature = re.search(r"X-Amz-Signature=([0-9a-f]+)", url)
    assert signature is not None
    flipped = "0" if signature.group(1)[-1] != "0" else "1"
    tampered = url[: signature.end(1) - 1] + flipped + url[signature.end(1) :]
    assert _fetch_refused(tampered) == 403
    longer = url.replace("X-Amz-Expires=300", "X-Amz-Expires=604800")  # a forged lifetime breaks the signature
    assert _fetch_refused(longer) == 403


def test_presigned_url_can_ask_the_server_to_show_the_file_inline_under_its_name(store: ObjectStore) -> None:
    store.put("incoming/HN-01/b1/scan", b"%PDF-1.4 ...")  # stored without a content type, as uploads are
    url = store.presigned_url("incoming/HN-01/b1/scan", timedelta(minutes=5), content_type="application/pdf",
                              file_name="Giấy khai sinh.pdf")
    if isinstance(store, LocalDirStore):
        assert url is None
        return
    assert url is not None
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"%PDF-1.4 ..."
        assert response.headers["Content-Type"] == "application/pdf"
        disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;") and "filename*=UTF-8''Gi%E1%BA%A5y%20khai%20sinh.pdf" in disposition
    swapped = url.replace("application%2Fpdf", "text%2Fhtml")  # the overrides are signed: no HTML injection
    assert swapped != url and _fetch_refused(swapped) == 403


def test_presigned_url_is_refused_once_expired(seaweedfs: SeaweedFS) -> None:
    store = MinioStore(seaweedfs.endpoint, seaweedfs.access_key, seaweedfs.secret_key, "presign-expiry")
    store.put("k.pdf", b"%PDF-1.4")
    url = store.presigned_url("k.pdf", timedelta(seconds=1))
    assert url is not None
    time.sleep(2.1)
    assert _fetch_refused(url) == 403


def test_presigned_url_lifetime_is_bounded(store: ObjectStore) -> None:
    store.put("k", b"x")
    if isinstance(store, LocalDirStore):
        return
    for wrong in (timedelta(0), timedelta(days=8)):
        with pytest.raises(ValueError, match="7 days"):
            store.presigned_url("k", wrong)


# -- S3 server down -----------------------------------------------------------------------------------------------


def test_minio_store_raises_storage_error_fast_when_the_server_is_down_and_recovers(tmp_path: Path) -> None:
    server = SeaweedFS(tmp_path / "weed")  # its own server: the session one stays up
    with server:
        store = MinioStore(server.endpoint, server.access_key, server.secret_key, "down-test")
        store.put("k", b"before")
        server.stop()
        calls = [
            lambda: store.get("k"),
            lambda: store.stat("k"),
            lambda: store.exists("k"),
            lambda: store.put("k2", b"x"),
            lambda: store.put("k3", b"x", overwrite=False),
            lambda: list(store.list()),
        ]
        for call in calls:
            started = time.monotonic()
            with pytest.raises(StorageError):
                call()
            assert time.monotonic() - started < 5
        server.restart()
        assert store.get("k") == b"before"  # same store object reconnects; data survived the kill
        store.put("k2", b"after")
        assert [i.key for i in store.list()] == ["k", "k2"]


def test_minio_store_reports_a_server_that_never_ran() -> None:
    endpoint = f"127.0.0.1:{free_ports(1)[0]}"  # nothing listens there
    store = open_store(Settings(store="minio", minio_endpoint=endpoint, minio_bucket="nothing"))
    started = time.monotonic()
    with pytest.raises(StorageError, match=re.escape(endpoint)):
        store.exists("k")
    assert time.monotonic() - started < 5


# -- local store specifics ----------------------------------------------------------------------------------------


def test_local_overwrite_false_has_exactly_one_winner_under_concurrency(tmp_path: Path) -> None:
    store = LocalDirStore(tmp_path)
    writers, barrier = 16, threading.Barrier(16)
    outcomes: list[str] = []

    def write(n: int) -> None:
        barrier.wait()
        try:
            store.put("originals/same.pdf", f"writer {n}".encode(), metadata={"n": str(n)}, overwrite=False)
            outcomes.append(f"won {n}")
        except ObjectExists:
            outcomes.append("exists")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if o.startswith("won")]
    assert len(winners) == 1 and len(outcomes) == writers
    n = winners[0].split()[1]
    assert store.get("originals/same.pdf") == f"writer {n}".encode()
    assert store.stat("originals/same.pdf").metadata == {"n": n}


def test_local_store_keeps_sidecars_and_temp_files_out_of_objects(tmp_path: Path) -> None:
    store = LocalDirStore(tmp_path)
    store.put("a/b.pdf", b"x", metadata={"k": "v"})
    assert [p.relative_to(tmp_path / "objects").as_posix() for p in (tmp_path / "objects").rglob("*")] == [
        "a",
        "a/b.pdf",
    ]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_local_file_copied_in_by_hand_is_an_object(tmp_path: Path) -> None:
    store = LocalDirStore(tmp_path)
    (tmp_path / "objects" / "incoming").mkdir()
    (tmp_path / "objects" / "incoming" / "scan.pdf").write_bytes(b"scan")
    assert [i.key for i in store.list()] == ["incoming/scan.pdf"]
    info = store.stat("incoming/scan.pdf")
    assert (info.etag, info.metadata) == (hashlib.md5(b"scan").hexdigest(), {})


def test_local_key_cannot_be_both_object_and_folder(tmp_path: Path) -> None:
    store = LocalDirStore(tmp_path)  # S3 (SeaweedFS included) allows it; a filesystem cannot
    store.put("a/b", b"x")
    with pytest.raises(ValueError):
        store.put("a/b/c", b"y")
    store.put("d/e/f", b"z")
    for overwrite in (True, False):
        with pytest.raises(ValueError):
            store.put("d/e", b"w", overwrite=overwrite)
    assert [i.key for i in store.list()] == ["a/b", "d/e/f"]
