"""One module per ``kehu`` command; each defines ``command``."""
