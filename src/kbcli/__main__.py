"""`python -m kbcli` runs the `kb` command."""

from kbcli.cli import main

main()
