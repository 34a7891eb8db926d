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
