"""``AtomicJSONStorage`` is a drop-in TinyDB storage, for everything TinyDB does.

The main test is differential: random sequences of TinyDB operations run side by side on
``TinyDB(storage=MemoryStorage)`` (the reference) and on ``TinyDB(path,
storage=AtomicJSONStorage)``; every return value, every table and the file itself (read back
by a new ``AtomicJSONStorage`` and by TinyDB's own ``JSONStorage``) must agree.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from tinydb import Query, TinyDB
from tinydb.operations import increment
from tinydb.storages import JSONStorage, MemoryStorage
from tinydb.table import Document

from store.storage import AtomicJSONStorage, backup_path

TABLES = ("_default", "alpha", "beta")
TAGS = ("a", "b", "ж")
Q = Query()


def open_atomic(path: Path, **kwargs: Any) -> TinyDB:
    return TinyDB(path, storage=AtomicJSONStorage, **kwargs)


def open_stock(path: Path, access_mode: str = "r") -> TinyDB:
    """TinyDB's own JSON storage (read-only by default, so it cannot touch the file)."""
    return TinyDB(path, storage=JSONStorage, access_mode=access_mode)


def contents(db: TinyDB) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """Every table's documents with their doc_ids, in stored order."""
    return {name: [(doc.doc_id, dict(doc)) for doc in db.table(name).all()] for name in sorted(db.tables())}


def plain(value: Any) -> Any:
    """A return value in a form that compares by content (documents keep their doc_id)."""
    if isinstance(value, Document):
        return ("document", value.doc_id, dict(value))
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def outcome(call: Callable[[], Any]) -> tuple:
    try:
        return ("returned", plain(call()))
    except Exception as exc:  # both sides must fail the same way
        return ("raised", type(exc).__name__, str(exc))


# -- strategies ----------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
# Every document has an integer ``n`` so that conditions and ``increment`` apply to all.
documents = st.fixed_dictionaries(
    {"n": st.integers(0, 3)},
    optional={"tag": st.sampled_from(TAGS), "data": json_values, "text": st.text(max_size=30)},
)
fields = st.fixed_dictionaries(
    {}, optional={"n": st.integers(0, 3), "tag": st.sampled_from(TAGS), "data": json_values}
)
conditions = st.one_of(
    st.integers(0, 3).map(lambda value: Q.n == value),
    st.integers(0, 4).map(lambda value: Q.n >= value),
    st.sampled_from(TAGS).map(lambda tag: Q.tag == tag),
    st.just(Q.tag.exists()),
    st.just(Q.data.exists()),
)
doc_ids = st.integers(1, 12)
tables = st.sampled_from(TABLES)


class SideBySide(RuleBasedStateMachine):
    """The same operations on a memory database and on a file through ``AtomicJSONStorage``."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        folder.mkdir()
        self.path = folder / "db.json"
        self.reference = TinyDB(storage=MemoryStorage)
        self.atomic = open_atomic(self.path)

    def both(self, operation: Callable[[TinyDB], Any]) -> Any:
        expected = outcome(lambda: operation(self.reference))
        actual = outcome(lambda: operation(self.atomic))
        assert actual == expected
        return actual

    def teardown(self) -> None:
        self.atomic.close()

    # -- writes --------------------------------------------------------------------------------

    @rule(table=tables, document=documents)
    def insert(self, table: str, document: dict) -> None:
        self.both(lambda db: db.table(table).insert(copy.deepcopy(document)))

    @rule(table=tables, document=documents, doc_id=doc_ids)
    def insert_with_doc_id(self, table: str, document: dict, doc_id: int) -> None:
        self.both(lambda db: db.table(table).insert(Document(copy.deepcopy(document), doc_id)))

    @rule(table=tables, batch=st.lists(documents, max_size=4))
    def insert_multiple(self, table: str, batch: list[dict]) -> None:
        self.both(lambda db: db.table(table).insert_multiple(copy.deepcopy(batch)))

    @rule(table=tables, changes=fields, cond=conditions)
    def update_where(self, table: str, changes: dict, cond) -> None:
        self.both(lambda db: db.table(table).update(copy.deepcopy(changes), cond))

    @rule(table=tables, changes=fields, ids=st.lists(doc_ids, max_size=3, unique=True))
    def update_doc_ids(self, table: str, changes: dict, ids: list[int]) -> None:
        self.both(lambda db: db.table(table).update(copy.deepcopy(changes), doc_ids=ids))

    @rule(table=tables, cond=conditions)
    def update_with_operation(self, table: str, cond) -> None:
        self.both(lambda db: db.table(table).update(increment("n"), cond))

    @rule(table=tables, document=documents, cond=conditions)
    def upsert_where(self, table: str, document: dict, cond) -> None:
        self.both(lambda db: db.table(table).upsert(copy.deepcopy(document), cond))

    @rule(table=tables, document=documents, doc_id=doc_ids)
    def upsert_document(self, table: str, document: dict, doc_id: int) -> None:
        self.both(lambda db: db.table(table).upsert(Document(copy.deepcopy(document), doc_id)))

    @rule(table=tables, cond=conditions)
    def remove_where(self, table: str, cond) -> None:
        self.both(lambda db: db.table(table).remove(cond))

    @rule(table=tables, ids=st.lists(doc_ids, max_size=3, unique=True))
    def remove_doc_ids(self, table: str, ids: list[int]) -> None:
        self.both(lambda db: db.table(table).remove(doc_ids=ids))

    @rule(table=tables)
    def truncate(self, table: str) -> None:
        self.both(lambda db: db.table(table).truncate())

    @rule(table=tables)
    def drop_table(self, table: str) -> None:
        self.both(lambda db: db.drop_table(table))

    @rule()
    def reopen(self) -> None:
        """Open the file again (and restart the reference from an equal JSON copy)."""
        self.atomic.close()
        self.atomic = open_atomic(self.path)
        data = self.reference.storage.read()
        self.reference = TinyDB(storage=MemoryStorage)
        if data is not None:
            self.reference.storage.write(json.loads(json.dumps(data)))

    # -- reads ---------------------------------------------------------------------------------

    @rule(table=tables, doc_id=doc_ids)
    def get_by_doc_id(self, table: str, doc_id: int) -> None:
        self.both(lambda db: db.table(table).get(doc_id=doc_id))
        self.both(lambda db: db.table(table).contains(doc_id=doc_id))

    @rule(table=tables, cond=conditions)
    def query(self, table: str, cond) -> None:
        self.both(lambda db: db.table(table).search(cond))
        self.both(lambda db: db.table(table).get(cond))
        self.both(lambda db: db.table(table).contains(cond))
        self.both(lambda db: db.table(table).count(cond))

    @rule(table=tables, ids=st.lists(doc_ids, max_size=3))
    def get_doc_ids(self, table: str, ids: list[int]) -> None:
        self.both(lambda db: db.table(table).get(doc_ids=ids))

    # -- what both hold, and what the file holds -----------------------------------------------

    @invariant()
    def same_tables_and_documents(self) -> None:
        assert self.atomic.tables() == self.reference.tables()
        assert contents(self.atomic) == contents(self.reference)
        assert len(self.atomic) == len(self.reference)

    @invariant()
    def file_holds_the_same(self) -> None:
        if not self.path.exists():
            # Nothing was written yet: the reference holds nothing either.
            assert self.reference.storage.read() is None
            return
        expected = contents(self.reference)
        with open_atomic(self.path) as again:
            assert contents(again) == expected
        with open_stock(self.path) as stock:
            assert contents(stock) == expected


def test_atomic_storage_matches_tinydb_memory_storage(tmp_path: Path) -> None:
    runs = itertools.count()
    run_state_machine_as_test(
        lambda: SideBySide(tmp_path / f"run{next(runs)}"),
        settings=settings(
            max_examples=60,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# -- doc_ids ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("storage", [AtomicJSONStorage, JSONStorage], ids=["atomic", "stock"])
def test_next_doc_id_continues_after_the_max_after_remove_and_reopen(tmp_path: Path, storage) -> None:
    # The same sequence gives the same ids with AtomicJSONStorage and with TinyDB's own storage.
    path = tmp_path / "db.json"
    with TinyDB(path, storage=storage) as db:
        assert db.insert_multiple([{"n": 1}, {"n": 2}, {"n": 3}]) == [1, 2, 3]
        assert db.remove(doc_ids=[2]) == [2]
    with TinyDB(path, storage=storage) as db:
        assert db.get(doc_id=2) is None
        assert db.insert({"n": 4}) == 4
        assert db.upsert(Document({"n": 10}, 10)) == [10]
    with TinyDB(path, storage=storage) as db:
        assert db.insert({"n": 11}) == 11
        assert [(doc.doc_id, doc["n"]) for doc in db.all()] == [(1, 1), (3, 3), (4, 4), (10, 10), (11, 11)]
        assert db.table("other").insert({"n": 0}) == 1, "each table counts its own ids"


def test_a_file_written_by_tinydb_json_storage_opens_and_continues(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    with open_stock(path, access_mode="r+") as stock:
        stock.insert_multiple([{"place": "Ижевск"}, {"place": "Belgorod"}, {"place": "Kursk"}])
        stock.remove(doc_ids=[1])
        stock.table("meta").insert({"schema_version": 1})
        expected = contents(stock)

    with open_atomic(path) as db:
        assert contents(db) == expected
        assert db.insert({"place": "Rostov"}) == 4
    with open_stock(path) as stock:
        assert [(doc.doc_id, doc["place"]) for doc in stock.all()] == [(2, "Belgorod"), (3, "Kursk"), (4, "Rostov")]


@pytest.mark.parametrize("written_by", ["atomic", "stock"])
def test_integers_beyond_64_bits_survive_like_with_tinydb_json_storage(tmp_path: Path, written_by: str) -> None:
    """TinyDB's JSONStorage keeps any JSON integer exactly; a drop-in storage must too."""
    path = tmp_path / "db.json"
    big = 2**64 + 1
    if written_by == "atomic":
        with open_atomic(path) as db:
            db.insert({"big": big})
    else:
        with open_stock(path, access_mode="r+") as stock:
            stock.insert({"big": big})
    with open_atomic(path) as db:
        assert db.all() == [{"big": big}]
        assert type(db.all()[0]["big"]) is int


# -- batch -------------------------------------------------------------------------------------------


@pytest.fixture
def replacements(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, Path]]:
    """Every ``os.replace`` made, as (source, destination)."""
    made: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def recording_replace(src, dst, *args, **kwargs):
        made.append((Path(src), Path(dst)))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", recording_replace)
    return made


def several_operations(db: TinyDB) -> None:
    db.insert({"place": "Rostov", "n": 1})
    db.table("alpha").insert_multiple([{"n": 1}, {"n": 2}, {"n": 3}])
    db.update({"n": 9}, Q.place == "Ижевск")
    db.table("alpha").remove(Q.n == 2)
    db.table("alpha").upsert({"n": 7, "new": True}, Q.n == 3)
    db.table("beta").insert({"n": 0})
    db.table("beta").truncate()
    db.table("gamma").upsert(Document({"n": 5}, 5))


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    path = tmp_path / "db.json"
    with open_atomic(path) as db:
        db.insert({"place": "Ижевск", "n": 1})
        db.table("beta").insert({"n": 4})
    return path


@pytest.mark.parametrize("keep_backup", [False, True])
def test_batch_writes_several_operations_on_several_tables_at_once(
    existing: Path, replacements: list, keep_backup: bool
) -> None:
    reference = TinyDB(storage=MemoryStorage)
    reference.storage.write(json.loads(existing.read_bytes()))
    several_operations(reference)

    before = existing.read_bytes()
    db = open_atomic(existing, keep_backup=keep_backup)
    with db.storage.batch():
        several_operations(db)
        # Inside the batch, reads see the changes but the file is not touched yet.
        assert contents(db) == contents(reference)
        assert existing.read_bytes() == before
        assert replacements == []

    assert [dst for _src, dst in replacements].count(existing) == 1
    with open_atomic(existing) as again:
        assert contents(again) == contents(reference)
    with open_stock(existing) as stock:
        assert contents(stock) == contents(reference)
    if keep_backup:
        assert backup_path(existing).read_bytes() == before


def test_nested_batches_write_once_at_the_end_of_the_outer_one(existing: Path, replacements: list) -> None:
    db = open_atomic(existing)
    with db.storage.batch():
        with db.storage.batch():
            db.insert({"n": 1})
            db.table("alpha").insert({"n": 2})
        assert replacements == []
        db.table("beta").remove(doc_ids=[1])
    assert [dst for _src, dst in replacements] == [existing]
    with open_atomic(existing) as again:
        assert len(again) == 2 and again.table("alpha").all() == [{"n": 2}] and again.table("beta").all() == []


@pytest.mark.parametrize("nested", [False, True])
def test_a_failure_inside_batch_writes_nothing_and_reads_go_back_to_the_file(
    existing: Path, replacements: list, nested: bool
) -> None:
    before = existing.read_bytes()
    with open_atomic(existing) as fresh:
        on_disk = contents(fresh)
    db = open_atomic(existing)

    with pytest.raises(RuntimeError, match="stop here"):
        with db.storage.batch():
            if nested:
                with db.storage.batch():  # an inner batch that completes is still undone
                    several_operations(db)
            else:
                several_operations(db)
            raise RuntimeError("stop here")

    assert replacements == []
    assert existing.read_bytes() == before
    assert sorted(entry.name for entry in existing.parent.iterdir()) == ["db.json"]
    assert contents(db) == on_disk

    # Nothing of the abandoned batch comes back with the next write.
    db.insert({"place": "Kursk"})
    with open_atomic(existing) as again:
        assert [doc["place"] for doc in again.all()] == ["Ижевск", "Kursk"]
        assert again.tables() == {"_default", "beta"}
        assert again.table("beta").all() == [{"n": 4}]


# -- .bak ------------------------------------------------------------------------------------------


WRITES: list[tuple[str, Callable[[TinyDB], Any]]] = [
    ("insert", lambda db: db.insert({"place": "Ижевск", "n": 1})),
    ("insert_multiple", lambda db: db.insert_multiple([{"n": 2}, {"n": 3}])),
    ("update", lambda db: db.update({"n": 20}, Q.n == 2)),
    ("upsert", lambda db: db.upsert(Document({"n": 7}, 7))),
    ("remove", lambda db: db.remove(doc_ids=[1])),
    ("other table", lambda db: db.table("meta").insert({"schema_version": 1})),
    ("truncate", lambda db: db.truncate()),
    ("drop table", lambda db: db.drop_table("meta")),
]


def test_keep_backup_keeps_the_previous_version_after_each_write(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    backup = backup_path(path)
    db = open_atomic(path, keep_backup=True)
    for name, write in WRITES:
        previous = path.read_bytes() if path.exists() else None
        write(db)
        if previous is None:
            assert not backup.exists(), "a new file has no previous version to keep"
        else:
            assert backup.read_bytes() == previous, name
            assert path.read_bytes() != previous, name
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["db.json", "db.json.bak"]


def test_without_keep_backup_no_backup_is_made(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = open_atomic(path)
    for _name, write in WRITES:
        write(db)
        assert sorted(entry.name for entry in tmp_path.iterdir()) == ["db.json"]
