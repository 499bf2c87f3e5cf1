"""Portable backup: a versioned JSON-lines archive of every table and stored file.

The export runs in one read transaction, so the archive is a consistent snapshot; the
import restores it into an empty database of either kind (SQLite or PostgreSQL) and the
cases simply continue. Identity fields stay encrypted: the target needs the same keys.
"""
from __future__ import annotations

import base64
import gzip
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Iterator

from sqlalchemy import Engine, func, insert, select, text

from engine.store import db
from engine.errors import Conflict, ValidationFailed
from engine.store.models import Base
from engine.bpmn.serialization import LIB_VERSION, STATE_FORMAT

FORMAT = "xinfang-archive"
FORMAT_VERSION = 1
BATCH = 1000


def _encode(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    return value


def _decode(value):
    if isinstance(value, dict) and len(value) == 1:
        (key, inner), = value.items()
        if key == "$b64":
            return base64.b64decode(inner)
        if key == "$dt":
            return datetime.fromisoformat(inner)
        if key == "$date":
            return date.fromisoformat(inner)
        if key == "$dec":
            return Decimal(inner)
    return value


def export_lines(engine: Engine, storage_dir: Path | None) -> Iterator[dict]:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        heads = sorted(db.current_heads(engine))
        yield {"format": FORMAT, "version": FORMAT_VERSION, "lib_version": LIB_VERSION,
               "state_format": STATE_FORMAT, "schema": heads, "dialect": conn.dialect.name}
        for table in Base.metadata.sorted_tables:
            order = [c for c in table.primary_key.columns]
            for row in conn.execute(select(table).order_by(*order)).mappings():
                yield {"t": table.name, "r": {k: _encode(v) for k, v in row.items()}}
    if storage_dir and Path(storage_dir).is_dir():
        for path in sorted(Path(storage_dir).rglob("*")):
            if path.is_file():
                yield {"f": path.relative_to(storage_dir).as_posix(),
                       "b64": base64.b64encode(path.read_bytes()).decode("ascii")}


def export_archive(engine: Engine, out: IO[bytes], storage_dir: Path | None = None,
                   progress=None) -> dict:
    counts: dict[str, int] = {}
    with gzip.GzipFile(fileobj=out, mode="wb") as gz:
        for line in export_lines(engine, storage_dir):
            key = line.get("t") or ("files" if "f" in line else "header")
            counts[key] = counts.get(key, 0) + 1
            gz.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
            if progress and sum(counts.values()) % 1000 == 0:
                progress(counts)
    return counts


def import_archive(engine: Engine, source: IO[bytes], storage_dir: Path | None = None,
                   progress=None) -> dict:
    counts: dict[str, int] = {}
    tables = Base.metadata.tables
    with gzip.GzipFile(fileobj=source, mode="rb") as gz:
        try:
            header = _header(gz.readline())
        except (OSError, EOFError):
            raise ValidationFailed("not a Xinfang archive (not gzip)") from None
        db.upgrade(engine)
        _require_empty(engine)
        with engine.begin() as conn:
            _restore_rows(conn, gz, tables, storage_dir, counts, progress)
    counts["source_dialect"] = header.get("dialect")
    return counts


def _restore_rows(conn, gz, tables, storage_dir, counts, progress) -> None:
    """Rows arrive in dependency order; a table's batch is flushed before the next table starts."""
    current, batch = None, []
    for raw in gz:
        line = json.loads(raw)
        if "f" in line:
            _restore_file(storage_dir, line)
            counts["files"] = counts.get("files", 0) + 1
            continue
        table = tables.get(line["t"])
        if table is None:
            raise ValidationFailed(f"archive has table {line['t']!r} that this version does not know")
        if table is not current or len(batch) >= BATCH:
            if batch:
                _flush(conn, current, batch, counts, progress)
            current, batch = table, []
        batch.append(_row(table, line["r"]))
    if batch:
        _flush(conn, current, batch, counts, progress)
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn)


def _header(raw: bytes) -> dict:
    try:
        header = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationFailed("not a Xinfang archive (no header line)") from None
    if header.get("format") != FORMAT:
        raise ValidationFailed("not a Xinfang archive")
    if header.get("version") != FORMAT_VERSION:
        raise ValidationFailed(f"archive format version {header.get('version')} is not supported")
    if header.get("lib_version") != LIB_VERSION:
        raise ValidationFailed(f"archive was written with SpiffWorkflow {header.get('lib_version')}; "
                               f"this installation runs {LIB_VERSION}")
    return header


def _row(table, raw: dict) -> dict:
    return {k: _decode(v) for k, v in raw.items() if k in table.c}


def _flush(conn, table, rows: list[dict], counts: dict, progress) -> None:
    conn.execute(insert(table), rows)
    counts[table.name] = counts.get(table.name, 0) + len(rows)
    if progress:
        progress(counts)


def _restore_file(storage_dir: Path | None, line: dict) -> None:
    if storage_dir is None:
        return
    target = (Path(storage_dir) / line["f"]).resolve()
    if Path(storage_dir).resolve() not in target.parents:
        raise ValidationFailed(f"archive file path escapes the storage directory: {line['f']!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(base64.b64decode(line["b64"]))


def _require_empty(engine: Engine) -> None:
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if conn.execute(select(func.count()).select_from(table)).scalar_one():
                raise Conflict(f"the target database is not empty (table {table.name} has rows); "
                               f"import only restores into an empty database")


def _reset_sequences(conn) -> None:
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement is not False and pk[0].type.python_type is int:
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{pk[0].name}'), "
                f"COALESCE((SELECT MAX(\"{pk[0].name}\") FROM \"{table.name}\"), 0) + 1, false)"))
