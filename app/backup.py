"""`flask export FILE` / `flask import FILE`: every table, ids preserved, in a portable file.

The file is JSON Lines (gzip-compressed when the name ends in `.gz`): a header with the schema
revision, then for each table a `{"table", "columns"}` line followed by one JSON array per row,
then an end line with the row count of every table, so a truncated file is refused. Export reads
one consistent snapshot; import fills an empty database (migrated to the same revision) in one
transaction, then moves PostgreSQL sequences past the imported ids. Works on SQLite and
PostgreSQL alike, so it also moves data between them.
"""
from __future__ import annotations

import gzip
import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO, Any, Callable, Iterator

import click
from alembic.runtime.migration import MigrationContext
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import Connection, Table, bindparam, func, select, text, type_coerce, types
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models import Base

FORMAT = "citymatch-export"
VERSION = 1
BATCH_ROWS = 1000


class BackupError(Exception):
    """The file cannot be imported (wrong format, revision or contents) or the target is not empty."""


# --- values <-> JSON, by column type -------------------------------------------------------


def _encoder(column_type: types.TypeEngine) -> Callable[[Any], Any]:
    if isinstance(column_type, (types.DateTime, types.Date)):
        return lambda value: value.isoformat()
    return lambda value: value


def _aware_utc(text_value: str) -> datetime:
    """A stored time; SQLite keeps the app's UTC times without their zone, so naive means UTC."""
    moment = datetime.fromisoformat(text_value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _decoder(column_type: types.TypeEngine) -> Callable[[Any], Any]:
    if isinstance(column_type, types.DateTime):
        return _aware_utc if column_type.timezone else datetime.fromisoformat
    if isinstance(column_type, types.Date):
        return date.fromisoformat
    return lambda value: value


def _stored_form(column):
    """Enums as the strings the database stores (which the Enum type also accepts back)."""
    if isinstance(column.type, types.Enum):
        return type_coerce(column, types.String()).label(column.name)
    return column


def _convert(row, converters: list[Callable[[Any], Any]]) -> list[Any]:
    return [None if value is None else convert(value) for value, convert in zip(row, converters)]


def _open(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _revision(connection: Connection) -> list[str]:
    return sorted(MigrationContext.configure(connection).get_current_heads())


# --- export ---------------------------------------------------------------------------------


def export_database(path: Path) -> dict[str, int]:
    """Write every table to `path`; returns the row count of each table."""
    counts: dict[str, int] = {}
    connection = db.engine.connect()
    if connection.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    with connection, connection.begin(), _open(path, "w") as out:
        header = {"format": FORMAT, "version": VERSION, "revision": _revision(connection),
                  "exported_at": datetime.now(timezone.utc).isoformat()}
        out.write(json.dumps(header) + "\n")
        for table in _tables():
            columns = list(table.columns)
            out.write(json.dumps({"table": table.name, "columns": [c.name for c in columns]}) + "\n")
            encoders = [_encoder(c.type) for c in columns]
            rows = connection.execution_options(stream_results=True, max_row_buffer=BATCH_ROWS)
            result = rows.execute(select(*map(_stored_form, columns))
                                  .order_by(*table.primary_key.columns))
            counts[table.name] = 0
            for row in result:
                out.write(json.dumps(_convert(row, encoders), ensure_ascii=False) + "\n")
                counts[table.name] += 1
        out.write(json.dumps({"end": True, "counts": counts}) + "\n")
    return counts


# --- import ---------------------------------------------------------------------------------


def _read(path: Path) -> Iterator[Any]:
    with _open(path, "r") as source:
        for number, line in enumerate(source, start=1):
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise BackupError(f"줄 {number}을 읽을 수 없습니다. (line {number} is not JSON)") from error


def _check_empty(connection: Connection) -> None:
    for table in _tables():
        rows = connection.scalar(select(func.count()).select_from(table))
        if rows:
            raise BackupError(
                f"빈 데이터베이스에만 가져올 수 있습니다: '{table.name}' 테이블에 {rows}행이 있습니다. "
                f"(import needs an empty database: table '{table.name}' has {rows} rows; "
                "create a new database and run only `flask db upgrade` before importing)"
            )


def _check_header(header: Any, connection: Connection) -> None:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("CityMatch 내보내기 파일이 아닙니다. (not a CityMatch export file)")
    if header.get("version") != VERSION:
        raise BackupError(f"지원하지 않는 파일 버전입니다: {header.get('version')} "
                          f"(unsupported export version; this code reads version {VERSION})")
    revision = _revision(connection)
    if header.get("revision") != revision:
        raise BackupError(
            f"스키마 버전이 다릅니다: 파일 {header.get('revision')}, 데이터베이스 {revision}. "
            "(schema revision differs: migrate the database to the file's revision first)"
        )


class _TableWriter:
    """Inserts one table's rows in batches; self-references are set once every row exists."""

    def __init__(self, connection: Connection, table: Table, column_names: list[str]) -> None:
        if column_names != [c.name for c in table.columns]:
            raise BackupError(f"'{table.name}' 테이블의 열이 다릅니다. (columns of '{table.name}' "
                              "differ from this schema)")
        self.connection = connection
        self.table = table
        self.names = column_names
        self.decoders = [_decoder(c.type) for c in table.columns]
        self.self_references = [fk.parent.name for fk in table.foreign_keys
                                if fk.column.table is table]
        self.batch: list[dict[str, Any]] = []
        self.deferred: list[dict[str, Any]] = []
        self.count = 0

    def add(self, values: list[Any]) -> None:
        if len(values) != len(self.names):
            raise BackupError(f"'{self.table.name}' 테이블의 행 길이가 맞지 않습니다. "
                              f"(a row of '{self.table.name}' has the wrong length)")
        row = dict(zip(self.names, _convert(values, self.decoders)))
        if self.self_references:
            self.deferred.append({"pk_" + c.name: row[c.name] for c in self.table.primary_key}
                                 | {"ref_" + name: row[name] for name in self.self_references})
            row.update(dict.fromkeys(self.self_references))
        self.batch.append(row)
        self.count += 1
        if len(self.batch) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.connection.execute(self.table.insert(), self.batch)
            self.batch = []

    def finish(self) -> int:
        self.flush()
        if self.deferred:
            table = self.table
            update = (table.update()
                      .where(*[c == bindparam("pk_" + c.name) for c in table.primary_key])
                      .values({name: bindparam("ref_" + name) for name in self.self_references}))
            self.connection.execute(update, self.deferred)
        return self.count


def _reset_sequences(connection: Connection) -> None:
    """Let new rows continue after the imported ids (PostgreSQL keeps ids in sequences)."""
    if connection.dialect.name != "postgresql":
        return
    for table in _tables():
        primary_key = list(table.primary_key.columns)
        if len(primary_key) != 1 or not isinstance(primary_key[0].type, types.Integer):
            continue
        column = primary_key[0].name
        connection.execute(text(
            f'SELECT setval(pg_get_serial_sequence(:table, :column), '
            f'COALESCE(MAX("{column}"), 0) + 1, false) FROM "{table.name}"'
        ), {"table": f'"{table.name}"', "column": column})


def import_database(path: Path) -> dict[str, int]:
    """Load `path` into the empty database in one transaction; returns rows per table."""
    tables = {table.name: table for table in _tables()}
    counts: dict[str, int] = {}
    with db.engine.connect() as connection, connection.begin():
        records = _read(path)
        _check_header(next(records, None), connection)
        _check_empty(connection)
        writer: _TableWriter | None = None
        end = None
        for record in records:
            if isinstance(record, list) and writer is not None:
                writer.add(record)
            elif isinstance(record, dict) and record.get("table") in tables and end is None:
                if writer is not None:
                    counts[writer.table.name] = writer.finish()
                writer = _TableWriter(connection, tables[record["table"]], record.get("columns"))
            elif isinstance(record, dict) and record.get("end") and end is None:
                end = record
            else:
                raise BackupError("파일 내용이 올바르지 않습니다. (unexpected content in the file)")
        if writer is not None:
            counts[writer.table.name] = writer.finish()
        if end is None or end.get("counts") != counts:
            raise BackupError("파일이 잘렸거나 손상되었습니다. 아무것도 가져오지 않았습니다. "
                              "(the file is truncated or damaged; nothing was imported)")
        _reset_sequences(connection)
    return counts


# --- commands -------------------------------------------------------------------------------


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_command(path: Path) -> None:
    """Write every table to PATH (JSON Lines; gzip when PATH ends in .gz)."""
    try:
        counts = export_database(path)
    except SQLAlchemyError as error:
        path.unlink(missing_ok=True)
        raise click.ClickException(
            f"데이터베이스를 읽지 못했습니다 (could not read the database; is it migrated?): "
            f"{getattr(error, 'orig', None) or error}") from error
    click.echo(f"{len(counts)}개 테이블, {sum(counts.values())}행을 {path}에 내보냈습니다. "
               f"(exported {sum(counts.values())} rows of {len(counts)} tables)")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(path: Path) -> None:
    """Load PATH (from `flask export`) into an empty, migrated database."""
    try:
        counts = import_database(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{len(counts)}개 테이블, {sum(counts.values())}행을 가져왔습니다. "
               f"(imported {sum(counts.values())} rows of {len(counts)} tables)")


def register(app: Flask) -> None:
    """Attach the backup commands to the app's CLI."""
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
