"""Segment files read in place: the view reader reads like BytesIO, and a Searcher's readers
read the real index's segments through it with the same stored fields and postings as a copy."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from whoosh.filedb.filestore import FileStorage

from kb.index.generation import Generation
from kb.index.generations import WHOOSH_DIR, current_generation
from kb.search.mapped import MappedFile, ViewReader
from kb.search.searcher import searcher_for

operations = st.lists(
    st.one_of(
        st.tuples(st.just("read"), st.integers(-1, 40)),
        st.tuples(st.just("readline"), st.integers(-1, 40)),
        st.tuples(st.just("seek"), st.integers(0, 60)),
        st.tuples(st.just("seek_end"), st.integers(-60, 0)),
        st.tuples(st.just("seek_cur"), st.integers(0, 10)),
    ),
    max_size=30,
)


@given(st.binary(max_size=50).map(lambda b: b.replace(b"x", b"\n")), operations)
def test_view_reader_reads_like_bytesio(data: bytes, steps: list[tuple[str, int]]) -> None:
    """Every read, readline and seek answers what BytesIO answers over the same bytes."""
    view, plain = ViewReader(memoryview(data)), io.BytesIO(data)
    for name, number in steps:
        if name == "seek_end" and len(data) + number < 0:
            continue  # both refuse a negative position
        if name.startswith("seek"):
            whence = {"seek": 0, "seek_cur": 1, "seek_end": 2}[name]
            assert view.seek(number, whence) == plain.seek(number, whence)
        else:
            assert getattr(view, name)(number) == getattr(plain, name)(number)
        assert view.tell() == plain.tell()


def test_view_reader_unpickles_in_place() -> None:
    """Pickles (Whoosh's stored fields and tables) load from the view as from a file."""
    data = pickle.dumps({"title": "Tokens"}, 0) + pickle.dumps([1, 2, 3], 4)
    view = ViewReader(memoryview(data))
    assert pickle.load(view) == {"title": "Tokens"}
    assert pickle.load(view) == [1, 2, 3]


def test_readers_read_segments_in_place_with_the_same_content(example_index: Path) -> None:
    """A Searcher's reader maps its segment files, and reads what a file-reading copy reads."""
    generation = Generation(current_generation(example_index))
    searcher = searcher_for(generation)
    copy = FileStorage(str(generation.folder / WHOOSH_DIR), supports_mmap=False).open_index()
    with searcher.reading() as reader, copy.reader() as plain:
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
        assert leaves and all(isinstance(leaf._terms._dbfile, MappedFile) for leaf in leaves)
        assert not any(
            isinstance(leaf._terms._dbfile, MappedFile) for leaf, _ in plain.leaf_readers()
        )
        assert list(reader.all_stored_fields()) == list(plain.all_stored_fields())
        terms = list(reader.all_terms())
        assert terms == list(plain.all_terms()) and len(terms) > 100
        for field, word in terms[:: max(1, len(terms) // 200)]:
            assert list(reader.postings(field, word).all_ids()) == list(
                plain.postings(field, word).all_ids()
            )
    generation.close()
