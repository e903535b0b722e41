"""The cost limit: refuse, before it runs, a query that could return too many objects.

Depth, token and alias limits bound the *text* of a query, not its answer: within all
three, ``groups(first: 100) { edges { node { members(first: 100) { edges { node {
group { members(first: 100) ... }}}}}}}}`` asks for a million objects and would hold a
worker for minutes. So each operation gets an estimate of the objects its answer may hold,
computed from the parsed query and its variables:

    cost(selection) = sum over its fields of  1 + multiplier(field) x cost(field's selection)

where ``multiplier`` is the field's ``first`` argument when it has one (a page: the value
given, else the argument's default, the server's maximum page size for an explicit null),
and 1 otherwise. Fragments count where they are spread; aliases count each time. A list
without paging counts as one object, since its length is not known before it runs (such
lists are short by construction: controllers, flags, limit checks).

Example: ``{ groupOf(entityId: "C1") { id members(first: 50) { edges { node { id name } } } } }``
costs 1 + (1 + (1 + 50 x (1 + (1 + 2)))) = 203, far under the default limit of 50,000
(``GROUPGRAPH_MAX_COST``); the query above costs about 3,000,000 and is refused with its
estimate in the message.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast,
)
from strawberry.extensions import SchemaExtension

__all__ = ["MaxCostLimiter", "query_cost"]


def query_cost(schema: Any, operation: OperationDefinitionNode,
               fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any],
               max_page_size: int) -> int:
    """The estimated number of objects the answer to ``operation`` may hold (see the module
    docstring). ``schema`` is the graphql-core schema."""
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
            total += 1 + _multiplier(field, definition, variables, max_page_size) * cost(
                field.selection_set, child)
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
                max_page_size: int) -> int:
    argument = definition.args.get("first")
    if argument is None:
        return 1
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
                                      context.variables or {}, self.max_page_size)
                if estimate > self.max_cost:
                    context.result = GraphQLExecutionResult(data=None, errors=[GraphQLError(
                        f"query too costly: it may return about {estimate:,} objects, more "
                        f"than the {self.max_cost:,} allowed; ask for smaller pages "
                        f"(first) or fewer nested lists")])
        yield
