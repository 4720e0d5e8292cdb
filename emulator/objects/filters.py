"""Check a retrieve's filter the way the API does before it is evaluated.

docs/fidelity.md#object-filters: SimpleFilterPart ``{Property, SimpleOperator, Value}`` and
ComplexFilterPart ``{LeftOperand, LogicalOperator, RightOperand}``; ``{}`` and ``isNull`` without
``Value`` make the call throw (RT); a filter on a property the type cannot filter is answered in
``Status`` (RT). The walk is iterative and bounded (docs/fidelity.md#filter-bounds), so a filter
nested 1,000 deep is refused with a message rather than a RecursionError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from emulator import assumptions
from emulator.objects.errors import RequestRefused

#: The SimpleOperators a retrieve accepts: the ones probed at runtime, with the SOAP schema's
#: two inclusive comparisons the store evaluates too.
OPERATORS = ("equals", "notEquals", "greaterThan", "lessThan", "greaterThanOrEqual",
             "lessThanOrEqual", "isNull", "isNotNull", "between", "IN", "like")
_FOLDED = {name.casefold(): name for name in OPERATORS}
_EXACT = frozenset(OPERATORS)  # spelt as documented: no casefold needed
_SIMPLE = ("Property", "SimpleOperator", "Value")
FILTER_PROPERTY_ERROR = "Error: The Filter Property '{name}' is not a retrievable property."


def check_filter(filter: Any, filterable: Callable[[str], bool]) -> str | None:
    """Return the API's ``Status`` text for a property ``filterable`` refuses, else None.

    Raise :class:`RequestRefused` for a malformed shape (the call throws on the platform).
    """
    pending: list[tuple[Any, str, int]] = [(filter, "filter", 1)]
    parts = 0
    while pending:
        node, path, depth = pending.pop()
        parts += 1
        if depth > assumptions.FILTER_MAX_DEPTH:
            raise RequestRefused("retrieve", f"the filter is nested more than "
                                             f"{assumptions.FILTER_MAX_DEPTH} levels deep")
        if parts > assumptions.FILTER_MAX_PARTS:
            raise RequestRefused("retrieve", f"the filter has more than "
                                             f"{assumptions.FILTER_MAX_PARTS} parts")
        if not (type(node) is dict or isinstance(node, Mapping)) or not node:
            raise RequestRefused("retrieve", f"{path} must be a SimpleFilterPart {{Property, "
                                             "SimpleOperator, Value} or a ComplexFilterPart "
                                             "{LeftOperand, LogicalOperator, RightOperand}; "
                                             "for no filter pass null or leave it out")
        if "LeftOperand" in node or "LogicalOperator" in node or "RightOperand" in node:
            operator = node.get("LogicalOperator")
            if not isinstance(operator, str) or operator.upper() not in ("AND", "OR"):
                raise RequestRefused("retrieve", f"{path}: LogicalOperator must be AND or OR, "
                                                 f"not {operator!r}")
            pending.append((node.get("RightOperand"), f"{path}.RightOperand", depth + 1))
            pending.append((node.get("LeftOperand"), f"{path}.LeftOperand", depth + 1))
            continue
        name, operator = node.get("Property"), node.get("SimpleOperator")
        if not isinstance(name, str) or not name:
            raise RequestRefused("retrieve", f"{path}: Property must be a property name, "
                                             f"not {name!r}")
        if not (type(operator) is str and operator in _EXACT) and (
                not isinstance(operator, str) or operator.casefold() not in _FOLDED):
            raise RequestRefused("retrieve", f"{path}: SimpleOperator {operator!r} is not "
                                             f"supported; operators are {', '.join(OPERATORS)}")
        if "Value" not in node:
            # RT: even isNull and isNotNull need a Value member (an empty string will do).
            raise RequestRefused("retrieve", f"{path}: a SimpleFilterPart needs a Value "
                                             "(isNull and isNotNull too: \"\" will do)")
        if not filterable(name):
            return FILTER_PROPERTY_ERROR.format(name=name)
    return None
