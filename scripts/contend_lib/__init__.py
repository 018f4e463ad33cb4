"""contend's command-line tool: run the benchmark binaries, then plot, compare, report, export."""
