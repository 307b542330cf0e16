"""`python -m bench ...`: the benchmark harness (same options as `newsdesk bench`)."""

import sys

from bench.cli import main

sys.exit(main())
