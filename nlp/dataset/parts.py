"""The output folder of `enrich-dataset`: numbered Parquet parts, a manifest, one writer at a time.

Part k holds input rows [k * part_rows, (k + 1) * part_rows). Each part appears in one rename,
so a part on disk is complete, and a rerun with the same manifest skips it. The manifest is the
key: the input's identity and every setting that changes the output; a folder made with another
key is refused (or emptied with --force) rather than mixed.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import ConfigError, NlpError
from ..files import atomic_output, remove_leftovers

try:
    import fcntl
except ImportError:  # Windows: one writer per folder is then up to the user
    fcntl = None

MANIFEST = "manifest.json"
TEMP_KIND = "dataset"  # temporary files of parts and single outputs; nlp enrich leaves them alone
LOCK = ".lock"
PART = re.compile(r"part-(\d{5,})\.parquet")
OUTPUT_TYPES = {"title_en": pa.string(), "abstract_zh": pa.string(), "abstract_en": pa.string(),
                "checks": pa.list_(pa.string()), "error": pa.string()}


class PartsFolder:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._lock = None

    @contextlib.contextmanager
    def opened(self, key: dict, force: bool, log, resume: bool = True):
        """Hold the folder for this run: lock it, clear leftovers, check or write the manifest.

        Finished parts stay for a run that can `resume` (skip them); otherwise they are removed.
        """
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock = open(self.folder / LOCK, "a")
        except OSError as exc:
            raise NlpError(f"{self.folder}: cannot create the output folder: {exc.strerror or exc}") from None
        try:
            if fcntl:
                try:
                    fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise NlpError(f"{self.folder}: another enrich-dataset run is writing here") from None
            for leftover in remove_leftovers(self.folder, TEMP_KIND):
                log(f"removed {leftover}: left by an interrupted run")
            self._check_manifest(key, force, resume, log)
            yield self
        finally:
            self._lock.close()

    def _check_manifest(self, key: dict, force: bool, resume: bool, log) -> None:
        path, numbers = self.folder / MANIFEST, self.part_numbers()
        old = _read_json(path)
        if numbers and old != key and not force:
            what = "input" if old and old.get("input") != key["input"] else "settings"
            raise ConfigError(f"{self.folder}: holds parts made from another {what}; "
                              "use --force to start over, or another --output")
        if numbers and (force or not resume):
            log(f"starting over: removing {len(numbers)} earlier parts in {self.folder}")
            for number in numbers:
                self.part_path(number).unlink()
        with atomic_output(path, kind=TEMP_KIND) as tmp:
            tmp.write_text(json.dumps(key, indent=2) + "\n", encoding="utf-8")

    def part_path(self, number: int) -> Path:
        return self.folder / f"part-{number:05d}.parquet"

    def part_numbers(self) -> list[int]:
        return sorted(int(m.group(1)) for p in self.folder.iterdir() if (m := PART.fullmatch(p.name)))

    def done(self, number: int) -> bool:
        return self.part_path(number).is_file()

    def write(self, number: int, table: pa.Table) -> None:
        path = self.part_path(number)
        with atomic_output(path, kind=TEMP_KIND) as tmp:
            pq.write_table(table, tmp)

    def summary(self, number: int) -> tuple[int, int]:
        """(rows, rows with an error) of a finished part."""
        errors = pq.read_table(self.part_path(number), columns=["error"])["error"]
        return len(errors), len(errors) - errors.null_count

    def parts(self) -> list[Path]:
        return [self.part_path(n) for n in self.part_numbers()]


def rows_to_table(rows: list[dict]) -> pa.Table:
    """A part's table; the abstract columns have fixed types, input columns keep theirs.

    A column whose cells mix types that Arrow cannot hold in one column (7 and "7") is stored as
    text (JSON for non-strings) instead of failing the run.
    """
    names = dict.fromkeys(name for row in rows for name in row)
    return pa.table({name: _array([row.get(name) for row in rows], OUTPUT_TYPES.get(name)) for name in names})


def _array(values: list, kind=None) -> pa.Array:
    try:
        return pa.array(values, type=kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([_as_text(v) for v in values], pa.string())


def _as_text(value):
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def common_schema(schemas: list[pa.Schema]) -> pa.Schema:
    """One schema for every part: nulls widen to the real type, true conflicts become text."""
    try:
        return pa.unify_schemas(schemas, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, NotImplementedError):
        pass
    kinds: dict[str, list] = {}
    for schema in schemas:
        for field in schema:
            kinds.setdefault(field.name, []).append(field.type)
    fields = []
    for name, types in kinds.items():
        try:
            fields.append(pa.unify_schemas([pa.schema([(name, t)]) for t in types],
                                           promote_options="permissive").field(name))
        except (pa.ArrowInvalid, pa.ArrowTypeError, NotImplementedError):
            fields.append(pa.field(name, pa.string()))
    return pa.schema(fields)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with exactly `schema`'s columns, in its order (missing ones null)."""
    columns = []
    for field in schema:
        if field.name not in table.column_names:
            columns.append(pa.nulls(len(table), field.type))
            continue
        column = table[field.name]
        try:
            columns.append(column.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            columns.append(pa.array([_as_text(v) for v in column.to_pylist()], field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}  # unreadable manifest: treated as another key


def folder_for(output: Path) -> Path:
    """Where the parts go: OUTPUT itself, or OUTPUT.parts beside a single-file OUTPUT."""
    return output.with_name(output.name + ".parts") if is_single_file(output) else output


def is_single_file(output: Path) -> bool:
    return output.suffix.lower() in (".jsonl", ".csv", ".parquet")


def remove_folder(folder: Path) -> None:
    """The parts folder once its rows are in the single output file: only our own files."""
    for path in [*PartsFolder(folder).parts(), folder / MANIFEST, folder / LOCK]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    with contextlib.suppress(OSError):
        folder.rmdir()
