"""What dagnet takes as a number and as a node name, wherever values come in.

>>> is_number(3), is_number(True), is_name("h.0"), is_name(2.5), finite(10 ** 400)
(True, False, True, False, False)
"""
import math
import numbers


def is_number(value):
    """True for an int or float that is not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_name(value):
    """True for what a topology file may use as a node name: text or a whole number (not a bool)."""
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def finite(value):
    """True for a number that is finite as a float (a 400-digit integer is not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def group_size(size):
    """The number of members a group's ``size`` makes, or None when it is not a whole number >= 1.

    A whole number written as a float counts as that number, as YAML reads
    ``1e3``: the loader builds 1,000 members for it, and every count made
    before building (the playground's limits) uses this same function.

    >>> group_size(5), group_size(1e3), group_size(2.5), group_size(True), group_size(0)
    (5, 1000, None, None, None)
    """
    if not is_number(size) or not finite(size) or size != int(size) or size < 1:
        return None
    return int(size)
