"""Documents written from analysis results (Word, Excel)."""
