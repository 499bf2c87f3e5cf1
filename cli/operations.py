"""`xinfang keys rotate`, `xinfang export` and `xinfang import`: an operator's maintenance of the
data (registered on the main group when cli.main is imported)."""
from __future__ import annotations

import getpass
from pathlib import Path

import click

from cli.context import context_of, json_option
from office.documents.templates import upload_template


@click.group()
def keys() -> None:
    """Field-encryption keys."""


@keys.command("rotate")
@json_option
@click.pass_context
def keys_rotate(ctx) -> None:
    """Re-encrypt every identity field with the newest key in XINFANG_FIELD_KEYS."""
    c = context_of(ctx)
    count = c.services.operations.rotate_keys()
    c.out({"rotated": count}, f"re-encrypted {count} person record(s)")


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@click.pass_context
def export_cmd(ctx, path) -> None:
    """Write a consistent JSON-lines archive (gzip) of the whole database and stored files."""
    c = context_of(ctx)
    with open(path, "wb") as fh:
        counts = c.services.operations.export_archive(fh, progress=None if c.as_json else _progress)
    c.services.access_log.record_export(f"cli:{getpass.getuser()}", f"archive {path.name}: {counts.get('cases', 0)} cases")
    c.out({"path": str(path), "counts": counts}, f"\nwrote {path}: {counts}")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_context
def import_cmd(ctx, path) -> None:
    """Restore an archive into an empty database (SQLite or PostgreSQL)."""
    c = context_of(ctx)
    with open(path, "rb") as fh:
        counts = c.services.operations.import_archive(fh, progress=None if c.as_json else _progress)
    c.out({"path": str(path), "counts": counts}, f"\nrestored {path}: {counts}")


@click.command("template-upload")
@click.argument("kind")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Template folder (default: the shipped processes/templates).")
@json_option
@click.pass_context
def template_upload(ctx, kind, path, directory) -> None:
    """Replace a notice template (.docx edited in Word); a field unknown to that notice is refused by name."""
    c = context_of(ctx)
    extra = {"templates": directory} if directory else {}
    result = upload_template(kind, path.read_bytes(), **extra)
    c.out(result, f"{kind}: template replaced ({len(result['fields'])} fields)")


def _progress(counts: dict) -> None:
    click.echo("\r" + " ".join(f"{k}={v}" for k, v in counts.items() if isinstance(v, int)), nl=False, err=True)


COMMANDS = (keys, export_cmd, import_cmd, template_upload)
