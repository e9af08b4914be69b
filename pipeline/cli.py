"""The ``sohoa`` command: extract one file, ingest a batch, search the wallet, run the demo.

Messages are Vietnamese by default (``--lang en`` or ``SOHOA_LANG=en`` for English). Long work shows a bar.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipeline.i18n import language, t

# Prefect's ephemeral server must work offline and may start slowly on a busy 2-core machine.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

app = typer.Typer(add_completion=False, no_args_is_help=True, help="sohoa — số hóa giấy tờ hành chính")
out = Console()
err = Console(stderr=True)


@app.callback()
def main(lang: Annotated[str | None, typer.Option(help="vi | en")] = None) -> None:
    if lang:
        os.environ["SOHOA_LANG"] = lang
    from pipeline.config import Settings
    from schemas.procedures import CatalogueError, load_catalogue

    try:  # a malformed procedure catalogue must stop every command at start-up, not halfway through a batch
        load_catalogue(Settings().procedure_catalogue)
    except CatalogueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(exc.exit_code) from exc


@app.command()
def extract(
    file: Path,
    as_json: Annotated[bool, typer.Option("--json", help="print the contract JSON (DESIGN.md §3)")] = False,
) -> None:
    """Extract one PDF/PNG/JPEG/TIFF file (no server needed)."""
    from pipeline.config import Settings
    from pipeline.errors import BadInput
    from pipeline.ocr import open_engine
    from pipeline.process import process_file
    from schemas.doc_types import field_label

    if not file.is_file():
        err.print(t("not_found", path=file))
        raise typer.Exit(2)
    settings = Settings()
    try:
        processed = process_file(file.read_bytes(), file.name, settings, open_engine(settings.ocr_engine, settings))
    except BadInput as exc:
        print(t("unreadable", reason=exc.reason, message=exc), file=sys.stderr)
        raise typer.Exit(exc.exit_code) from None
    result = processed.result
    if as_json:
        sys.stdout.write(json.dumps(result.contract_json(), ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"{result.file}: {result.doc_type} ({result.doc_type_confidence:.2f}) — {t(result.status)}")
    table.add_column(t("col_field"))
    table.add_column(t("col_value"))
    table.add_column(t("col_confidence"), justify="right")
    for name, fv in result.fields.items():
        # The officer's label, and the contract name that `--json` uses
        label = f"{field_label(name, language())} [dim]({name})[/dim]"
        table.add_row(label, "" if fv.value is None else str(fv.value), f"{fv.confidence:.2f}")
    out.print(table)
    for issue in result.validation:
        out.print(f"[yellow]⚠ {issue.field}: {issue.message}[/yellow]")


@app.command()
def ingest(
    directory: Path,
    station: Annotated[str, typer.Option(help="digitization station code")],
    operator: Annotated[str, typer.Option(help="operator name or account")],
    batch: Annotated[str | None, typer.Option(help="batch id (default: generated)")] = None,
) -> None:
    """Upload every file of DIRECTORY to the store and digitize the batch."""
    # Every file is uploaded, whatever its name: what is not a paper is quarantined with a reason, not skipped.
    files = sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        err.print(t("no_files", path=directory))
        raise typer.Exit(2)
    print_summary(run_ingest(files, station, operator, batch))


def run_ingest(files: list[Path], station: str, operator: str, batch: str | None = None) -> dict:
    from flows.ingest_batch import ingest_batch
    from pipeline import progress
    from pipeline.runtime import get_runtime
    from pipeline.wallet import upload_original

    batch_id = batch or f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    store = get_runtime().store
    with _bar() as bar:
        task = bar.add_task(t("uploading"), total=len(files))
        keys = []
        for path in files:
            keys.append(upload_original(store, path.read_bytes(), path.name, station, operator, batch_id))
            bar.advance(task)
        work = bar.add_task(t("processing"), total=len(keys))
        with progress.listening(lambda done, total, _msg: bar.update(work, completed=done, total=total)):
            return ingest_batch(keys, batch_id, station, operator)


@app.command()
def search(
    query: str,
    doc_type: Annotated[str | None, typer.Option("--type", help="khai_sinh, cccd, ...")] = None,
    validity: Annotated[str | None, typer.Option(help="valid | expired | cancelled")] = None,
    limit: int = 10,
) -> None:
    """Search the wallet: a name with or without diacritics, an ID number, a document number."""
    from pipeline.index.base import SearchQuery
    from pipeline.runtime import get_runtime

    results = get_runtime().index.search(SearchQuery(text=query, doc_type=doc_type, validity=validity, limit=limit))
    print_results(query, results)


@app.command()
def reuse(
    procedure: Annotated[str, typer.Option(help="procedure code in the catalogue, e.g. 1.001193")],
    citizen: Annotated[str, typer.Option(help="identity number (CCCD) of the applicant, or an enterprise code")],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    catalogue: Annotated[Path | None, typer.Option(help="procedure catalogue JSON (default: the shipped one)")] = None,
    lang: Annotated[str | None, typer.Option(help="vi | en")] = None,
) -> None:
    """Which papers PROCEDURE requires that the state already holds, valid, for CITIZEN — and which to bring."""
    from datetime import date

    from pipeline.config import Settings
    from pipeline.errors import UnknownProcedure
    from pipeline.index import open_index
    from pipeline.reuse import check_reuse
    from schemas.procedures import load_catalogue

    if lang:
        os.environ["SOHOA_LANG"] = lang
    try:
        catalogue_in_use = load_catalogue(catalogue or Settings().procedure_catalogue)
        report = check_reuse(procedure, citizen, open_index(Settings()), catalogue_in_use, date.today())
    except UnknownProcedure:
        err.print(t("unknown_procedure", code=procedure))
        raise typer.Exit(2) from None
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        return
    table = Table(title=t("reuse_title", code=report.procedure_code, name=report.procedure_name,
                          citizen=report.citizen_id, day=report.checked_on.isoformat()))
    for col in ("col_paper", "col_holding", "col_number", "col_issued", "col_valid_until", "col_record"):
        table.add_column(t(col))
    for check in report.papers:
        name = check.name + (f" ({t('optional')})" if check.optional else "")
        holding = t(f"reuse_{check.holding.value}")
        paper = check.paper
        if paper is None:
            table.add_row(name, holding, "", "", "", "")
            continue
        if not paper.confirmed:
            holding += f" ({t('unconfirmed')})"
        until = t("permanent") if paper.permanent else (paper.valid_until.isoformat() if paper.valid_until else "")
        table.add_row(name, holding, paper.doc_number or "", paper.issue_date.isoformat() if paper.issue_date else "",
                      until, paper.record_id[:12])
    out.print(table)
    out.print(t("reuse_summary", reuse=len(report.reusable), check=len(report.to_check), bring=len(report.to_bring)))


@app.command()
def demo(
    count: Annotated[int, typer.Option(help="sample papers to generate")] = 12,
    seed: int = 2026,
) -> None:
    """Generate sample papers, digitize them through the Prefect flow and search the wallet."""
    from pipeline.config import Settings
    from pipeline.index.base import SearchQuery
    from pipeline.runtime import get_runtime
    from pipeline.textnorm import fold
    from samples.generator import generate_set

    sample_dir = Settings().data_dir / "demo-samples" / str(seed)
    out.print(t("demo_generating", count=count, path=sample_dir))
    papers = [p for p in generate_set(sample_dir, count=count, seed=seed, variants=("clean", "degraded"))
              if not p.name.endswith(".truth.json")]  # ground truth stays beside the samples, not in the wallet
    summary = run_ingest(papers, "DEMO", "demo", f"demo-{seed}-{int(time.time())}")
    print_summary(summary)
    index = get_runtime().index
    people = [r for r in index.search(SearchQuery(text="", limit=100)).hits if r.record.owner_name]
    if people:
        query = fold(people[0].record.owner_name)
        out.print(t("demo_search", query=query))
        print_results(query, index.search(SearchQuery(text=query)))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address of the web/API process and the bucket-event receiver")] = (
        "127.0.0.1"),
    port: int = 8000,
    sweep_minutes: Annotated[float, typer.Option(help="sweep incoming/ this often")] = 10,
    revalidate_cron: Annotated[str, typer.Option(help="daily expiry check (cron, Asia/Ho_Chi_Minh)")] = "15 0 * * *",
    limit: Annotated[int | None, typer.Option(help="flow runs at once in this process (default: no limit)")] = None,
    prefect_port: Annotated[int, typer.Option(help="local Prefect server's port when PREFECT_API_URL is unset")] = (
        4200),
    flows: Annotated[bool, typer.Option(help="also run the flows here (--no-flows: workers of a pool run them)")] = (
        True),
) -> None:
    """Run the web/API process with the bucket-event receiver, and serve the flows (sweep, revalidate, backfill)."""
    os.environ["PREFECT_LOGGING_LEVEL"] = os.environ.get("SOHOA_SERVE_LOG_LEVEL", "INFO")  # a server logs its runs
    from flows.deployments import serve_all
    from pipeline.config import Settings

    settings = Settings()
    if settings.webhook_token is None:
        err.print("SOHOA_WEBHOOK_TOKEN is not set: bucket events will be refused (401); the sweep still runs")
    serve_all(settings, host=host, port=port, sweep_minutes=sweep_minutes, revalidate_cron=revalidate_cron,
              limit=limit, prefect_port=prefect_port, serve_flows=flows)


user_app = typer.Typer(no_args_is_help=True, help="web accounts (operator, backoffice, admin)")
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="operator | backoffice | admin")],
    station: Annotated[str, typer.Option(help="station code (required for operators), e.g. HN-01")] = "",
    display_name: Annotated[str, typer.Option(help="full name shown in the pages")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Create a web account; the password is asked for (hidden) or read from stdin."""
    from pipeline.config import Settings
    from pipeline.storage import open_store
    from pipeline.web.auth import MESSAGES, AccountError, Role, UserStore

    english = os.environ.get("SOHOA_LANG", "vi").lower().startswith("en")  # auth's messages: (vi, en)
    if role not in {r.value for r in Role}:
        err.print(f"--role: operator | backoffice | admin ({role!r})")
        raise typer.Exit(2)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(MESSAGES["auth_password"][english], hide_input=True, confirmation_prompt=True)
    try:
        account = UserStore(open_store(Settings())).create(username, password, Role(role), station=station,
                                                           display_name=display_name)
    except AccountError as exc:
        err.print(MESSAGES[f"auth_error_{exc.code}"][english].format(**exc.details))
        raise typer.Exit(2) from None
    out.print(f"{account.username} ({account.role.value}{', ' + account.station if account.station else ''})")


def print_summary(summary: dict) -> None:
    table = Table(title=t("summary_title", batch=summary["batch_id"]), show_header=False)
    statuses, outcomes = summary["statuses"], summary["outcomes"]
    rows = [
        (t("files"), summary["files"]),
        (t("pages"), summary["pages"]),
        (t("doc_types"), ", ".join(f"{k}: {v}" for k, v in sorted(summary["doc_types"].items())) or "—"),
        (t("fields_extracted"), summary["fields_extracted"]),
        (t("auto_approved"), statuses.get("auto_approved", 0)),
        (t("needs_review"), statuses.get("needs_review", 0)),
        (t("rejected"), statuses.get("rejected", 0)),
        (t("duplicates"), outcomes.get("duplicate", 0)),
        (t("quarantined"), outcomes.get("quarantined", 0)),
        (t("failed"), outcomes.get("failed", 0)),
        (t("time"), f"{summary['seconds']:.1f} s"),
        (t("throughput"), t("pages_per_min", value=summary["pages_per_minute"])),
    ]
    for label, value in rows:
        table.add_row(label, str(value))
    out.print(table)
    for item in summary["quarantined"]:
        out.print(f"[red]{t('quarantine_reason', key=item['key'], message=item['message'])}[/red]")


def print_results(query: str, results) -> None:
    table = Table(title=t("search_title", query=query, total=results.total))
    for col in ("col_type", "col_owner", "col_id", "col_number", "col_issued", "col_validity", "col_status"):
        table.add_column(t(col))
    for hit in results.hits:
        r = hit.record
        table.add_row(r.doc_type, r.owner_name or "", ", ".join(r.owner_ids), r.doc_number or "",
                      r.issue_date.isoformat() if r.issue_date else "", t(r.validity.value),
                      t(r.extraction_status.value))
    out.print(table)


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=False)


if __name__ == "__main__":
    app()
