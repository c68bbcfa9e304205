"""Parse and validation results kept per document text, bounded by size as well as by
count: a client sending large distinct documents cannot make the process keep them."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension

V = TypeVar("V")

MAX_ENTRIES = 256  # distinct documents
MAX_CHARS = 2_000_000  # of document text across all entries (the trees are ~20× that)
MAX_CACHED_DOCUMENT = 32_768  # characters; a longer document is parsed every time


class TextCache(Generic[V]):
    """A least-recently-used map from document text to a value, within both bounds."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_chars: int = MAX_CHARS) -> None:
        self.max_entries, self.max_chars = max_entries, max_chars
        self.chars = 0
        self._entries: OrderedDict[str, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, text: str) -> V | None:
        """The value kept for `text`, if any (now the most recently used)."""
        value = self._entries.get(text)
        if value is not None:
            self._entries.move_to_end(text)
        return value

    def put(self, text: str, value: V) -> None:
        """Keep `value` for `text` unless the text is too long to be worth it."""
        if len(text) > MAX_CACHED_DOCUMENT or text in self._entries:
            return
        self._entries[text] = value
        self.chars += len(text)
        while len(self._entries) > self.max_entries or self.chars > self.max_chars:
            old, _ = self._entries.popitem(last=False)
            self.chars -= len(old)


def parsed(cache: TextCache[DocumentNode], text: str, **options: Any) -> DocumentNode:
    """The document `text`, parsed once (`options`, e.g. max_tokens, apply first; parse
    errors are raised, never kept)."""
    document = cache.get(text)
    if document is None:
        document = parse(text, **options)
        cache.put(text, document)
    return document


class DocumentCaches:
    """The parse and validation caches of one schema."""

    def __init__(self) -> None:
        self.parsed: TextCache[DocumentNode] = TextCache()
        self.validated: TextCache[list[GraphQLError]] = TextCache()

    def parser(self) -> SchemaExtension:
        """An extension parsing through the cache (parse errors are never kept)."""
        return _CachedParse(self.parsed)

    def validator(self) -> SchemaExtension:
        """An extension validating through the cache (the rules are fixed per schema)."""
        return _CachedValidation(self.validated)


class _CachedParse(SchemaExtension):
    def __init__(self, cache: TextCache[DocumentNode]) -> None:
        self.cache = cache

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = parsed(self.cache, context.query or "", **context.parse_options)
        yield


class _CachedValidation(SchemaExtension):
    def __init__(self, cache: TextCache[list[GraphQLError]]) -> None:
        self.cache = cache

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        text = context.query or ""
        cached = self.cache.get(text)
        if cached is not None:
            context.pre_execution_errors = cached  # strawberry then skips validating
        yield
        if cached is None and context.pre_execution_errors is not None:
            self.cache.put(text, context.pre_execution_errors)
