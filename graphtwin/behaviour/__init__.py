"""Behaviour-based drift: faults found from how points behave over time (docs/behaviour.md).

Detectors read points' histories on a regular grid (`frame.Frame`) and the twin's relations
between points (`relations.Relations`), learn what is normal on a history window and report
episodes in an evaluation window, each with what it compared, its evidence and a cause class.
"""
