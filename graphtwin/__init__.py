"""graphtwin: a graph-native digital twin for buildings and industrial facilities."""

__version__ = "0.1.0"
