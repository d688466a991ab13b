"""The analyst's workbench: the CLI, the scenario library and its building blocks (market, behaviour, book, analysis, sweep)."""
