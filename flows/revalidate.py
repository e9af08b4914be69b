"""Prefect flow, daily: results whose validity ended are marked expired in the record and the index.

Kept, never removed, with a new record version and an audit event (Decree 45/2020 Art.15).
"""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from pipeline.maintenance import revalidate as expire_ended
from pipeline.runtime import get_runtime


@flow(name="revalidate")
def revalidate(today: date | None = None) -> dict:
    rt = get_runtime()
    day = today or date.today()
    report = expire_ended(rt.store, rt.index, day)
    get_run_logger().info("revalidate on %s: %d records checked, %d now expired", day, report.checked,
                          len(report.expired))
    return {"today": day.isoformat(), "checked": report.checked, "expired": report.expired}


if __name__ == "__main__":
    revalidate()
