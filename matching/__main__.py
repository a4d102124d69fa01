"""``python -m matching``: the offline ranking/evaluation CLI."""
import sys

from matching.cli import main

if __name__ == "__main__":
    sys.exit(main())
