"""kehu (客户): a git-native customer relationship manager.

The data's way through the package is short and one-directional:

    load (yamlload, repo)  ->  derive  ->  check (rules)  ->  render (site)  ->  cli

Every record carries its source file and line from the moment it is loaded, so
every later step can say ``file:line:`` without extra work.
"""

__version__ = "0.1.0"
