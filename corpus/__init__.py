"""SQLite corpus, queries, reports, the command line and the browser view."""
