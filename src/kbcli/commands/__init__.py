"""One module per `kb` command, named after it (`merge_file.py` is `kb merge-file`)."""
