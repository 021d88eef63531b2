"""``python -m web``: the comment-mod command line of this checkout."""

from .cli import main

main()
