"""``python -m dagnet``: the same command as ``dagnet``."""
import sys

from dagnet.cli import main

sys.exit(main())
