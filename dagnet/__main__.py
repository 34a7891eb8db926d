"""``python -m dagnet``: the same command as ``dagnet``."""
import sys

from dagnet.launch import main

sys.exit(main())
