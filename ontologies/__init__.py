"""The twin's own vocabulary and cross-standard mapping tables, shipped as data files."""
