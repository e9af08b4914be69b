"""Search benchmark: build the embedded index from N synthetic wallet records and time the queries a clerk makes.

Why: the issue's bar is p95 ≤ 50 ms at 1M records on one machine, with the target paper in the first page of
results. This prints build time, size on disk and, per query kind, p50/p95/p99 latency (the whole
``SearchIndex.search`` call, records parsed) and how often the target is in the top 10. Then the dashboard's
figures (``SearchIndex.stats``: counts per station and day, status, review state, validity; bar p95 < 500 ms at
1M), each checked once against the same counts made in Python over the generated records.

People own several papers (one person per two records on average) and parents' and spouses' names are
searchable too, so name queries meet realistic competition. A name or a document number shared by more than ten
records cannot single out one paper by itself (numbers like `12/2020` restart per agency and year): such a query
counts as a hit when every top-10 hit shares it with the target, diacritics aside (Phương and Phượng both fold
to phuong); the share of those is reported as "ties".

    .venv/bin/python -m bench.search --n 200000
    .venv/bin/python -m bench.search --n 1000000 --dir /tmp/sohoa-bench-1m --only stats
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.index.base import VIETNAM, DayRange, SearchQuery, WalletStats
from pipeline.index.embedded import EmbeddedIndex
from pipeline.reuse import validity_today
from pipeline.textnorm import fold
from schemas.result import Status
from schemas.wallet import ReviewState, Validity, WalletRecord

SURNAMES = [
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 30), ("Huỳnh", 20), ("Phan", 45),
    ("Vũ", 25), ("Võ", 14), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13), ("Ngô", 13), ("Dương", 10),
    ("Lý", 5), ("Đinh", 6), ("Trương", 6), ("Lương", 4), ("Đoàn", 5), ("Mai", 4), ("Tạ", 3), ("Cao", 4),
    ("Lâm", 3), ("Hà", 4), ("Chu", 2), ("Quách", 2), ("Thái", 2), ("La", 1), ("Kiều", 1),
]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân", "Ngọc", "Quốc", "Trọng", "Duy",
            "Đình", "Mạnh", "Tuấn", "Anh", "Hoàng", "Bá", "Gia", "Thanh"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Mai", "Kim", "Thúy", "Hồng", "Bích", "Phương", "Minh", "Khánh",
            "Hải", "Diệu", "Bảo", "Quỳnh", "Hoài", "Mỹ", "Tuyết", "Lan"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đạt", "Đức", "Giang", "Hải", "Hiếu", "Hòa", "Hoàng", "Hùng", "Huy",
           "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc", "Lợi", "Luân", "Minh", "Nam", "Nghĩa",
           "Nhân", "Phong", "Phúc", "Phước", "Quân", "Quang", "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thịnh",
           "Toàn", "Trí", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Bảo", "Chiến", "Công", "Duy", "Hậu",
           "Hiển", "Hưng", "Kha", "Lực", "Mạnh", "Nguyên", "Phát", "Quý", "Sang", "Thiện", "Thông", "Tín",
           "Trọng", "Tường", "Uy", "Vĩnh", "Vương", "Xuân", "Đông", "Định"]
GIVEN_F = ["Anh", "Bích", "Châu", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huệ",
           "Hương", "Hường", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh",
           "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thoa", "Thu", "Thủy", "Thúy", "Trang", "Trinh", "Tuyết",
           "Uyên", "Vân", "Vy", "Xuân", "Yến", "Ánh", "Diệp", "Điệp", "Gấm", "Hậu", "Khuê", "Lụa", "Ly", "Nhàn",
           "Nhi", "Nhiên", "Phượng", "Sương", "Tiên", "Trâm", "Tú", "Vi"]
PROVINCES = [("001", "Hà Nội"), ("031", "Hải Phòng"), ("079", "Thành phố Hồ Chí Minh"), ("048", "Đà Nẵng"),
             ("092", "Cần Thơ"), ("036", "Nam Định"), ("038", "Thanh Hóa"), ("040", "Nghệ An"),
             ("046", "Thừa Thiên Huế"), ("075", "Đồng Nai"), ("027", "Bắc Ninh"), ("034", "Thái Bình")]
WARDS = ["Hàng Bạc", "Hàng Bồ", "Cửa Nam", "Điện Biên", "Đống Đa", "Láng Hạ", "Bến Nghé", "Bến Thành",
         "Tân Định", "Đa Kao", "Thạch Thang", "Hải Châu I", "An Cư", "Cái Khế", "Trần Hưng Đạo", "Lộc Hạ",
         "Ba Đình", "Phú Hội", "Vĩnh Ninh", "Quyết Thắng"]
DISTRICTS = ["Hoàn Kiếm", "Đống Đa", "Ba Đình", "Quận 1", "Quận 3", "Hải Châu", "Ninh Kiều", "Ngô Quyền",
             "thành phố Nam Định", "thành phố Huế", "Biên Hòa", "thành phố Bắc Ninh"]
SUBJECTS = ["cấp giấy phép xây dựng", "thu hồi đất", "bồi thường, hỗ trợ tái định cư", "phê duyệt quy hoạch chi tiết",
            "xử phạt vi phạm hành chính", "công nhận hộ nghèo", "trợ cấp xã hội hằng tháng", "giao đất ở",
            "cho phép chuyển mục đích sử dụng đất", "khen thưởng", "bổ nhiệm cán bộ", "gia hạn thời hạn sử dụng đất"]
COMPANY_WORDS = ["Hoa Sen", "Minh Phát", "Thành Công", "Phú Thịnh", "Sao Mai", "Việt Tiến", "Hưng Thịnh",
                 "An Khang", "Bình Minh", "Đại Dương", "Tân Phú", "Kim Long", "Hồng Hà", "Trường Sơn", "Đông Á"]
COMPANY_KINDS = ["Công ty TNHH", "Công ty cổ phần", "Công ty TNHH MTV", "Doanh nghiệp tư nhân"]
LAND_USES = ["Đất ở tại đô thị", "Đất trồng lúa", "Đất trồng cây lâu năm", "Đất thương mại, dịch vụ"]
DOC_TYPES = [("khai_sinh", 30), ("cccd", 20), ("quyet_dinh", 20), ("gcn_qsdd", 15), ("ket_hon", 10),
             ("dang_ky_doanh_nghiep", 5)]
STATIONS = [f"tn-{i:02d}" for i in range(1, 41)]
MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
STATUSES = [(Status.AUTO_APPROVED, 80), (Status.NEEDS_REVIEW, 17), (Status.REJECTED, 3)]
REVIEWED = [(ReviewState.APPROVED, 70), (ReviewState.PENDING, 25), (ReviewState.REJECTED, 5)]  # of the rest
DIGITIZED_FROM = datetime(2025, 1, 1)
DIGITIZED_EVERY_S = 7  # one paper every 7 s: 1M papers over 81 days


T = TypeVar("T")


def _weighted(rng: random.Random, items: list[tuple[T, int]]) -> T:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


@dataclass(frozen=True)
class Person:
    name: str
    cccd: str
    born: date
    province: str


def person(p: int, seed: int) -> Person:
    """Person number ``p``: deterministic, so a record can be rebuilt from its number alone."""
    rng = random.Random(f"{seed}:p:{p}")
    female = rng.random() < 0.5
    middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
    if rng.random() < 0.3:
        middle += " " + rng.choice(MIDDLE_F if female else MIDDLE_M)
    name = f"{_weighted(rng, SURNAMES)} {middle} {rng.choice(GIVEN_F if female else GIVEN_M)}"
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 84))
    code, province = rng.choice(PROVINCES)
    century = 0 if born.year < 2000 else 2
    cccd = f"{code}{century + female}{born.year % 100:02d}{p % 1_000_000:06d}"
    return Person(name, cccd, born, province)


def enterprise_code(rng: random.Random) -> str:
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        check = 10 - sum(d * w for d, w in zip(digits, MST_WEIGHTS, strict=True)) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def make_record(i: int, n: int, seed: int) -> WalletRecord:
    rng = random.Random(f"{seed}:r:{i}")
    owner = person(rng.randrange(max(1, n // 2)), seed)
    doc_type = _weighted(rng, DOC_TYPES)
    issued = date(2005, 1, 1) + timedelta(days=rng.randrange(365 * 20))
    ward, district = rng.choice(WARDS), rng.choice(DISTRICTS)
    ward_agency = f"UBND phường {ward}, quận {district}"
    fields: dict[str, object] = {}
    summary = signer = valid_until = None
    permanent = False
    owner_name, owner_ids = owner.name, [owner.cccd]

    if doc_type == "khai_sinh":
        doc_number, agency = f"{rng.randrange(1, 999)}/{issued.year}", ward_agency
        mother, father = person(rng.randrange(n), seed), person(rng.randrange(n), seed)
        fields = {"so": doc_number, "ho_ten": owner.name, "ngay_sinh": owner.born.isoformat(),
                  "noi_sinh": owner.province, "so_dinh_danh": owner.cccd, "ho_ten_me": mother.name,
                  "ho_ten_cha": father.name, "noi_dang_ky": agency}
        permanent = True
    elif doc_type == "cccd":
        doc_number, agency = owner.cccd, "Cục Cảnh sát quản lý hành chính về trật tự xã hội"
        valid_until = issued + timedelta(days=365 * 15)
        fields = {"so_dinh_danh": owner.cccd, "ho_ten": owner.name, "ngay_sinh": owner.born.isoformat(),
                  "que_quan": owner.province, "noi_thuong_tru": f"phường {ward}, {district}, {owner.province}",
                  "ngay_het_han": valid_until.isoformat()}
    elif doc_type == "quyet_dinh":
        doc_number = f"{rng.randrange(1, 9999)}/QĐ-UBND"
        if rng.random() < 0.5:
            doc_number = f"{rng.randrange(1, 9999)}/{issued.year}/QĐ-UBND"
        agency = f"Ủy ban nhân dân quận {district}"
        summary = f"Về việc {rng.choice(SUBJECTS)}"
        signer = person(rng.randrange(n), seed).name
        fields = {"so_ky_hieu": doc_number, "ngay_ban_hanh": issued.isoformat(), "co_quan_ban_hanh": agency,
                  "trich_yeu": summary, "nguoi_ky": signer, "ho_ten": owner.name, "so_dinh_danh": owner.cccd}
        if rng.random() < 0.5:
            valid_until = issued + timedelta(days=365 * rng.randrange(1, 10))
        else:
            permanent = True
    elif doc_type == "gcn_qsdd":
        doc_number = f"{rng.choice('ABCDEC')}{rng.choice('ABCDEK')} {rng.randrange(10**8):08d}"
        agency = f"Sở Tài nguyên và Môi trường {owner.province}"
        fields = {"so_phat_hanh": doc_number, "chu_su_dung": owner.name, "so_dinh_danh": owner.cccd,
                  "thua_dat_so": str(rng.randrange(1, 900)), "to_ban_do_so": str(rng.randrange(1, 90)),
                  "dia_chi": f"phường {ward}, {district}", "dien_tich": round(rng.uniform(30, 500), 1),
                  "muc_dich_su_dung": rng.choice(LAND_USES), "thoi_han_su_dung": "Lâu dài",
                  "ngay_cap": issued.isoformat(), "co_quan_cap": agency}
        permanent = True
    elif doc_type == "ket_hon":
        spouse = person(rng.randrange(n), seed)
        doc_number, agency = f"{rng.randrange(1, 500)}/{issued.year}", ward_agency
        owner_ids = [owner.cccd, spouse.cccd]
        fields = {"so": doc_number, "ngay_dang_ky": issued.isoformat(), "noi_dang_ky": agency,
                  "chong_ho_ten": owner.name, "chong_so_dinh_danh": owner.cccd,
                  "vo_ho_ten": spouse.name, "vo_so_dinh_danh": spouse.cccd}
        permanent = True
    else:
        code = enterprise_code(rng)
        owner_name = f"{rng.choice(COMPANY_KINDS)} {rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)}"
        doc_number, agency = code, f"Sở Kế hoạch và Đầu tư {owner.province}"
        owner_ids = [code, owner.cccd]
        fields = {"ma_so_doanh_nghiep": code, "ten_doanh_nghiep": owner_name,
                  "dia_chi_tru_so": f"phường {ward}, {district}", "von_dieu_le": rng.randrange(1, 500) * 10**8,
                  "nguoi_dai_dien": owner.name, "so_dinh_danh_nguoi_dai_dien": owner.cccd,
                  "ngay_dang_ky_lan_dau": issued.isoformat(), "co_quan_cap": agency}
        permanent = True

    if permanent:
        validity = Validity.VALID
    elif rng.random() < 0.02:
        validity = Validity.CANCELLED
    else:
        validity = Validity.VALID if valid_until and valid_until >= date(2025, 6, 1) else Validity.EXPIRED
    record_id = f"{rng.getrandbits(256):064x}"
    station, operator = rng.choice(STATIONS), f"op{rng.randrange(100):02d}"
    status = _weighted(rng, STATUSES)  # drawn last: the values above stay those of earlier runs
    review = ReviewState.PENDING if status is Status.AUTO_APPROVED else _weighted(rng, REVIEWED)
    text = "\n".join(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", agency]
                     + [f"{k}: {v}" for k, v in fields.items()])
    return WalletRecord(
        record_id=record_id, doc_type=doc_type, doc_type_confidence=round(rng.uniform(0.85, 1.0), 3),
        file_key=f"originals/{record_id[:2]}/{record_id}.pdf", file_name=f"scan_{i:07d}.pdf", sha256=record_id,
        pages=rng.randrange(1, 4), owner_name=owner_name, owner_ids=owner_ids, doc_number=doc_number,
        issue_date=issued, issuing_agency=agency, signer=signer, summary=summary, valid_until=valid_until,
        permanent=permanent, validity=validity, extraction_status=status, review_state=review,
        station=station, operator=operator,
        digitized_at=DIGITIZED_FROM + timedelta(seconds=i * DIGITIZED_EVERY_S), pipeline_version="0.1.0",
        fields=fields, text=text,
    )


def records(n: int, seed: int) -> Iterator[WalletRecord]:
    for i in range(n):
        yield make_record(i, n, seed)


def one_typo(word: str, rng: random.Random) -> str:
    """One edit (substitute, delete, insert, swap neighbours) that changes the word."""
    letters = "abcdeghiklmnopqrstuvxy"
    while True:
        k = rng.randrange(len(word))
        edit = rng.choice(["sub", "del", "ins", "swap"])
        if edit == "sub":
            typo = word[:k] + rng.choice(letters) + word[k + 1:]
        elif edit == "del":
            typo = word[:k] + word[k + 1:]
        elif edit == "ins":
            typo = word[:k] + rng.choice(letters) + word[k:]
        else:
            k = min(k, len(word) - 2)
            typo = word[:k] + word[k + 1] + word[k] + word[k + 2:]
        if typo != word:
            return typo


def typo_name(name: str, rng: random.Random) -> str | None:
    words = fold(name).split()
    long_ones = [k for k, w in enumerate(words) if len(w) >= 4]
    if not long_ones:
        return None
    k = rng.choice(long_ones)
    words[k] = one_typo(words[k], rng)
    return " ".join(words)


@dataclass
class Kind:
    name: str
    make: Callable[[WalletRecord, random.Random], SearchQuery | None]
    # what the query can tell records apart by: ten or more records that share it with the target are a tie
    tie: Callable[[WalletRecord], str] | None = None


def same_name(r: WalletRecord) -> str:
    return fold(r.owner_name or "")


def same_number(r: WalletRecord) -> str:
    return fold(r.doc_number or "")


def by_id(r: WalletRecord, rng: random.Random) -> SearchQuery:
    return SearchQuery(text=r.owner_ids[0])


def by_doc_number(r: WalletRecord, rng: random.Random) -> SearchQuery:
    return SearchQuery(text=fold(r.doc_number or "").upper())


def by_name(r: WalletRecord, rng: random.Random) -> SearchQuery:
    return SearchQuery(text=fold(r.owner_name or ""))


def by_name_type_dates(r: WalletRecord, rng: random.Random) -> SearchQuery:
    issued = r.issue_date or date(2020, 1, 1)
    return SearchQuery(
        text=fold(r.owner_name or ""),
        doc_type=r.doc_type,
        issued_from=issued - timedelta(days=rng.randrange(0, 365)),
        issued_to=issued + timedelta(days=rng.randrange(0, 365)),
    )


def by_typo_name(r: WalletRecord, rng: random.Random) -> SearchQuery | None:
    typed = typo_name(r.owner_name or "", rng)
    return SearchQuery(text=typed) if typed else None


KINDS = [
    Kind("exact ID (CCCD / enterprise code)", by_id),
    Kind("document number, typed folded", by_doc_number, tie=same_number),
    Kind("name without diacritics", by_name, tie=same_name),
    Kind("name + type + date range", by_name_type_dates, tie=same_name),
    Kind("one-typo name", by_typo_name, tie=same_name),
]


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def run_kind(index: EmbeddedIndex, kind: Kind, n: int, seed: int, count: int) -> dict[str, float]:
    rng = random.Random(f"{seed}:q:{kind.name}")
    latencies: list[float] = []
    hits = ties = 0
    while len(latencies) < count:
        target = make_record(rng.randrange(n), n, seed)
        query = kind.make(target, rng)
        if query is None:
            continue
        t0 = time.perf_counter()
        found = index.search(query)
        latencies.append((time.perf_counter() - t0) * 1000)
        top = [h.record for h in found.hits[:10]]
        if any(r.record_id == target.record_id for r in top):
            hits += 1
        elif kind.tie and len(top) == 10 and all(kind.tie(r) == kind.tie(target) for r in top):
            hits += 1
            ties += 1
    return {
        "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "p99": percentile(latencies, 99),
        "hit": hits / count, "ties": ties / count,
    }


# -- the dashboard's figures --------------------------------------------------------------------------------------


def digitized_day(i: int) -> date:
    """The Vietnam day record ``i`` was digitized on (``make_record``: naive times are UTC)."""
    at = DIGITIZED_FROM.replace(tzinfo=UTC) + timedelta(seconds=i * DIGITIZED_EVERY_S)
    return at.astimezone(VIETNAM).date()


@dataclass
class StatsKind:
    name: str
    days: int
    station: str | None = None


STATS_KINDS = [
    StatsKind("dashboard: all stations, 14 days", 14),
    StatsKind("all stations, 30 days", 30),
    StatsKind("one station, 30 days", 30, STATIONS[0]),
    StatsKind("all stations, 366 days", 366),
]


def run_stats(index: EmbeddedIndex, kind: StatsKind, n: int, count: int) -> tuple[dict[str, float], WalletStats]:
    days = DayRange.ending(digitized_day(n - 1), kind.days)
    query = SearchQuery(station=kind.station) if kind.station else None
    latencies: list[float] = []
    for _ in range(count):
        t0 = time.perf_counter()
        stats = index.stats(days, query)
        latencies.append((time.perf_counter() - t0) * 1000)
    return {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99)}, stats


def expected_stats(n: int, seed: int, days: DayRange) -> WalletStats:
    """The figures counted in Python over the generated records (regenerates them: a minute per 200k)."""
    by_station: Counter[str] = Counter()
    by_status: dict[Status, Counter[ReviewState]] = defaultdict(Counter)
    by_validity: Counter[Validity] = Counter()
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    for i, r in enumerate(records(n, seed)):
        by_station[r.station] += 1
        by_status[r.extraction_status][r.review_state] += 1
        by_validity[validity_today(r, days.last)] += 1
        if days.first <= (day := digitized_day(i)) <= days.last:
            per_day[day][r.station] += 1
    return WalletStats(days=days, total=n, by_station=dict(by_station),
                       by_status={s: dict(c) for s, c in by_status.items()},
                       by_validity={v: by_validity[v] for v in Validity},
                       per_day={d: dict(per_day[d]) for d in sorted(per_day)})


def same_figures(a: WalletStats, b: WalletStats) -> bool:
    """Equal counts (dict order aside: ``WalletStats`` compares its dicts as dicts already)."""
    return a == b


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200_000, help="synthetic records to index")
    ap.add_argument("--queries", type=int, default=500, help="queries per kind")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", type=Path, help="index directory (kept; reused if it already holds --n records)")
    ap.add_argument("--only", choices=["search", "stats"], help="time only searches, or only the figures")
    ap.add_argument("--stats-runs", type=int, default=50, help="stats() calls per kind")
    ap.add_argument("--check-stats", action="store_true",
                    help="check the figures against counts made in Python (regenerates the records)")
    args = ap.parse_args()

    workdir = args.dir or Path(tempfile.mkdtemp(prefix="sohoa-bench-"))
    try:
        index = EmbeddedIndex(workdir)
        if index.count() != args.n:
            index.clear()
            t0 = time.perf_counter()
            index.upsert(records(args.n, args.seed))
            build = time.perf_counter() - t0
            print(f"build: {args.n} records in {build:.1f} s ({args.n / build:,.0f}/s, incl. generating them)")
        print(f"on disk: {dir_size(workdir) / 1e6:.0f} MB ({dir_size(workdir) / args.n:.0f} B/record) at {workdir}")

        t0 = time.perf_counter()
        reopened = EmbeddedIndex(workdir)
        print(f"open: {(time.perf_counter() - t0) * 1000:.0f} ms, {reopened.count()} records")
        if args.only != "search":
            bench_stats(reopened, args)
        if args.only == "stats":
            return
        single: list[float] = []
        for k in range(20):
            one = make_record(k, args.n, args.seed).model_copy(update={"summary": f"cập nhật {k}"})
            t0 = time.perf_counter()
            reopened.upsert([one])
            single.append((time.perf_counter() - t0) * 1000)
        print(f"single-record upsert (commit + visible): p50 {statistics.median(single):.0f} ms, "
              f"max {max(single):.0f} ms")

        print(f"\n{args.queries} queries per kind, top 10; latency of the whole search() call in ms")
        print(f"{'query kind':36} {'p50':>7} {'p95':>7} {'p99':>7} {'hit@10':>8} {'of which ties':>15}")
        for kind in KINDS:
            r = run_kind(reopened, kind, args.n, args.seed, args.queries)
            print(f"{kind.name:36} {r['p50']:7.2f} {r['p95']:7.2f} {r['p99']:7.2f} "
                  f"{r['hit']:8.1%} {r['ties']:15.1%}")
    finally:
        if args.dir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def bench_stats(index: EmbeddedIndex, args: argparse.Namespace) -> None:
    print(f"\nstats(): {args.stats_runs} calls per kind, latency in ms (first call of a fresh handle included)")
    print(f"{'figures':36} {'p50':>7} {'p95':>7} {'p99':>7}  checks")
    for kind in STATS_KINDS:
        r, stats = run_stats(index, kind, args.n, args.stats_runs)
        in_range = sum(1 for i in range(args.n) if stats.days.first <= digitized_day(i) <= stats.days.last)
        counted = sum(sum(s.values()) for s in stats.per_day.values())
        checks = [stats.total == (args.n if kind.station is None else stats.by_station.get(kind.station, 0)),
                  sum(stats.by_validity.values()) == stats.total,
                  kind.station is not None or counted == in_range]
        if args.check_stats and kind.station is None:
            checks.append(same_figures(stats, expected_stats(args.n, args.seed, stats.days)))
        print(f"{kind.name:36} {r['p50']:7.1f} {r['p95']:7.1f} {r['p99']:7.1f}  "
              f"{'ok' if all(checks) else 'WRONG ' + str(checks)}")


if __name__ == "__main__":
    main()
