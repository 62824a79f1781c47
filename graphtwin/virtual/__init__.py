"""Virtual buildings: EnergyPlus reference buildings run as the twin's reality.

The engine runs EnergyPlus through its runtime API, reads the observed points each zone
timestep and hands them to sinks (an OPC UA server the twin syncs from, or Parquet files in the
history store's format). Faults and actions from a faults file act on EnergyPlus's actuators
(equipment) or on what is served (sensors), and are written to a labels file: the ground truth
evaluations score against.
"""
