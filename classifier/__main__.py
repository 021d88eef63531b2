"""``python -m classifier``: the same commands as ``comment-mod``."""

from .cli import main

main()
