"""`python -m scenarios.library.golden [NAME ...]` rewrites golden files."""

import sys

from scenarios.library.golden import main

main(sys.argv[1:])
