"""The business case report (notebook business_case): NPV, payback, IRR and B/C of a case at
Finansministeriet's discount rate, the saving against the target, tornado and Monte Carlo."""
