"""Parameters of a zone from its geometry alone, for zones without enough history (and as the
starting point and bounds of every calibration).

Values and where they come from:

- Air node: rho*cp*V with rho = 1.2 kg/m3, cp = 1005 J/(kg K), times a furnishing factor of 5:
  the air exchanges heat with furniture and light partitions much faster than with the
  structure, and grey-box identifications of real zones find an interior capacity several times
  the air's (Bacher & Madsen 2011, "Identifying suitable models for the heat dynamics of
  buildings", Energy and Buildings 43(7); EnergyPlus's Zone Capacitance Multiplier RA exists for
  the same reason).
- Mass node: 165 kJ/(m2 K) of floor area, the "medium" class of ISO 13790:2008 Table 12 (light
  110 kJ, heavy 260 kJ), and air-to-mass conductance h_ms * A_m = 9.1 W/(m2 K) * 2.5 * A_floor
  (ISO 13790 12.2.2 and Table 12, medium class).
- Envelope and infiltration: 1.0 W/(m2 K) of floor area for the envelope (ASHRAE 90.1-2019
  prototypes: walls U ~0.4-0.7, windows U ~2.4-3.4 W/(m2 K) at ~33 % window-to-wall ratio give
  ~1 W/K per m2 of floor of a 4.6 m deep perimeter zone) plus 0.2 air changes per hour of
  infiltration (0.335 W h/(m3 K) * ACH * V).
- Gains: an office schedule of 15 W/m2 on weekday hours 08-18 local (ASHRAE 90.1-2019 office
  prototypes: lighting ~6.9 W/m2, plug loads ~8 W/m2, people ~4 W/m2 sensible, at ~80-90 %
  of peak) and 3 W/m2 otherwise; 60 % convective (to the air).
- HVAC capacity: 100 W/m2 cooling and 80 W/m2 heating, typical sizes of office VAV systems.

>>> p = prior_parameters(floor_area_m2=100.0, volume_m3=300.0)
>>> round(p.c_mass / 1e6, 1)
16.5
"""

from __future__ import annotations

from dataclasses import dataclass

from graphtwin.simulation.thermal.gains import HOURS, GainProfile
from graphtwin.simulation.thermal.rc import RcParameters

RHO_CP_AIR = 1.2 * 1005.0
"""J/(m3 K)."""
FURNISHING_FACTOR = 5.0
MASS_CAPACITY_PER_M2 = 165_000.0
"""J/(m2 K) of floor, ISO 13790 medium."""
MASS_CONDUCTANCE_PER_M2 = 9.1 * 2.5
"""W/(m2 K) of floor, ISO 13790 h_ms * A_m / A_f (medium)."""
ENVELOPE_PER_M2 = 1.0
"""W/(m2 K) of floor."""
INFILTRATION_ACH = 0.2
OCCUPIED_GAINS_PER_M2 = 15.0
UNOCCUPIED_GAINS_PER_M2 = 3.0
OCCUPIED_HOURS = range(8, 18)
AIR_GAIN_FRACTION = 0.6
COOLING_PER_M2 = 100.0
HEATING_PER_M2 = 80.0
DEFAULT_HEIGHT_M = 3.0


@dataclass(frozen=True, slots=True)
class Prior:
    """What geometry says about a zone before any history."""

    parameters: RcParameters
    gains: GainProfile
    heat_capacity_w: float
    cool_capacity_w: float


def prior_parameters(floor_area_m2: float, volume_m3: float | None = None) -> RcParameters:
    """R and C from the floor area and volume of one zone (before any multiplier)."""
    area = max(float(floor_area_m2), 1.0)
    volume = float(volume_m3) if volume_m3 else area * DEFAULT_HEIGHT_M
    h_ao = ENVELOPE_PER_M2 * area + RHO_CP_AIR / 3600.0 * INFILTRATION_ACH * volume
    return RcParameters(
        r_ao=1.0 / h_ao,
        r_am=1.0 / (MASS_CONDUCTANCE_PER_M2 * area),
        c_air=RHO_CP_AIR * volume * FURNISHING_FACTOR,
        c_mass=MASS_CAPACITY_PER_M2 * area,
        air_gain_fraction=AIR_GAIN_FRACTION,
    )


def prior_gains(floor_area_m2: float, utc_offset_h: float = 0.0) -> GainProfile:
    """An office gains schedule (W) for the floor area."""
    area = max(float(floor_area_m2), 1.0)
    weekday = [
        (OCCUPIED_GAINS_PER_M2 if h in OCCUPIED_HOURS else UNOCCUPIED_GAINS_PER_M2) * area
        for h in range(HOURS)
    ]
    weekend = [UNOCCUPIED_GAINS_PER_M2 * area] * HOURS
    return GainProfile(tuple(weekday + weekend), utc_offset_h)


def prior(
    floor_area_m2: float, volume_m3: float | None = None, *, utc_offset_h: float = 0.0
) -> Prior:
    """The whole prior of a zone: parameters, gains and HVAC capacity."""
    area = max(float(floor_area_m2), 1.0)
    return Prior(
        parameters=prior_parameters(area, volume_m3),
        gains=prior_gains(area, utc_offset_h),
        heat_capacity_w=HEATING_PER_M2 * area,
        cool_capacity_w=COOLING_PER_M2 * area,
    )
