"""The command line of team journals (issue 15): ``sync``, ``sync setup``, ``sync status``,
``merge``, ``conflicts`` and ``resolve``. Registered on ``tui.cli.cli`` when that is imported."""

from __future__ import annotations

from pathlib import Path

import click

from store import Journal
from store.merge import DELETED, FieldConflict
from store.sharing import shown_value
from store.sync import Syncer, SyncError
from store.text import printable
from tui.cli import PROG, Failure, InputError, _plural, cli, echo, with_journal


def _syncer(journal: Journal) -> Syncer:
    return Syncer(journal, journal.author)


@cli.group("sync", invoke_without_command=True, short_help="Sync the journal with the team's git remote.")
@click.pass_context
def sync_command(ctx: click.Context) -> None:
    """Send what changed here, receive what others changed, and merge, through the git remote set
    up with 'sync setup REMOTE'. Says in one line what happened ("received 12, sent 3, 1 conflict
    to resolve"). A field both sides changed to different values is a conflict: both values are
    kept ('conflicts' lists them, 'resolve' settles one); the journal works as usual meanwhile.
    A sync that fails leaves the journal as it was (or fully merged): run it again."""
    if ctx.invoked_subcommand is not None:
        return
    with Journal(ctx.obj["journal"], author=ctx.obj.get("author")) as journal:
        try:
            report = _syncer(journal).sync()
        except SyncError as exc:
            raise Failure(f"sync: {exc}") from None
    echo(report.line())


@sync_command.command("setup", short_help="Prepare the journal for syncing with REMOTE.")
@click.argument("remote", metavar="REMOTE")
@with_journal
def sync_setup_command(journal: Journal, remote: str) -> None:
    """Prepare the journal for syncing with REMOTE: a URL (ssh://, https://, user@host:path) or the
    path of a bare git repository (one on a USB stick is fine; 'git init --bare PATH' makes one).
    The journal's git working tree is kept beside it, in JOURNAL.sync/. Then syncs once."""
    syncer = _syncer(journal)
    try:
        syncer.setup(remote)
        report = syncer.sync()
    except SyncError as exc:
        raise Failure(f"sync setup: {exc}") from None
    echo(f"set up to sync with {syncer.remote()}; {report.line()}")


@sync_command.command("status", short_help="What waits to be sent and received.")
@with_journal
def sync_status_command(journal: Journal) -> None:
    """What is waiting in each direction: incidents changed here and not sent yet, and incidents
    the remote holds changed that this journal has not merged (the remote is asked)."""
    try:
        status = _syncer(journal).status()
    except SyncError as exc:
        raise Failure(f"sync status: {exc}") from None
    for line in status.lines():
        echo(line)


@cli.command("merge", short_help="Merge a teammate's journal file into this one.")
@click.argument("other", metavar="OTHER.json", type=click.Path(dir_okay=False, path_type=Path))
@with_journal
def merge_command(journal: Journal, other: Path) -> None:
    """Merge a teammate's journal file (sent by mail, Signal or on a stick) into this one, by the
    rules of sync: field by field against the version both last held (found in the histories),
    sources and tags as sets, a field both changed a conflict ('conflicts' lists them)."""
    try:
        merged = journal.merge_file(other)
    except (OSError, ValueError) as exc:
        raise InputError(f"OTHER.json: {exc}") from None
    echo(merged.line())


def conflict_lines(journal: Journal, conflict: FieldConflict) -> list[str]:
    """A conflict as the CLI shows it: the record and field, then mine and theirs (mine: the
    side this journal's author set, else the value kept meanwhile), each with who and when."""
    sides = journal.sides_of(conflict)
    lines = [f"{conflict.kind} {conflict.record_id[:8]}  {conflict.field}"]
    for label, (value, who, when) in zip(("mine", "theirs"), sides, strict=True):
        if conflict.field == DELETED:
            shown = "deleted it" if value else "edited it"
        else:
            shown = shown_value(conflict.field, value)
        kept = "  (shown now)" if value is conflict.ours and conflict.field != DELETED else ""
        lines.append(f"  {label:<6} {shown}  ({who or 'someone'}, {when or 'when unknown'}){kept}")
    for other in conflict.others:  # a third member's value, from an earlier conflict over the field
        lines.append(
            f"  {'also':<6} {shown_value(conflict.field, other.get('value'))}  ({other.get('by') or 'someone'}, "
            f"{other.get('at') or 'when unknown'})"
        )
    return lines


@cli.command("conflicts", short_help="The conflicts a sync or merge found, waiting to be resolved.")
@with_journal
def conflicts_command(journal: Journal) -> None:
    """Every conflict waiting: the incident, the field, and both values with who set them and
    when. 'resolve ID FIELD --take mine|theirs' settles one."""
    conflicts = journal.conflicts()
    if not conflicts:
        echo("no conflicts", err=True)
        return
    for conflict in conflicts:
        for line in conflict_lines(journal, conflict):
            echo(printable(line))
    echo(f"{_plural(len(conflicts), 'conflict')}: '{PROG} resolve ID FIELD --take mine|theirs' settles one", err=True)


@cli.command("resolve", short_help="Settle a conflict: keep mine or take theirs.")
@click.argument("incident_id", metavar="ID")
@click.argument("field_name", metavar="FIELD")
@click.option(
    "--take",
    type=click.Choice(["mine", "theirs"]),
    required=True,
    help="mine: keep this journal's value; theirs: take the other side's.",
)
@with_journal
def resolve_command(journal: Journal, incident_id: str, field_name: str, take: str) -> None:
    """Settle the conflict over FIELD of incident ID (a unique start is enough): keep this
    journal's value (mine) or take the other side's (theirs). A new revision, in the history;
    the next sync sends it. For an edit against a delete, FIELD is '(deleted)' (or 'deleted')."""
    try:
        saved = journal.resolve_conflict(incident_id, field_name, take)
    except (KeyError, ValueError) as exc:
        raise InputError(str(exc.args[0] if exc.args else exc)) from None
    echo(f"resolved {field_name} of {saved}: took {take}")
