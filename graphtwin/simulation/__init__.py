"""What-if simulation: action against inaction on an in-memory overlay of the live twin.

A scenario (`scenario`, docs/simulation.md) names what happens (an AHU trips, a setpoint
moves, a FEEDS is removed) and the actions to compare. `run.run_scenario` reads the building
in scope once (`overlay`), finds what loses supply along FEEDS/HAS_PART/SERVES (`topology`,
networkx dominators), simulates every zone with its grey-box thermal model calibrated from the
history store (`thermal`, `models`), checks the trajectories against the zones' effective
constraints (`timing`), prices the HVAC energy (`tariff`, `costs`) and ranks the variants
(`compare`). `records` writes the run's own lineage; nothing else of the twin is written.
"""
