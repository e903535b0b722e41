"""The cost limit: refuse, before it runs, a query that could return too many objects.

Depth, token and alias limits bound the *text* of a query, not its answer: within all
three, ``groups(first: 100) { edges { node { members(first: 100) { edges { node {
group { members(first: 100) ... }}}}}}}}`` asks for a million objects and would hold a
worker for minutes. So each operation gets an estimate of the objects its answer may hold,
computed from the parsed query and its variables:

    cost(selection) = sum over its fields of  1 + multiplier(field) x cost(field's selection)

where ``multiplier`` is the field's ``first`` argument when it has one (a page: the value
given, else the argument's default, the server's maximum page size for an explicit null);
for a list without paging, the length of its longest list argument (``entities(ids:)``), else
the length the served dataset gives it (``largeExposures``, ``guaranteeCircles``: the
``sizes`` the context knows), else 1 (such lists are short by construction: controllers,
flags, limit checks). Fragments count where they are spread; aliases count each time.

A field whose work is far beyond its answer adds a fixed weight (:data:`FIELD_WEIGHTS`):
``whatIf`` analyses and assesses the whole book again, so it counts as 10,000 objects, and
one query holds at most four under the default limit (each of at most 50 proposals, which
its resolver checks).

Example: ``{ groupOf(entityId: "C1") { id members(first: 50) { edges { node { id name } } } } }``
costs 1 + (1 + (1 + 50 x (1 + (1 + 2)))) = 203, far under the default limit of 50,000
(``GROUPGRAPH_MAX_COST``); the query above costs about 3,000,000 and is refused with its
estimate in the message.

**Fragments are bounded before validation.** graphql-core's validation (and the depth
limit) walk every fragment where it is spread, so twenty fragments each spreading the one
before twice (826 characters) make a million fields to validate: half a minute of an event
loop that every request shares. :class:`BoundedValidation` therefore counts, before any
validation runs, the fields the document holds with every spread replaced by its fragment,
each fragment counted once and remembered (:func:`expanded_fields`, linear in the text), and
refuses a document above ``GROUPGRAPH_MAX_FIELDS`` (5,000) unvalidated.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    value_from_ast,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension, ValidationCache

__all__ = ["FIELD_WEIGHTS", "BoundedValidation", "MaxCostLimiter", "expanded_fields", "query_cost",
           "unknown_fragments"]

FIELD_WEIGHTS = {"Query.whatIf": 10_000}
"""Objects' worth of work a field does beyond its answer, by ``Type.field``."""


def query_cost(schema: Any, operation: OperationDefinitionNode,
               fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any],
               max_page_size: int, sizes: Mapping[str, int] | None = None) -> int:
    """The estimated number of objects the answer to ``operation`` may hold (see the module
    docstring). ``schema`` is the graphql-core schema; ``sizes`` the known lengths of
    unpaged lists, by ``Type.field``."""
    known = sizes or {}
    root = schema.get_root_type(operation.operation)

    def cost(selection_set: SelectionSetNode | None, parent: Any) -> int:
        if selection_set is None or not isinstance(parent, GraphQLObjectType):
            return 0
        total = 0
        for field in _fields(selection_set, fragments):
            definition = parent.fields.get(field.name.value)
            if definition is None:  # __typename and the like
                total += 1
                continue
            child = get_named_type(definition.type)
            times = _multiplier(field, definition, variables, max_page_size)
            if times is None:
                times = known.get(f"{parent.name}.{field.name.value}", 1)
            weight = FIELD_WEIGHTS.get(f"{parent.name}.{field.name.value}", 0)
            total += 1 + weight + times * cost(field.selection_set, child)
        return total

    return cost(operation.selection_set, root)


def _fields(selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
            ) -> Iterator[FieldNode]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:  # validation has refused unknown ones already
                yield from _fields(fragment.selection_set, fragments)


def _multiplier(field: FieldNode, definition: Any, variables: Mapping[str, Any],
                max_page_size: int) -> int | None:
    """How many items a field's answer may have: a page's ``first``, or the length of the
    longest list argument of an unpaged list; None when the query does not say."""
    argument = definition.args.get("first")
    if argument is None:
        if not isinstance(get_nullable_type(definition.type), GraphQLList):
            return 1
        lengths = [len(value) for name, arg in definition.args.items()
                   if isinstance(get_nullable_type(arg.type), GraphQLList)
                   for given in field.arguments or () if given.name.value == name
                   if isinstance(value := value_from_ast(given.value, arg.type, variables), list)]
        return max(lengths) if lengths else None
    given = next((a for a in field.arguments or () if a.name.value == "first"), None)
    value = (argument.default_value if given is None
             else value_from_ast(given.value, argument.type, variables))
    if not isinstance(value, int) or value < 0:  # null, or refused later by the resolver
        return max_page_size
    return value


class MaxCostLimiter(SchemaExtension):
    """Refuses an operation whose :func:`query_cost` exceeds ``max_cost``, before it runs,
    with a GraphQL error saying the estimate and the limit."""

    def __init__(self, *, max_cost: int, max_page_size: int) -> None:
        self.max_cost = max_cost
        self.max_page_size = max_page_size

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)
                          and (context.operation_name is None
                               or (d.name and d.name.value == context.operation_name))]
            fragments = {d.name.value: d for d in document.definitions
                         if isinstance(d, FragmentDefinitionNode)}
            if len(operations) == 1:  # else graphql-core reports the ambiguity itself
                # _schema: the graphql-core schema, as Strawberry's own extensions reach it
                estimate = query_cost(context.schema._schema, operations[0], fragments,
                                      context.variables or {}, self.max_page_size,
                                      getattr(context.context, "list_sizes", None))
                if estimate > self.max_cost:
                    context.result = GraphQLExecutionResult(data=None, errors=[GraphQLError(
                        f"query too costly: it may return about {estimate:,} objects, more "
                        f"than the {self.max_cost:,} allowed; ask for smaller pages "
                        f"(first) or fewer nested lists", extensions={"code": "TOO_COSTLY"})])
        yield


def expanded_fields(document: DocumentNode) -> int:
    """The field selections of ``document``'s operations once every fragment spread is
    replaced by its fragment, in time linear in the document: each fragment's count is
    computed once and remembered. A spread of an unknown fragment, or one inside a cycle of
    fragments, counts 0 (validation reports both).

    >>> from graphql import parse
    >>> text = "query { ...F2 } fragment F0 on Entity { id name } "
    >>> text += "fragment F1 on Entity { ...F0 ...F0 } fragment F2 on Entity { ...F1 ...F1 }"
    >>> expanded_fields(parse(text))
    8
    """
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    known: dict[str, int] = {}
    visiting: set[str] = set()

    def count(selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1 + count(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += count(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += of_fragment(selection.name.value)
        return total

    def of_fragment(name: str) -> int:
        if name in known:
            return known[name]
        fragment = fragments.get(name)
        if fragment is None or name in visiting:
            return 0
        visiting.add(name)
        known[name] = count(fragment.selection_set)
        visiting.discard(name)
        return known[name]

    return sum(count(d.selection_set) for d in document.definitions
               if isinstance(d, OperationDefinitionNode))


def unknown_fragments(document: DocumentNode) -> list[str]:
    """The names spread in ``document`` that no fragment of it defines, in order of first
    use. graphql-core's validation reports them, but Strawberry's depth limit, which runs
    first, fails on them with a KeyError.

    >>> from graphql import parse
    >>> unknown_fragments(parse("{ dataset { ...A ...Nope } } fragment A on DatasetInfo { version }"))
    ['Nope']
    """
    defined = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    found: dict[str, None] = {}

    def walk(selection_set: SelectionSetNode | None) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FragmentSpreadNode):
                if selection.name.value not in defined:
                    found.setdefault(selection.name.value)
            else:
                walk(selection.selection_set)

    for definition in document.definitions:
        walk(getattr(definition, "selection_set", None))
    return list(found)


class BoundedValidation(ValidationCache):
    """Strawberry's cached validation, refusing first, unvalidated, a document whose
    fragments expand to more than ``max_fields`` fields (:func:`expanded_fields`), or that
    spreads a fragment it does not define (:func:`unknown_fragments`)."""

    def __init__(self, *, max_fields: int, maxsize: int) -> None:
        super().__init__(maxsize=maxsize)
        self.max_fields = max_fields

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        unknown = unknown_fragments(document) if document is not None else []
        if unknown:
            context.pre_execution_errors = [GraphQLError(
                f"Unknown fragment '{name}'.", extensions={"code": "BAD_QUERY"})
                for name in unknown]
            yield
            return
        size = expanded_fields(document) if document is not None else 0
        if size > self.max_fields:
            context.pre_execution_errors = [GraphQLError(
                f"query too large: its fragments expand to {size:,} fields, more than the "
                f"{self.max_fields:,} allowed", extensions={"code": "TOO_COSTLY"})]
            yield
            return
        yield from super().on_validate()

