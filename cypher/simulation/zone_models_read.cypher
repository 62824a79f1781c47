// The stored zone thermal models of $zones (graphtwin calibrate): one per zone, as the record
// the thermal package wrote (JSON text), with when it was fitted.
UNWIND $zones AS zone
MATCH (m:ZoneModel {zone: zone})
RETURN m.zone AS zone, m.record AS record
