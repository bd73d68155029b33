"""Physical constants [SI] (CODATA 2018 exact values where defined)."""

F = 96485.33212  # Faraday constant [C/mol]
R = 8.314462618  # gas constant [J/(mol K)]
N_A = 6.02214076e23  # Avogadro constant [1/mol]
K_B = 1.380649e-23  # Boltzmann constant [J/K]
E_CHARGE = 1.602176634e-19  # elementary charge [C]
EPS0 = 8.8541878128e-12  # vacuum permittivity [F/m]
T_ROOM = 295.15  # the seed's room temperature, 22 degC [K]
